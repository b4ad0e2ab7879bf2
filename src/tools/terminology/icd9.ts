/**
 * ICD-9-CM-3 China (医保版 2.0) CodeSystem and the map to US ICD-9-CM vol. 3 (`51.2300` → `51.23`).
 *
 * Sources: NHSA ICD-9-CM-3 医保版 2.0 workbook (official standard; codes + class rows). English
 * titles: no non-GPL ICD-9-CM procedure title list exists among the shared sources (the GNU Health
 * list is GPL and is NOT read here), so English titles come only from our hand-maintained
 * manual/icd9cm-procedures-en.tsv (ICD-9-CM titles are a US Government work, public domain,
 * written out by us for the procedures our fixtures and common discharge summaries use).
 *
 * Invariants: one concept and one map element per source code, in source order; a target has a
 * display only when the manual list has that exact ICD-9-CM code.
 */
import path from 'node:path';
import { MANUAL_DIR, readTsv, type Row } from './io.js';
import { mapIcd9Cm3ToIcd9Cm } from './icd-rules.js';
import { OUR_BASE, SYSTEMS, codeSystem, conceptMap, orderTarget, type Concept, type MapElement, type MapTarget, type Output } from './resources.js';
import { DESIGNATION_USE } from './designation-use.js';

const NHSA_ICD9_COPYRIGHT =
  'Chinese codes and names: 国家医疗保障局 (NHSA) 《医疗保障手术操作分类与代码》(ICD-9-CM-3 医保版 2.0), dictionary workbook ' +
  '"医保ICD9_v2.0_字典库0122", official PRC code standard published free of charge (believed outside copyright under PRC Copyright ' +
  'Law art. 5; legal review recommended). Structure derived from ICD-9-CM vol. 3 (US Government, public domain).';

export interface Icd9Stats {
  sourceCodes: number;
  classRows: number;
  mapped: number;
  withEnglishTitle: number;
  manualTitles: number;
}

export interface Icd9Inputs {
  codes: Row[];
  classes: Row[];
  titles: Map<string, string>;
}

export function loadIcd9Inputs(sourcesDir: string, slice?: number): Icd9Inputs {
  const rows = readTsv(path.join(sourcesDir, 'icd10-cn', 'nhsa-icd9cm3-yb2.0-dict-0122.tsv'), ['row_type', 'code', 'name']);
  let codes = rows.filter((r) => r.row_type === 'code');
  if (slice !== undefined) codes = codes.slice(0, slice);
  const classes = rows.filter((r) => r.row_type === 'class');
  const titles = new Map(readTsv(path.join(MANUAL_DIR, 'icd9cm-procedures-en.tsv'), ['code', 'title_en']).map((r) => [r.code!, r.title_en!]));
  return { codes, classes, titles };
}

export function buildIcd9(inp: Icd9Inputs): { outputs: Output[]; stats: Icd9Stats } {
  const classes = new Set(inp.classes.map((r) => r.code!));
  const stats: Icd9Stats = { sourceCodes: inp.codes.length, classRows: inp.classes.length, mapped: 0, withEnglishTitle: 0, manualTitles: inp.titles.size };
  const concepts: Concept[] = [];
  const elements: MapElement[] = [];
  const u = DESIGNATION_USE.parentTitle;
  for (const r of inp.codes) {
    const code = r.code!;
    const m = mapIcd9Cm3ToIcd9Cm(code, classes);
    const c: Concept = { code, display: r.name!, designation: [{ language: 'zh-CN', value: r.name! }] };
    const target: MapTarget = { equivalence: 'unmatched' };
    if (m) {
      stats.mapped++;
      target.code = m.code;
      target.equivalence = m.equivalence;
      const t = inp.titles.get(m.code);
      if (t) {
        stats.withEnglishTitle++;
        target.display = t;
        c.designation!.push({ language: 'en', use: { system: u.system, code: u.code }, value: t });
      }
    } else target.comment = 'no ICD-9-CM parent found';
    if (r.grey_flag === '1') c.property = [{ code: 'nhsa-grey', valueBoolean: true }];
    concepts.push(c);
    elements.push({ code, target: [orderTarget(target)] });
  }
  const n = inp.codes.length;
  const cs = codeSystem(
    {
      id: 'icd9cm3-cn', url: SYSTEMS.icd9cm3cn, version: '医保版2.0', name: 'Icd9Cm3ChinaNhsa20',
      title: 'ICD-9-CM-3 China, NHSA insurance edition 2.0 (医疗保障手术操作分类与代码 医保版2.0)',
      description:
        `${n} procedure codes (nhsa-icd9cm3-yb2.0-dict-0122.tsv, ${n} code rows, ${inp.classes.length} class rows not included). ` +
        'display = official Chinese name; en designation only where our hand-written ICD-9-CM title list covers the parent code ' +
        `(${stats.withEnglishTitle} concepts).`,
      copyright: `${NHSA_ICD9_COPYRIGHT} English titles: ICD-9-CM (public domain) written out in manual/icd9cm-procedures-en.tsv (${inp.titles.size} rows). Row count: ${n} codes.`,
      content: n === 13686 ? 'complete' : 'fragment', language: 'zh-CN',
      property: [{ code: 'nhsa-grey', uri: `${OUR_BASE}/CodeSystem/terminology-property#nhsa-grey`, description: 'NHSA shaded code (是否标记阴影 = 1)', type: 'boolean' }],
    },
    concepts,
  );
  const cm = conceptMap(
    {
      id: 'icd9cm3cn-to-icd9cm', url: `${OUR_BASE}/ConceptMap/icd9cm3cn-to-icd9cm`, name: 'Icd9Cm3ChinaToIcd9Cm',
      title: 'ICD-9-CM-3 China (医保版 2.0) → ICD-9-CM vol. 3',
      description:
        `Each of ${n} Chinese procedure codes maps to its ICD-9-CM parent (51.2300 → 51.23; 00.0x00 → 00.0), checked against the NHSA ` +
        `class rows, equivalence wider. ${stats.mapped} mapped. No redistributable English ICD-9-CM title list was available: ` +
        `${stats.withEnglishTitle} targets carry an English display from our ${inp.titles.size}-row hand list; the rest carry the code only.`,
      copyright: `${NHSA_ICD9_COPYRIGHT} Row count: ${n} map elements.`,
      sourceUri: SYSTEMS.icd9cm3cn, targetUri: SYSTEMS.icd9cm,
    },
    [{ source: SYSTEMS.icd9cm3cn, sourceVersion: '医保版2.0', target: SYSTEMS.icd9cm, element: elements }],
  );
  return {
    outputs: [
      { file: 'CodeSystem-icd9cm3-cn.json', resource: cs, compact: true },
      { file: 'ConceptMap-icd9cm3cn-to-icd9cm.json', resource: cm, compact: true },
    ],
    stats,
  };
}
