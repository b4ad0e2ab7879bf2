/**
 * The generator: deterministic output, counts equal to the sources, honest metadata, known map
 * targets, and the committed files in fhir-profiles/terminology equal a fresh build.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { buildAll, renderAll } from '../../../src/tools/terminology/build.js';
import { KNOWN_TARGET_SYSTEMS, TERMINOLOGY_DATE, type CodeSystem, type ConceptMap } from '../../../src/tools/terminology/resources.js';
import { GENERATED, SOURCES, fullBuild, tsv } from './helpers.js';

const byFile = (file: string) => {
  const o = fullBuild().outputs.find((x) => x.file === file);
  if (!o) throw new Error(`missing output ${file}`);
  return o.resource;
};

function sourceRows(rel: string, filter?: (r: Record<string, string>) => boolean): number {
  const rows = tsv(path.join(SOURCES, rel));
  return filter ? rows.filter(filter).length : rows.length;
}

describe('terminology generator', () => {
  it('is deterministic: two builds of a small slice render byte-identical files', () => {
    const a = renderAll(buildAll(SOURCES, 300));
    const b = renderAll(buildAll(SOURCES, 300));
    expect([...a.keys()]).to.deep.equal([...b.keys()]);
    for (const [k, v] of a) expect(b.get(k), k).to.equal(v);
    const cs = JSON.parse(a.get('CodeSystem-icd10-cn.json')!) as CodeSystem;
    expect(cs.concept).to.have.length(300);
    expect(cs.content).to.equal('fragment'); // a slice is honestly a fragment
  });

  it('the committed files equal a fresh full build (regenerate with npm run terminology)', () => {
    const fresh = renderAll(fullBuild());
    const committed = fs.readdirSync(GENERATED).filter((f) => f.endsWith('.json')).sort();
    expect(committed).to.deep.equal([...fresh.keys()].sort());
    for (const [file, text] of fresh) expect(fs.readFileSync(path.join(GENERATED, file), 'utf8') === text, file).to.equal(true);
  });

  it('records row counts equal to the source counts', () => {
    const icd10 = byFile('CodeSystem-icd10-cn.json') as CodeSystem;
    const n10 = sourceRows('icd10-cn/nhsa-icd10-yb2.0-codes.tsv');
    expect(n10).to.equal(33304);
    expect(icd10.concept).to.have.length(n10);
    expect(icd10.count).to.equal(n10);
    expect(icd10.content).to.equal('complete');
    expect(String(icd10.copyright)).to.contain(`Row count: ${n10}`);
    const map10 = byFile('ConceptMap-icd10cn-to-icd10.json') as ConceptMap;
    expect(map10.group[0]!.element).to.have.length(n10);

    const n9 = sourceRows('icd10-cn/nhsa-icd9cm3-yb2.0-dict-0122.tsv', (r) => r.row_type === 'code');
    expect(n9).to.equal(13686);
    expect((byFile('CodeSystem-icd9cm3-cn.json') as CodeSystem).concept).to.have.length(n9);
    expect((byFile('ConceptMap-icd9cm3cn-to-icd9cm.json') as ConceptMap).group[0]!.element).to.have.length(n9);

    const classes = sourceRows('icd10-cn/nhsa-icd10-yb2.0-dict-0122.tsv', (r) => r.row_type === 'class');
    expect((byFile('CodeSystem-icd-10-who-designations.json') as CodeSystem).concept).to.have.length(classes);
    expect((byFile('CodeSystem-gb3304-ethnicity.json') as CodeSystem).concept).to.have.length(sourceRows('admin-codes/gbt3304-ethnicity.tsv'));
    const countries = (byFile('CodeSystem-gbt2659-country.json') as CodeSystem).concept;
    expect(countries).to.have.length(2 * sourceRows('admin-codes/gbt2659-iso3166-countries.tsv')); // alpha-2 + alpha-3
    expect(countries.find((c) => c.code === 'CAN')?.display).to.equal('加拿大');
    expect((byFile('CodeSystem-gbt2261-2-marital-status.json') as CodeSystem).concept).to.have.length(sourceRows('admin-codes/gbt2261.2-marital-status.tsv'));
    expect((byFile('CodeSystem-gbt2260-province.json') as CodeSystem).concept).to.have.length(34);
  });

  it('gives every resource active status, the fixed date, publisher, version and a copyright with a row count', () => {
    for (const { file, resource } of fullBuild().outputs) {
      expect(resource.status, file).to.equal('active');
      expect(resource.date, file).to.equal(TERMINOLOGY_DATE);
      expect(resource.publisher, file).to.be.a('string').and.not.empty;
      expect(resource.version, file).to.be.a('string').and.not.empty;
      expect(String(resource.copyright), file).to.match(/Row count: \d+/);
      if (resource.resourceType === 'CodeSystem') {
        expect(['complete', 'fragment', 'supplement'], file).to.include(resource.content);
        if (resource.content === 'supplement') expect(resource.supplements, file).to.be.a('string');
        for (const c of resource.concept) expect(c.display, `${file} ${c.code}`).to.be.a('string').and.not.empty;
      }
    }
  });

  it('points every ConceptMap group at a known target system, and every target has a code unless unmatched', () => {
    for (const { file, resource } of fullBuild().outputs) {
      if (resource.resourceType !== 'ConceptMap') continue;
      for (const g of resource.group) {
        expect(KNOWN_TARGET_SYSTEMS, `${file} → ${g.target}`).to.include(g.target);
        for (const e of g.element) {
          expect(e.target.length, `${file} ${e.code}`).to.be.greaterThan(0);
          for (const t of e.target) {
            if (t.equivalence === 'unmatched') expect(t.code).to.equal(undefined);
            else expect(t.code, `${file} ${e.code}`).to.be.a('string').and.not.empty;
          }
        }
      }
    }
  });

  it('maps the reference rows exactly as DOMAIN.md says', () => {
    const map = byFile('ConceptMap-icd10cn-to-icd10.json') as ConceptMap;
    const el = new Map(map.group[0]!.element.map((e) => [e.code, e]));
    expect(el.get('E11.900')!.target[0]).to.include({ code: 'E11.9', equivalence: 'wider' });
    expect(el.get('I10.x05')!.target[0]).to.include({ code: 'I10', equivalence: 'wider' });
    expect(el.get('I21.401')!.target[0]).to.include({ code: 'I21.4', equivalence: 'wider' });
    const pair = el.get('E11.200x023+N08.3*')!.target[0] as unknown as { code: string; product: { value: string; system: string }[] };
    expect(pair.code).to.equal('E11.2');
    expect(pair.product[0]).to.include({ value: 'N08.3', system: 'http://hl7.org/fhir/sid/icd-10' });
    const rev = byFile('ConceptMap-icd10-to-icd10cn.json') as ConceptMap;
    const r = new Map(rev.group[0]!.element.map((e) => [e.code, e]));
    expect(r.get('E11.9')!.target[0]).to.include({ code: 'E11.900', equivalence: 'equivalent' });
    expect(r.get('I10')!.target[0]).to.include({ code: 'I10.x00', display: '特发性（原发性）高血压' });
    const icd9 = byFile('ConceptMap-icd9cm3cn-to-icd9cm.json') as ConceptMap;
    const e9 = icd9.group[0]!.element.find((e) => e.code === '51.2300')!;
    expect(e9.target[0]).to.include({ code: '51.23', equivalence: 'wider', display: 'Laparoscopic cholecystectomy' });
  });
});
