/**
 * Chinese designations for international code systems (the en→zh direction: IPS documents from
 * abroad): FHIR CodeSystem supplements (https://hl7.org/fhir/R4/codesystem.html#supplements) for
 * LOINC (sections, common labs, IPS example codes), SNOMED CT, ATC, EDQM, CVX, RxNorm and DICOM.
 *
 * Licence decisions (see README.md in this folder): LOINC displays are the LOINC names (LOINC
 * licence, notice kept, not altered); for SNOMED CT, ATC, EDQM, CVX, RxNorm and DICOM we ship only the code
 * and OUR Chinese translation, never the owner's English description.
 * Invariant: one supplement per system, concepts in manual-file order, display = our zh-CN term
 * except LOINC (display = LOINC English name).
 */
import path from 'node:path';
import { MANUAL_DIR, readTsv } from './io.js';
import { OUR_BASE, SYSTEMS, codeSystem, type Concept, type Output } from './resources.js';
import { DESIGNATION_USE } from './designation-use.js';

const LOINC_NOTICE =
  'This material contains content from LOINC (http://loinc.org). LOINC is copyright © Regenstrief Institute, Inc. and the Logical ' +
  'Observation Identifiers Names and Codes (LOINC) Committee and is available at no cost under the license at http://loinc.org/license. ' +
  'LOINC® is a registered United States trademark of Regenstrief Institute, Inc.';

const ALIASES: Record<string, { system: string; id: string; title: string; owner: string }> = {
  snomed: { system: SYSTEMS.snomed, id: 'snomed-ips-zh', title: 'SNOMED CT', owner: 'SNOMED CT identifiers © SNOMED International (identifiers only; no descriptions copied; users need their own SNOMED CT licence to use SNOMED CT)' },
  atc: { system: SYSTEMS.atc, id: 'atc-zh', title: 'WHO ATC', owner: 'ATC codes © WHO Collaborating Centre for Drug Statistics Methodology (codes cited; ATC names not copied)' },
  edqm: { system: SYSTEMS.edqm, id: 'edqm-zh', title: 'EDQM Standard Terms', owner: 'EDQM Standard Terms codes © EDQM, Council of Europe (codes cited only)' },
  cvx: { system: SYSTEMS.cvx, id: 'cvx-zh', title: 'CDC CVX', owner: 'CVX codes: CDC (US Government, public domain)' },
  rxnorm: { system: SYSTEMS.rxnorm, id: 'rxnorm-zh', title: 'RxNorm', owner: 'RxNorm identifiers: US National Library of Medicine (identifiers cited only)' },
  dicom: { system: 'http://dicom.nema.org/resources/ontology/DCM', id: 'dicom-dcm-zh', title: 'DICOM DCM', owner: 'DICOM codes © NEMA (codes cited only)' },
};

export function buildLoincSupplement(): Output {
  const rows = readTsv(path.join(MANUAL_DIR, 'loinc.tsv'), ['code', 'display_en', 'name_zh', 'group']);
  const u = DESIGNATION_USE.ourTranslation;
  const concepts: Concept[] = rows.map((r) => ({
    code: r.code!, display: r.display_en!,
    designation: [
      { language: 'zh-CN', use: { system: u.system, code: u.code }, value: r.name_zh! },
      { language: 'en', value: r.display_en! },
    ],
    property: [{ code: 'group', valueCode: r.group! }],
  }));
  const count = (g: string) => rows.filter((r) => r.group === g).length;
  return {
    file: 'CodeSystem-loinc-zh.json', compact: false,
    resource: codeSystem({
      id: 'loinc-zh', url: `${OUR_BASE}/CodeSystem/loinc-zh`, name: 'LoincChineseDesignations', title: 'LOINC: Chinese designations (supplement)',
      description: `Chinese designations written by us for ${rows.length} LOINC codes: ${count('section')} document sections (the 8 WS/T 500.53 ` +
        `discharge-summary sections and the IPS sections), ${count('lab')} common laboratory analytes, ${count('ips')} other codes from the IPS examples. ` +
        'Property group = section | lab | ips. Not the official LOINC zh-CN linguistic variant (see terminology-sources/loinc-lab/SOURCE.md).',
      copyright: `${LOINC_NOTICE} Chinese designations: EMR Gateway project. Row count: ${rows.length} (manual/loinc.tsv).`,
      content: 'supplement', supplements: SYSTEMS.loinc,
      property: [{ code: 'group', uri: `${OUR_BASE}/CodeSystem/terminology-property#group`, description: 'section | lab | ips', type: 'code' }],
    }, concepts),
  };
}

