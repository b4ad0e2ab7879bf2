/**
 * The translation fast paths of issue 10 give exactly what the plain algorithms give:
 * - the glossary's hash bit filter (gloss.ts) finds the same leftmost-longest matches as trying
 *   every candidate length with a Map lookup (no false negative can hide a name);
 * - the document copy with lazily built paths (document.ts) reports the same FHIRPath for what it
 *   changes (zone-less dates, printed units, codings) as the element's real position;
 * - each entry rendered once per translation: the section's list item is the entry's own
 *   generated narrative;
 * - the terminology built in one pass from the CodeSystems and ConceptMaps read file by file
 *   (compose/translation.ts, interned, single targets unboxed) answers as the one built from all
 *   conformance resources held at once;
 * - the pinyin spelling cache (names.ts) answers as pinyin-pro does, surname and given readings
 *   kept apart, also once it has been emptied for being full.
 */
import { expect } from 'chai';
import { createGlossary, type GlossEntry } from '../../../src/translate/gloss.js';
import type { Lang, Terminology } from '../../../src/translate/terminology.js';
import { prng, syntheticDischargeSummary } from '../../../bench/synthetic.js';
import path from 'node:path';
import { translationResources } from '../../../src/compose/translation.js';
import { createTranslator } from '../../../src/translate/index.js';
import { SYS } from '../../../src/translate/terminology.js';
import { toPinyinName } from '../../../src/translate/names.js';
import { pinyin } from 'pinyin-pro';
import { conformance, FIXED_CLOCK, fixture, FIXTURES, getTranslator, KEY, root } from './setup.js';

/** Reference: leftmost-longest by trying every length at every position (no index, no filter). */
function naiveGloss(term: Terminology, text: string, from: Lang): { term: string; system: string; code: string }[] {
  const english = from === 'en';
  const names = english ? term.enNames : term.zhNames;
  let longest = 0;
  for (const n of names.keys()) longest = Math.max(longest, n.length);
  const hay = english ? text.toLowerCase() : text;
  const word = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
  const out: { term: string; system: string; code: string }[] = [];
  const seen = new Set<string>();
  let i = 0;
  while (i < hay.length - 1) {
    if (english && (word(hay[i - 1]) || !word(hay[i]))) {
      i++;
      continue;
    }
    let matched = 0;
    for (let len = Math.min(longest, hay.length - i); len >= 2; len--) {
      const t = names.get(hay.slice(i, i + len));
      if (!t || (english && word(hay[i + len]))) continue;
      matched = len;
      const original = text.slice(i, i + len);
      if (!seen.has(original)) {
        seen.add(original);
        out.push({ term: original, system: t.system, code: t.code });
      }
      break;
    }
    i += matched || 1;
  }
  return out;
}

/** Does the term have a name in `to` (gloss.ts keeps only those): a map target's, its own or its parent's. */
function hasTarget(term: Terminology, m: { system: string; code: string }, to: Lang): boolean {
  for (const t of term.targets(m.system, m.code)) {
    const name = term.display(t.system, t.code, to) ?? t.display;
    if (name && (to === 'en') === !/\p{Script=Han}/u.test(name)) return true;
  }
  return term.display(m.system, m.code, to) !== undefined || term.parentTitle(m.system, m.code, to) !== undefined;
}

