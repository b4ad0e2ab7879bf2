/**
 * Resources built from our hand-maintained lists in manual/ (project licence): TCM terms, drug
 * generic names → ATC, routes, dose frequencies.
 *
 * Invariants: nothing here reads the GPL GNU Health files; row counts in `copyright` equal the
 * manual rows; ConceptMap targets only point at systems in KNOWN_TARGET_SYSTEMS; a concept with no
 * map gets an explicit `unmatched` target so the translation code can tell "no map" from "not listed".
 */
import path from 'node:path';
import { MANUAL_DIR, readTsv } from './io.js';
import {
  OUR_BASE, SYSTEMS, TRADITIONAL_MEDICINE_PROPERTY, codeSystem, conceptMap, concept,
  type Concept, type ConceptProperty, type MapElement, type Output,
} from './resources.js';

const OURS = 'Written by the EMR Gateway project (project licence)';
const manual = (f: string, cols: string[]) => readTsv(path.join(MANUAL_DIR, f), cols);
const split = (s: string | undefined) => (s ? s.split('|').map((x) => x.trim()).filter(Boolean) : []);

export const TCM_TERM_SYSTEM = `${OUR_BASE}/CodeSystem/tcm-term-cn`;

export function buildTcm(): Output[] {
  const rows = manual('tcm.tsv', ['term', 'kind', 'name_en']);
  const concepts = rows.map((r) =>
    concept(r.term!, r.term!, r.term, r.name_en, [
      { code: 'traditional-medicine', valueBoolean: true },
      { code: 'tcm-kind', valueCode: r.kind! },
    ]),
  );
  return [{
    file: 'CodeSystem-tcm-term-cn.json', compact: false,
    resource: codeSystem({
      id: 'tcm-term-cn', url: TCM_TERM_SYSTEM, name: 'TcmTermChina', title: 'TCM diseases and patterns: Chinese term with English name',
      description:
        `${rows.length} common TCM diseases (病) and syndromes/patterns (证), keyed by the standard Chinese term, with English names in the ` +
        'style of the WHO International Standard Terminologies on Traditional Medicine (2007). Every concept has property ' +
        'traditional-medicine = true: no WHO ICD-10 equivalent exists. GB/T 15657 (urn:oid:2.16.156.10011.2.3.3.14) codes are not ' +
        'listed because no verifiable copy of the standard was available: a received GB/T 15657 coding keeps its code and is ' +
        'looked up here by its Chinese display.',
      copyright: `${OURS}. Row count: ${rows.length} (manual/tcm.tsv).`,
      content: 'complete', language: 'zh-CN',
      property: [TRADITIONAL_MEDICINE_PROPERTY, { code: 'tcm-kind', uri: `${OUR_BASE}/CodeSystem/terminology-property#tcm-kind`, description: 'disease (病) or syndrome (证)', type: 'code' }],
    }, concepts),
  }];
}

export function buildDrugs(): Output[] {
  const rows = manual('drugs.tsv', ['name_zh', 'inn_en', 'atc', 'en_other']);
  const concepts: Concept[] = rows.map((r) => {
    const c = concept(r.name_zh!, r.name_zh!, r.name_zh, r.inn_en);
    for (const o of split(r.en_other)) c.designation!.push({ language: 'en', value: o });
    return c;
  });
  const elements: MapElement[] = rows.map((r) => {
    const atcs = split(r.atc);
    return {
      code: r.name_zh!,
      target: atcs.map((a, i) => ({
        code: a, display: r.inn_en!, equivalence: 'equivalent',
        ...(atcs.length > 1 ? { comment: i === 0 ? 'usual meaning in discharge medication' : 'same substance, other ATC use/route' } : {}),
      })),
    };
  });
  const atcCount = elements.reduce((n, e) => n + e.target.length, 0);
  return [
    {
      file: 'CodeSystem-cn-drug-name.json', compact: false,
      resource: codeSystem({
        id: 'cn-drug-name', url: SYSTEMS.drugName, name: 'ChineseDrugGenericName', title: 'Chinese generic drug names (通用名) with English INN',
        description: `${rows.length} Chinese approved generic names of common discharge medicines (code = the Chinese name) with the English INN ` +
          '(and common other English names) as en designations. A fragment: hospitals may send any generic name.',
        copyright: `${OURS}; INNs are WHO International Nonproprietary Names (free to use). Row count: ${rows.length} (manual/drugs.tsv).`,
        content: 'fragment', language: 'zh-CN',
      }, concepts),
    },
    {
      file: 'ConceptMap-cn-drug-name-to-atc.json', compact: false,
      resource: conceptMap({
        id: 'cn-drug-name-to-atc', url: `${OUR_BASE}/ConceptMap/cn-drug-name-to-atc`, name: 'ChineseDrugNameToAtc',
        title: 'Chinese generic drug name → WHO ATC',
        description: `${rows.length} Chinese generic names → ${atcCount} ATC level-5 codes (target display = INN). Several targets = the same ` +
          'substance under several ATC codes (e.g. aspirin B01AC06 antiplatelet / N02BA01 analgesic); the first is the usual discharge meaning. ' +
          'Insurance drug codes (医保药品分类与代码): codes starting with X (Western medicine) carry the ATC level-4 code in characters 2–6 ' +
          '(XJ01DET084B0 → J01DE, DOMAIN.md; derived from few samples); Z codes (Chinese patent medicines) have no ATC. That rule is applied ' +
          'by the translation code, not listed here.',
        copyright: `${OURS}. ATC codes: WHO Collaborating Centre for Drug Statistics Methodology (codes cited, no ATC names copied). Row count: ${rows.length}.`,
        sourceUri: SYSTEMS.drugName, targetUri: SYSTEMS.atc,
      }, [{ source: SYSTEMS.drugName, target: SYSTEMS.atc, element: elements }]),
    },
  ];
}