/** Supplements for the non-LOINC systems of the IPS examples, plus ATC names of our drug list. */
export function buildIpsSupplements(): Output[] {
  const rows = readTsv(path.join(MANUAL_DIR, 'ips-zh.tsv'), ['system', 'code', 'name_zh']);
  const drugs = readTsv(path.join(MANUAL_DIR, 'drugs.tsv'), ['name_zh', 'atc']);
  const bySystem = new Map<string, { code: string; zh: string; from: string }[]>();
  for (const r of rows) {
    if (!ALIASES[r.system!]) throw new TypeError(`ips-zh.tsv: unknown system alias ${r.system}`);
    const list = bySystem.get(r.system!) ?? [];
    list.push({ code: r.code!, zh: r.name_zh!, from: 'ips' });
    bySystem.set(r.system!, list);
  }
  const atc = bySystem.get('atc') ?? [];
  const seen = new Set(atc.map((a) => a.code));
  for (const d of drugs) {
    for (const code of d.atc!.split('|')) {
      if (!seen.has(code)) {
        seen.add(code);
        atc.push({ code, zh: d.name_zh!, from: 'drugs' });
      }
    }
  }
  bySystem.set('atc', atc);
  // SNOMED CT route qualifiers targeted by our route map get the route's Chinese name.
  const snomed = bySystem.get('snomed') ?? [];
  const seenSct = new Set(snomed.map((x) => x.code));
  for (const r of readTsv(path.join(MANUAL_DIR, 'routes.tsv'), ['name_zh', 'snomed'])) {
    if (r.snomed && !seenSct.has(r.snomed)) {
      seenSct.add(r.snomed);
      snomed.push({ code: r.snomed, zh: r.name_zh!, from: 'routes' });
    }
  }
  bySystem.set('snomed', snomed);
  const u = DESIGNATION_USE.ourTranslation;
  const out: Output[] = [];
  for (const [alias, meta] of Object.entries(ALIASES)) {
    const list = bySystem.get(alias) ?? [];
    const concepts: Concept[] = list.map((c) => ({
      code: c.code, display: c.zh,
      designation: [{ language: 'zh-CN', use: { system: u.system, code: u.code }, value: c.zh }],
    }));
    const fromDrugs = list.filter((c) => c.from !== 'ips').length;
    const extra = alias === 'atc' ? 'our drug list manual/drugs.tsv' : 'our route list manual/routes.tsv';
    out.push({
      file: `CodeSystem-${meta.id}.json`, compact: false,
      resource: codeSystem({
        id: meta.id, url: `${OUR_BASE}/CodeSystem/${meta.id}`, name: meta.id.replace(/(^|-)(\w)/g, (_m, _d, ch: string) => ch.toUpperCase()),
        title: `${meta.title}: Chinese designations (supplement)`,
        description: `Chinese designations written by the EMR Gateway project for ${list.length} ${meta.title} codes` +
          (fromDrugs > 0 ? ` (${list.length - fromDrugs} found in the HL7 IPS examples, ${fromDrugs} from ${extra})` : ' found in the HL7 IPS examples') +
          '. Only codes and our own translations; the code system owner\'s English text is not copied.',
        copyright: `${meta.owner}. Chinese designations: EMR Gateway project (project licence). Row count: ${list.length} (manual/ips-zh.tsv${fromDrugs ? ` + ${extra.replace(/^our \w+ list /, '')}` : ''}).`,
        content: 'supplement', supplements: meta.system, language: 'zh-CN',
      }, concepts),
    });
  }
  return out;
}
