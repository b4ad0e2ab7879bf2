/**
 * Builders for the FHIR R4 CodeSystem / ConceptMap resources the terminology tool emits.
 *
 * Invariants (task item 7): every resource is `status: active`, carries a fixed `version` and
 * `date` (no clock: output must be reproducible byte for byte), a `publisher`, and a `copyright`
 * naming source, licence and row count; CodeSystem `content` says honestly whether the list is
 * complete, a fragment or a supplement. Canonical URLs follow the project's agreed list.
 * FHIR R4: https://hl7.org/fhir/R4/codesystem.html, https://hl7.org/fhir/R4/conceptmap.html
 */

export const OUR_BASE = 'https://emr-gateway.example.org/fhir';
/** Bump together with any change of sources or rules; never computed from the clock. */
export const TERMINOLOGY_VERSION = '0.1.0';
export const TERMINOLOGY_DATE = '2026-07-01';
export const PUBLISHER = 'EMR Gateway project';

export const SYSTEMS = {
  icd10cn: 'urn:oid:2.16.156.10011.2.3.3.11',
  icd9cm3cn: 'urn:oid:2.16.156.10011.2.3.3.12',
  tcm: 'urn:oid:2.16.156.10011.2.3.3.14',
  sex: 'urn:oid:2.16.156.10011.2.3.3.4',
  marital: 'urn:oid:2.16.156.10011.2.3.3.5',
  ethnicity: 'urn:oid:2.16.156.10011.2.3.3.3',
  country: 'urn:oid:2.16.156.10011.2.3.3.1',
  icd10who: 'http://hl7.org/fhir/sid/icd-10',
  icd9cm: 'http://hl7.org/fhir/sid/icd-9-cm',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  atc: 'http://www.whocc.no/atc',
  iso3166: 'urn:iso:std:iso:3166',
  adminGender: 'http://hl7.org/fhir/administrative-gender',
  v3Marital: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  v3NullFlavor: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor',
  v3Gts: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation',
  edqm: 'http://standardterms.edqm.eu',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  drugName: `${OUR_BASE}/CodeSystem/cn-drug-name`,
  route: `${OUR_BASE}/CodeSystem/route-cn`,
  frequency: `${OUR_BASE}/CodeSystem/frequency-cn`,
  province: `${OUR_BASE}/CodeSystem/gbt2260-province`,
} as const;

/** Every system a generated ConceptMap may point to (checked by the tests). */
export const KNOWN_TARGET_SYSTEMS: readonly string[] = Object.values(SYSTEMS);

export interface Designation {
  language: string;
  use?: { system: string; code: string; display?: string };
  value: string;
}
export interface ConceptProperty {
  code: string;
  valueCode?: string;
  valueString?: string;
  valueBoolean?: boolean;
}
export interface Concept {
  code: string;
  display?: string;
  definition?: string;
  designation?: Designation[];
  property?: ConceptProperty[];
}
export interface CodeSystem {
  resourceType: 'CodeSystem';
  [key: string]: unknown;
  concept: Concept[];
}
export interface MapTarget {
  code?: string;
  display?: string;
  equivalence: string;
  comment?: string;
}
export interface MapElement {
  code: string;
  display?: string;
  target: MapTarget[];
}
export interface MapGroup {
  source: string;
  sourceVersion?: string;
  target: string;
  element: MapElement[];
}
export interface ConceptMap {
  resourceType: 'ConceptMap';
  [key: string]: unknown;
  group: MapGroup[];
}

/** A generated file: name under fhir-profiles/terminology/, content, and whether to write compact. */
export interface Output {
  file: string;
  resource: CodeSystem | ConceptMap;
  compact: boolean;
}

export function zh(value: string): Designation {
  return { language: 'zh-CN', value };
}
export function en(value: string): Designation {
  return { language: 'en', value };
}

/** Designations in fixed order zh-CN then en, skipping empty values. */
export function designations(zhValue?: string, enValue?: string): Designation[] | undefined {
  const out: Designation[] = [];
  if (zhValue) out.push(zh(zhValue));
  if (enValue) out.push(en(enValue));
  return out.length > 0 ? out : undefined;
}

export function concept(code: string, display: string, zhValue?: string, enValue?: string, property?: ConceptProperty[]): Concept {
  const c: Concept = { code, display };
  const d = designations(zhValue, enValue);
  if (d) c.designation = d;
  if (property && property.length > 0) c.property = property;
  return c;
}

interface Meta {
  id: string;
  url: string;
  name: string;
  title: string;
  description: string;
  copyright: string;
  version?: string;
}

function common(meta: Meta): Record<string, unknown> {
  return {
    id: meta.id,
    url: meta.url,
    version: meta.version ?? TERMINOLOGY_VERSION,
    name: meta.name,
    title: meta.title,
    status: 'active',
    experimental: false,
    date: TERMINOLOGY_DATE,
    publisher: PUBLISHER,
    description: meta.description,
    copyright: meta.copyright,
  };
}

export function codeSystem(
  meta: Meta & {
    content: 'complete' | 'fragment' | 'supplement';
    supplements?: string;
    language?: string;
    caseSensitive?: boolean;
    hierarchyMeaning?: string;
    property?: { code: string; uri?: string; description: string; type: string }[];
  },
  concepts: Concept[],
): CodeSystem {
  // Key order is part of the byte-stable output: metadata first, concepts last.
  const cs: Record<string, unknown> = { resourceType: 'CodeSystem', ...common(meta) };
  if (meta.language) cs.language = meta.language;
  cs.caseSensitive = meta.caseSensitive ?? true;
  cs.content = meta.content;
  if (meta.supplements) cs.supplements = meta.supplements;
  cs.count = concepts.length;
  if (meta.property) cs.property = meta.property;
  cs.concept = concepts;
  return cs as CodeSystem;
}

export function conceptMap(meta: Meta & { sourceUri: string; targetUri: string }, groups: MapGroup[]): ConceptMap {
  return {
    resourceType: 'ConceptMap',
    ...common(meta),
    sourceUri: meta.sourceUri,
    targetUri: meta.targetUri,
    group: groups,
  };
}

/** Canonical key order of a map target (code, display, equivalence, comment, product). */
export function orderTarget(t: MapTarget & { product?: unknown[] }): MapTarget {
  const o: Record<string, unknown> = {};
  for (const k of ['code', 'display', 'equivalence', 'comment', 'product'] as const) if (t[k] !== undefined) o[k] = t[k];
  return o as unknown as MapTarget;
}

/** Concept-level property marking traditional (TCM) medicine, declared by the TCM CodeSystem. */
export const TRADITIONAL_MEDICINE_PROPERTY = {
  code: 'traditional-medicine',
  uri: `${OUR_BASE}/CodeSystem/terminology-property#traditional-medicine`,
  description: 'true when the concept belongs to traditional Chinese medicine (no WHO ICD-10 equivalent)',
  type: 'boolean',
};