export function buildRoutes(): Output[] {
  const rows = manual('routes.tsv', ['code', 'name_zh', 'name_en', 'snomed', 'synonyms_zh']);
  const concepts = rows.map((r) => {
    const c = concept(r.code!, r.name_zh!, r.name_zh, r.name_en);
    for (const s of split(r.synonyms_zh)) c.designation!.push({ language: 'zh-CN', value: s });
    return c;
  });
  const elements: MapElement[] = rows.map((r) => ({
    code: r.code!,
    target: r.snomed ? [{ code: r.snomed, display: r.name_en!, equivalence: 'equivalent' }] : [{ equivalence: 'unmatched' }],
  }));
  return [
    {
      file: 'CodeSystem-route-cn.json', compact: false,
      resource: codeSystem({
        id: 'route-cn', url: SYSTEMS.route, name: 'RouteChina', title: 'Routes of administration (WS 364 CV06.00.102 用药途径代码)',
        description: `${rows.length} route codes and names of WS 364 CV06.00.102 (subset), with English names and further Chinese wordings ` +
          'used in orders (extra zh-CN designations) so free-text routes can be recognised.',
        copyright: `Codes and names: WS 364 CV06.00.102 (National Health Commission sector standard) as listed in terminology-sources/admin-codes/SOURCE.md; English and synonyms: ${OURS}. Row count: ${rows.length}.`,
        content: 'fragment', language: 'zh-CN',
      }, concepts),
    },
    {
      file: 'ConceptMap-route-cn-to-snomed.json', compact: false,
      resource: conceptMap({
        id: 'route-cn-to-snomed', url: `${OUR_BASE}/ConceptMap/route-cn-to-snomed`, name: 'RouteChinaToSnomed',
        title: 'Chinese route of administration → SNOMED CT route', description:
          `${rows.length} routes; ${rows.filter((r) => r.snomed).length} mapped to SNOMED CT route qualifier codes (target display is our English name, not a SNOMED description).`,
        copyright: `${OURS}. SNOMED CT codes are cited only; SNOMED CT is © SNOMED International. Row count: ${rows.length}.`,
        sourceUri: SYSTEMS.route, targetUri: SYSTEMS.snomed,
      }, [{ source: SYSTEMS.route, target: SYSTEMS.snomed, element: elements }]),
    },
  ];
}

export function buildFrequencies(): Output[] {
  const rows = manual('frequency.tsv', ['code', 'name_zh', 'name_en', 'frequency', 'period', 'period_unit', 'gts', 'as_needed', 'synonyms_zh']);
  const concepts = rows.map((r) => {
    const props: ConceptProperty[] = [];
    if (r.frequency) props.push({ code: 'timing-frequency', valueString: r.frequency });
    if (r.period) props.push({ code: 'timing-period', valueString: r.period });
    if (r.period_unit) props.push({ code: 'timing-period-unit', valueCode: r.period_unit });
    if (r.as_needed === '1') props.push({ code: 'as-needed', valueBoolean: true });
    const c = concept(r.code!, r.name_zh!, r.name_zh, r.name_en, props);
    for (const s of split(r.synonyms_zh)) c.designation!.push({ language: 'zh-CN', value: s });
    return c;
  });
  const prop = (code: string, description: string, type: string) => ({ code, uri: `${OUR_BASE}/CodeSystem/terminology-property#${code}`, description, type });
  const elements: MapElement[] = rows.map((r) => ({
    code: r.code!,
    target: r.gts ? [{ code: r.gts, display: r.name_en!, equivalence: 'equivalent' }] : [{ equivalence: 'unmatched', comment: 'use the Timing.repeat properties' }],
  }));
  return [
    {
      file: 'CodeSystem-frequency-cn.json', compact: false,
      resource: codeSystem({
        id: 'frequency-cn', url: SYSTEMS.frequency, name: 'FrequencyChina', title: 'Dose frequencies used in Chinese orders (医嘱频次)',
        description: `${rows.length} frequency abbreviations with Chinese and English names and FHIR Timing.repeat values as properties ` +
          '(timing-frequency, timing-period, timing-period-unit as UCUM-style units of Timing.repeat.periodUnit; as-needed for PRN).',
        copyright: `${OURS}. Row count: ${rows.length} (manual/frequency.tsv).`,
        content: 'fragment', language: 'zh-CN',
        property: [
          prop('timing-frequency', 'Timing.repeat.frequency', 'string'), prop('timing-period', 'Timing.repeat.period', 'string'),
          prop('timing-period-unit', 'Timing.repeat.periodUnit (h, d, wk)', 'code'), prop('as-needed', 'asNeeded (PRN)', 'boolean'),
        ],
      }, concepts),
    },
    {
      file: 'ConceptMap-frequency-cn-to-gts.json', compact: false,
      resource: conceptMap({
        id: 'frequency-cn-to-gts', url: `${OUR_BASE}/ConceptMap/frequency-cn-to-gts`, name: 'FrequencyChinaToGts',
        title: 'Chinese dose frequency → HL7 v3 GTSAbbreviation',
        description: `${rows.length} frequencies; ${rows.filter((r) => r.gts).length} have an HL7 v3 GTSAbbreviation (used by FHIR Timing.code); the others are expressed by Timing.repeat.`,
        copyright: `${OURS}. Row count: ${rows.length}.`,
        sourceUri: SYSTEMS.frequency, targetUri: SYSTEMS.v3Gts,
      }, [{ source: SYSTEMS.frequency, target: SYSTEMS.v3Gts, element: elements }]),
    },
  ];
}