describe('translate/fast paths give the plain algorithms\' results', () => {
  it('glossary: the hash filter finds exactly the naive leftmost-longest matches (zh and en)', function () {
    this.timeout(60_000);
    const term = getTranslator().terminology;
    const glossary = createGlossary(term);
    const rnd = prng(10);
    for (const [from, names, filler] of [
      ['zh-CN', [...term.zhNames.keys()], ['，', '患者', '伴', '。', '急性', '慢', '（', '2型', ' ', '病']],
      ['en', [...term.enNames.keys()], [', ', ' with ', ' and ', '. ', ' acute ', ' (', ' type 2 ', 'x', ' ']],
    ] as [Lang, string[], string[]][]) {
      let matchedSome = 0;
      for (let n = 0; n < 300; n++) {
        let text = '';
        for (let k = 0; k < 12; k++) {
          const name = names[Math.floor(rnd() * names.length)]!;
          // Whole names, cut names (prefixes that are often no name) and filler between them.
          text += rnd() < 0.6 ? name : name.slice(0, 1 + Math.floor(rnd() * name.length));
          text += filler[Math.floor(rnd() * filler.length)]!;
        }
        if (from === 'en' && rnd() < 0.5) text = text.toUpperCase();
        const to: Lang = from === 'en' ? 'zh-CN' : 'en';
        const fast = glossary.gloss(text, from, to);
        const naive = naiveGloss(term, text, from).filter((m) => hasTarget(term, m, to));
        expect(fast.map((g: GlossEntry) => [g.term, g.code]), text).to.deep.equal(naive.map((m) => [m.term, m.code]));
        expect(naive.length, text).to.be.greaterThan(0);
        matchedSome += fast.length;
      }
      expect(matchedSome).to.be.greaterThan(300);
    }
  });

  it('document copy: the reported path of a changed element is where it is', () => {
    const doc = syntheticDischargeSummary(20, 3) as unknown as { entry: { resource: Record<string, unknown> }[] };
    const enc = doc.entry.findIndex((e) => e.resource.resourceType === 'Encounter');
    const obs = doc.entry.findIndex((e) => e.resource.resourceType === 'Observation');
    (doc.entry[enc]!.resource.period as Record<string, unknown>).start = '2024-03-01T08:30';
    doc.entry[obs]!.resource.valueQuantity = { value: 5, unit: '岁' };
    doc.entry[obs]!.resource.note = [{ text: 'x', time: '2024-03-02T09:00:00' }];
    const out = getTranslator().translateDocument(doc, { target: 'en' });
    const at = (rule: string) => out.report.filter((i) => i.rule === rule).map((i) => i.expression?.[0]);
    expect(at('china-time-zone')).to.include.members([`Bundle.entry[${enc}].resource.period.start`, `Bundle.entry[${obs}].resource.note[0].time`]);
    expect(at('ucum-unit')).to.deep.equal([`Bundle.entry[${obs}].resource.valueQuantity`]);
    const res = out.document.entry![obs]!.resource as unknown as Record<string, Record<string, unknown>[]>;
    expect(res.note![0]!.time).to.equal('2024-03-02T09:00:00+08:00');
    for (const p of at('concept-map')) expect(p).to.match(/^Bundle\.entry\[\d+\]\.resource(\.[A-Za-z]+(\[\d+\])?)*\.coding\[\d+\]$/);
  });

  it('each entry rendered once: a section list item is the entry\'s own generated narrative', () => {
    const doc = syntheticDischargeSummary(30, 2) as unknown as { entry: { resource: Record<string, unknown> }[] };
    for (const e of doc.entry.slice(1)) e.resource.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN">原文</div>' };
    const out = getTranslator().translateDocument(doc, { target: 'en', units: 'conventional' });
    const entries = out.document.entry!;
    const comp = entries[0]!.resource as unknown as { section: { text: { div: string }; entry?: { reference: string }[] }[] };
    let compared = 0;
    for (const s of comp.section) {
      for (const ref of s.entry ?? []) {
        const e = entries.find((x) => x.fullUrl === ref.reference)!;
        const div = (e.resource as unknown as { text?: { div: string } }).text?.div;
        if (!div) continue;
        const generated = /^<div [^>]*>(.*?)<p class="emrgw-note">/.exec(div)?.[1];
        expect(generated, div).to.be.a('string');
        expect(s.text.div).to.include(`<li>${generated}</li>`);
        compared++;
      }
    }
    expect(compared).to.be.greaterThan(10);
  });

  it('terminology read file by file (CodeSystems and ConceptMaps only) answers as the one from all resources', function () {
    this.timeout(120_000);
    const all = getTranslator();
    const streamed = createTranslator({ resources: translationResources([path.join(root, 'fhir-profiles')]), pseudonymKey: KEY, clock: FIXED_CLOCK });
    expect(streamed.terminology.sizes).to.deep.equal(all.terminology.sizes);
    expect([...streamed.terminology.zhNames]).to.deep.equal([...all.terminology.zhNames]);
    expect([...streamed.terminology.enNames]).to.deep.equal([...all.terminology.enNames]);
    // Every code of every CodeSystem: names, parent titles, TCM flag and map targets (lists and single ones).
    let checked = 0;
    let multi = 0;
    for (const r of conformance()) {
      if (r.resourceType !== 'CodeSystem') continue;
      const cs = r as unknown as { url: string; supplements?: string; concept?: { code: string; concept?: unknown[] }[] };
      const system = cs.supplements ?? cs.url;
      const walk = (list: { code: string; concept?: unknown[] }[] | undefined): void => {
        for (const c of list ?? []) {
          for (const lang of ['en', 'zh-CN'] as const) {
            expect(streamed.terminology.display(system, c.code, lang)).to.equal(all.terminology.display(system, c.code, lang));
            expect(streamed.terminology.parentTitle(system, c.code, lang)).to.equal(all.terminology.parentTitle(system, c.code, lang));
            expect(streamed.translateCode(system, c.code, lang)).to.deep.equal(all.translateCode(system, c.code, lang));
          }
          expect(streamed.terminology.isTraditionalMedicine(system, c.code)).to.equal(all.terminology.isTraditionalMedicine(system, c.code));
          const t = streamed.terminology.targets(system, c.code);
          expect(t).to.deep.equal(all.terminology.targets(system, c.code));
          if (t.length > 1) multi++;
          checked++;
          walk(c.concept as { code: string; concept?: unknown[] }[] | undefined);
        }
      };
      walk(cs.concept);
    }
    expect(checked).to.be.greaterThan(50_000);
    expect(multi).to.be.greaterThan(0);
    // The ICD-10 China OID aliases still reach the indexed system.
    expect(streamed.terminology.targets(`${SYS.ICD10_CN}.3`, 'I21.001')).to.deep.equal(all.terminology.targets(SYS.ICD10_CN, 'I21.001')).and.to.have.length.greaterThan(0);
    for (const name of FIXTURES) {
      for (const target of ['en', 'zh-CN'] as const) {
        expect(streamed.translateDocument(fixture(name), { target, units: 'conventional' })).to.deep.equal(all.translateDocument(fixture(name), { target, units: 'conventional' }));
      }
    }
  });

  it('pinyin cache: the same spelling as pinyin-pro, surname and given readings apart, across a full cache', () => {
    // 单 is SHAN as a surname and DAN otherwise; 曾 ZENG / CENG; 解 XIE / JIE.
    const direct = (h: string, surname: boolean) =>
      pinyin(h, { toneType: 'none', type: 'array', surname: surname ? 'head' : 'off', nonZh: 'consecutive' }).map((x) => x.trim().replace(/^([ln])(?:ü|v)/, '$1yu').replace(/ü|v/g, 'u').toUpperCase()).join('');
    for (let round = 0; round < 2; round++) {
      for (const h of ['单', '曾', '解']) {
        const p = toPinyinName({ family: h, given: [h] })!;
        expect([p.family, p.given[0]]).to.deep.equal([direct(h, true), direct(h, false)]);
        expect(p.family).to.not.equal(p.given[0]);
      }
      // More distinct given names than the cache holds: it is emptied and refilled on the way.
      const chars = '建国淑珍文强海燕志明秀英绿萍家豪伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英';
      let n = 0;
      for (let i = 0; i < chars.length && n < 5000; i++) {
        for (let j = 0; j < chars.length && n < 5000; j++) {
          for (let k = 0; k < 5 && n < 5000; k++, n++) {
            const given = chars[i]! + chars[j]! + '建国淑珍文'[k]!;
            expect(toPinyinName({ family: '王', given: [given] })!.given[0]).to.equal(direct(given, false));
          }
        }
      }
    }
  });
});
