/**
 * The mutation table of issue 3 ("a table-driven test breaks each fixture in at least 20 distinct
 * ways"): each row breaks a valid Chinese discharge summary in ONE way and names the error the
 * validator must report — FHIR issue type (R4 valueset-issue-type), the FHIRPath of the broken
 * element computed from the fixture's own entry indexes (`expected` reads the UNMUTATED Bundle),
 * and the validator's stable rule id.
 *
 * Conventions of the validator (the same as HL7's Java validator, so expectations follow them):
 * a missing required element (min-cardinality, slice-min) and an unknown property are reported on
 * the PARENT element, which exists; a malformed primitive is `invalid`, a JSON-type mismatch
 * `structure`; a choice element's path is `value.ofType(Quantity)`.
 *
 * Invariants: every row is an ERROR by FHIR R4, our cn profiles (fhir-profiles/cn) or a Chinese
 * rule (../shared/DOMAIN.md); a breakage the validator does not report is a finding and is NOT in
 * this table (asserting wrong behaviour would freeze it).
 */
import {
  at, breakCheckCharacter, checkCharacter, composition, DISCHARGE_DX, entries, entryIndex, firstEntryWith, fullUrlOf,
  hasType, identifierIndex, RESIDENT_ID_SYSTEM, resourceAt, sectionIndex, type Json,
} from './locate.js';

export interface Expected {
  /** FHIR issue type. */
  code: string;
  /** Exact FHIRPath the issue must list. */
  expression: string;
  /** The validator's stable rule id (Issue.rule). */
  rule: string;
}

export interface Mutation {
  name: string;
  /** Whether the fixture has what the row breaks (not every case has a surgery or an allergy). */
  applies?(b: Json): boolean;
  /** Breaks `b` in place. */
  mutate(b: Json): void;
  /** The error expected, computed from the UNMUTATED bundle. */
  expected(b: Json): Expected;
}

const CN_BUNDLE_PROFILE = 'https://emr-gateway.example.org/fhir/StructureDefinition/cn-discharge-summary-bundle';
const NOWHERE = 'urn:uuid:00000000-0000-4000-8000-000000000000';

const idx = (type: string) => (b: Json) => entryIndex(b, type);
const res = (type: string) => (b: Json) => resourceAt(b, entryIndex(b, type));
const patientIdx = idx('Patient');
const patient = res('Patient');
const quantityObs = (b: Json) => firstEntryWith(b, 'Observation', 'valueQuantity');
const rangeObs = (b: Json) => firstEntryWith(b, 'Observation', 'referenceRange');
const ICD10_SYSTEM = 'urn:oid:2.16.156.10011.2.3.3.11';
/** Index of the ICD-10 coding of the first Condition. */
function icd10Coding(b: Json): number {
  const i = ((res('Condition')(b).code?.coding ?? []) as Json[]).findIndex((c) => c.system === ICD10_SYSTEM);
  if (i < 0) throw new TypeError('first Condition has no ICD-10 coding');
  return i;
}
/** A section every fixture has that is not the required 出院诊断 one: 入院诊断 (LOINC 46241-6). */
const ADMISSION_DX = '46241-6';

/**
 * Where the Patient's resident ID is (or would be appended: the passport patient has none) and a
 * valid number for it — for the passport patient one that agrees with birthDate and gender, so
 * only the broken character is wrong.
 */
function residentId(b: Json): { index: number; valid: string } {
  const p = patient(b);
  const i = identifierIndex(p, RESIDENT_ID_SYSTEM);
  if (i >= 0) return { index: i, valid: p.identifier[i].value as string };
  const first17 = `310101${(p.birthDate as string).replaceAll('-', '')}${p.gender === 'female' ? '002' : '001'}`;
  return { index: (p.identifier ?? []).length, valid: first17 + checkCharacter(first17) };
}
function setResidentId(b: Json, value: string): void {
  const p = patient(b);
  const { index } = residentId(b);
  if (p.identifier[index]) p.identifier[index].value = value;
  else p.identifier.push({ use: 'official', type: { text: '居民身份证' }, system: RESIDENT_ID_SYSTEM, value });
}
const residentIdPath = (b: Json) => at(patientIdx(b), `.identifier[${residentId(b).index}].value`);

/** Missing required element `type.element` → min-cardinality on the resource (the parent). */
function removed(type: string, element: string): Mutation {
  return {
    name: `${type}.${element} removed`,
    applies: (b) => hasType(b, type),
    mutate: (b) => { delete res(type)(b)[element]; },
    expected: (b) => ({ code: 'structure', expression: at(idx(type)(b)), rule: 'min-cardinality' }),
  };
}

export const mutations: Mutation[] = [
  // --- Bundle and document shape (R4 documents.html, bdl-* invariants) ---
  {
    name: 'Bundle.type is collection, not document',
    mutate: (b) => { b.type = 'collection'; },
    expected: () => ({ code: 'invalid', expression: 'Bundle.type', rule: 'document-type' }),
  },
  {
    name: 'Bundle.identifier removed (bdl-9)',
    mutate: (b) => { delete b.identifier; },
    expected: () => ({ code: 'invariant', expression: 'Bundle', rule: 'bdl-9' }),
  },
  {
    name: 'Bundle.timestamp malformed (month 13)',
    mutate: (b) => { b.timestamp = '2024-13-45T25:00:00+08:00'; },
    expected: () => ({ code: 'invalid', expression: 'Bundle.timestamp', rule: 'primitive-instant' }),
  },
  {
    name: 'Bundle.timestamp without seconds (instant needs them)',
    mutate: (b) => { b.timestamp = (b.timestamp as string).slice(0, 16) + '+08:00'; },
    expected: () => ({ code: 'invalid', expression: 'Bundle.timestamp', rule: 'primitive-instant' }),
  },
  {
    name: 'first entry is not the Composition',
    mutate: (b) => { const e = entries(b); [e[0], e[1]] = [e[1]!, e[0]!]; },
    expected: () => ({ code: 'invalid', expression: 'Bundle.entry[0]', rule: 'document-composition' }),
  },
  {
    name: 'two entries share a fullUrl (bdl-7)',
    mutate: (b) => { entries(b)[entryIndex(b, 'Practitioner')]!.fullUrl = fullUrlOf(b, entryIndex(b, 'Organization')); },
    expected: () => ({ code: 'invariant', expression: 'Bundle', rule: 'bdl-7' }),
  },
  {
    name: 'an entry without fullUrl',
    mutate: (b) => { delete entries(b)[entryIndex(b, 'Organization')]!.fullUrl; },
    expected: (b) => ({ code: 'required', expression: `Bundle.entry[${entryIndex(b, 'Organization')}]`, rule: 'document-fullurl' }),
  },
  {
    name: 'an entry without resource (bdl-5)',
    mutate: (b) => { delete entries(b)[entryIndex(b, 'Organization')]!.resource; },
    expected: (b) => ({ code: 'invariant', expression: `Bundle.entry[${entryIndex(b, 'Organization')}]`, rule: 'bdl-5' }),
  },
  {
    name: 'Bundle.total in a document (bdl-1)',
    mutate: (b) => { b.total = entries(b).length; },
    expected: () => ({ code: 'invariant', expression: 'Bundle', rule: 'bdl-1' }),
  },
  {
    name: 'entry.request in a document (bdl-3)',
    mutate: (b) => { entries(b)[1]!.request = { method: 'POST', url: 'Organization' }; },
    expected: () => ({ code: 'invariant', expression: 'Bundle', rule: 'bdl-3' }),
  },
  {
    name: 'an entry with an unknown resourceType',
    mutate: (b) => { res('Organization')(b).resourceType = 'Organisation'; },
    expected: (b) => ({ code: 'structure', expression: `Bundle.entry[${entryIndex(b, 'Organization')}].resource`, rule: 'resource-type' }),
  },
  // --- Composition (cn-discharge-summary-composition) ---
  {
    // Without meta.profile a Composition of another type is simply not a discharge summary
    // (DOMAIN.md "What hospitals send"); one that CLAIMS our profile must carry C0053 / 18842-5.
    name: 'Composition.type without C0053 / 18842-5 under a declared cn profile (cn-comp-1)',
    mutate: (b) => {
      b.meta = { profile: [CN_BUNDLE_PROFILE] };
      composition(b).type = { coding: [{ system: 'http://loinc.org', code: '34133-9', display: 'Summary of episode note' }], text: '病历摘要' };
    },
    expected: () => ({ code: 'invariant', expression: at(0), rule: 'cn-comp-1' }),
  },
  {
    name: 'Composition.subject removed',
    mutate: (b) => { delete composition(b).subject; },
    expected: () => ({ code: 'structure', expression: at(0), rule: 'min-cardinality' }),
  },
  removed('Composition', 'title'),
  {
    name: 'a section without text',
    mutate: (b) => { delete composition(b).section[sectionIndex(b, ADMISSION_DX)].text; },
    expected: (b) => ({ code: 'structure', expression: at(0, `.section[${sectionIndex(b, ADMISSION_DX)}]`), rule: 'min-cardinality' }),
  },
  {
    name: 'required 出院诊断 section removed',
    mutate: (b) => { composition(b).section.splice(sectionIndex(b, DISCHARGE_DX), 1); },
    expected: () => ({ code: 'structure', expression: at(0), rule: 'slice-min' }),
  },
  {
    name: 'Composition.subject as an array of two (max 1)',
    mutate: (b) => { const s = composition(b).subject; composition(b).subject = [s, { ...s }]; },
    expected: () => ({ code: 'structure', expression: at(0, '.subject'), rule: 'json-shape' }),
  },
  {
    name: 'Composition.subject refers to a Practitioner (target must be cn-patient)',
    mutate: (b) => { composition(b).subject = { reference: fullUrlOf(b, entryIndex(b, 'Practitioner')) }; },
    expected: () => ({ code: 'structure', expression: at(0, '.subject'), rule: 'reference-target' }),
  },
  {
    name: 'Composition.encounter refers to the Patient',
    mutate: (b) => { composition(b).encounter = { reference: fullUrlOf(b, patientIdx(b)) }; },
    expected: () => ({ code: 'structure', expression: at(0, '.encounter'), rule: 'reference-target' }),
  },
  {
    name: 'Composition.status not in CompositionStatus',
    mutate: (b) => { composition(b).status = 'signed'; },
    expected: () => ({ code: 'code-invalid', expression: at(0, '.status'), rule: 'binding-required' }),
  },
  {
    name: 'Composition.confidentiality not in the v3 value set',
    mutate: (b) => { composition(b).confidentiality = 'X'; },
    expected: () => ({ code: 'code-invalid', expression: at(0, '.confidentiality'), rule: 'binding-required' }),
  },
  {
    name: 'Composition.attester.mode not in CompositionAttestationMode',
    mutate: (b) => { composition(b).attester[0].mode = 'signer'; },
    expected: () => ({ code: 'code-invalid', expression: at(0, '.attester[0].mode'), rule: 'binding-required' }),
  },
  {
    name: 'Composition.date with a time but no time zone',
    mutate: (b) => { composition(b).date = (composition(b).date as string).slice(0, 19); },
    expected: () => ({ code: 'invalid', expression: at(0, '.date'), rule: 'primitive-dateTime' }),
  },
  {
    name: 'Composition.text.div is not an XHTML div',
    mutate: (b) => { composition(b).text.div = '出院小结'; },
    expected: () => ({ code: 'invalid', expression: at(0, '.text.div'), rule: 'primitive-xhtml' }),
  },
  {
    name: 'Composition.title is an empty string',
    mutate: (b) => { composition(b).title = ''; },
    expected: () => ({ code: 'invalid', expression: at(0, '.title'), rule: 'primitive-string' }),
  },
  {
    name: 'a section entry points nowhere in the Bundle',
    mutate: (b) => { composition(b).section[sectionIndex(b, DISCHARGE_DX)].entry[0] = { reference: NOWHERE }; },
    expected: (b) => ({ code: 'invalid', expression: at(0, `.section[${sectionIndex(b, DISCHARGE_DX)}].entry[0]`), rule: 'reference-unresolved' }),
  },
  // --- Patient (cn-patient) and the Chinese identifier rules ---
  {
    name: 'Patient.gender not in AdministrativeGender',
    mutate: (b) => { patient(b).gender = 'man'; },
    expected: (b) => ({ code: 'code-invalid', expression: at(patientIdx(b), '.gender'), rule: 'binding-required' }),
  },
  {
    name: 'Patient.gender is JSON null',
    mutate: (b) => { patient(b).gender = null; },
    expected: (b) => ({ code: 'invalid', expression: at(patientIdx(b), '.gender'), rule: 'json-null' }),
  },
  {
    name: 'Patient.birthDate impossible (2024-02-30)',
    mutate: (b) => { patient(b).birthDate = '2024-02-30'; },
    expected: (b) => ({ code: 'invalid', expression: at(patientIdx(b), '.birthDate'), rule: 'primitive-date' }),
  },
  {
    name: 'resident ID check character wrong',
    mutate: (b) => setResidentId(b, breakCheckCharacter(residentId(b).valid)),
    expected: (b) => ({ code: 'value', expression: residentIdPath(b), rule: 'cn-resident-id-checksum' }),
  },
  {
    name: 'resident ID birth date part impossible (month 13)',
    mutate: (b) => { const v = residentId(b).valid; const first17 = v.slice(0, 10) + '13' + v.slice(12, 17); setResidentId(b, first17 + checkCharacter(first17)); },
    expected: (b) => ({ code: 'value', expression: residentIdPath(b), rule: 'cn-resident-id-birth-date' }),
  },
  {
    name: 'resident ID one character short',
    mutate: (b) => setResidentId(b, residentId(b).valid.slice(0, 17)),
    expected: (b) => ({ code: 'value', expression: residentIdPath(b), rule: 'cn-resident-id-format' }),
  },
  {
    name: 'Patient.identifier[0].value removed',
    mutate: (b) => { delete patient(b).identifier[0].value; },
    expected: (b) => ({ code: 'structure', expression: at(patientIdx(b), '.identifier[0]'), rule: 'min-cardinality' }),
  },
  {
    name: 'unknown element on Patient',
    mutate: (b) => { patient(b).favouriteColour = 'red'; },
    expected: (b) => ({ code: 'structure', expression: at(patientIdx(b)), rule: 'unknown-element' }),
  },
  {
    name: 'boolean primitive sent as a string (Patient.active)',
    mutate: (b) => { patient(b).active = 'true'; },
    expected: (b) => ({ code: 'structure', expression: at(patientIdx(b), '.active'), rule: 'primitive-boolean' }),
  },
  {
    name: 'Patient.name.family (max 1) as an array',
    mutate: (b) => { const n = patient(b).name[0]; n.family = [n.family]; },
    expected: (b) => ({ code: 'structure', expression: at(patientIdx(b), '.name[0].family'), rule: 'json-shape' }),
  },
  {
    name: 'Patient.telecom.system not in ContactPointSystem',
    mutate: (b) => { patient(b).telecom[0].system = 'mobile'; },
    expected: (b) => ({ code: 'code-invalid', expression: at(patientIdx(b), '.telecom[0].system'), rule: 'binding-required' }),
  },
  {
    name: 'Patient extension with neither value nor extensions (ext-1)',
    mutate: (b) => { const e = patient(b).extension[0]; for (const k of Object.keys(e)) if (k.startsWith('value')) delete e[k]; },
    expected: (b) => ({ code: 'invariant', expression: at(patientIdx(b), '.extension[0]'), rule: 'ext-1' }),
  },
  {
    name: 'Organization.id with characters an id cannot hold',
    mutate: (b) => { res('Organization')(b).id = 'bad id!'; },
    expected: (b) => ({ code: 'invalid', expression: at(entryIndex(b, 'Organization'), '.id'), rule: 'primitive-id' }),
  },
  // --- Clinical resources ---
  removed('Condition', 'code'),
  {
    name: 'Condition.subject points nowhere in the Bundle',
    mutate: (b) => { res('Condition')(b).subject = { reference: NOWHERE }; },
    expected: (b) => ({ code: 'invalid', expression: at(entryIndex(b, 'Condition'), '.subject'), rule: 'reference-unresolved' }),
  },
  {
    name: 'Condition.subject refers to an Organization',
    mutate: (b) => { res('Condition')(b).subject = { reference: fullUrlOf(b, entryIndex(b, 'Organization')) }; },
    expected: (b) => ({ code: 'structure', expression: at(entryIndex(b, 'Condition'), '.subject'), rule: 'reference-target' }),
  },
  {
    name: 'Condition.clinicalStatus code not in condition-clinical',
    mutate: (b) => { res('Condition')(b).clinicalStatus = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'cured' }] }; },
    expected: (b) => ({ code: 'code-invalid', expression: at(entryIndex(b, 'Condition'), '.clinicalStatus'), rule: 'binding-required' }),
  },
  {
    name: 'Condition.recordedDate with slashes',
    mutate: (b) => { res('Condition')(b).recordedDate = '2024/10/08'; },
    expected: (b) => ({ code: 'invalid', expression: at(entryIndex(b, 'Condition'), '.recordedDate'), rule: 'primitive-dateTime' }),
  },
  {
    name: 'Observation.valueQuantity.value is a string',
    mutate: (b) => { const q = resourceAt(b, quantityObs(b)).valueQuantity; q.value = String(q.value); },
    expected: (b) => ({ code: 'structure', expression: at(quantityObs(b), '.value.ofType(Quantity).value'), rule: 'primitive-decimal' }),
  },
  {
    name: 'Observation.valueQuantity.comparator not in QuantityComparator',
    mutate: (b) => { resourceAt(b, quantityObs(b)).valueQuantity.comparator = '~'; },
    expected: (b) => ({ code: 'code-invalid', expression: at(quantityObs(b), '.value.ofType(Quantity).comparator'), rule: 'binding-required' }),
  },
  {
    name: 'Observation.referenceRange with neither low, high nor text (obs-3)',
    mutate: (b) => { resourceAt(b, rangeObs(b)).referenceRange = [{ appliesTo: [{ text: '成人' }] }]; },
    expected: (b) => ({ code: 'invariant', expression: at(rangeObs(b), '.referenceRange[0]'), rule: 'obs-3' }),
  },
  {
    name: 'Observation.subject refers to a Practitioner',
    mutate: (b) => { res('Observation')(b).subject = { reference: fullUrlOf(b, entryIndex(b, 'Practitioner')) }; },
    expected: (b) => ({ code: 'structure', expression: at(entryIndex(b, 'Observation'), '.subject'), rule: 'reference-target' }),
  },
  removed('Observation', 'status'),
  removed('Observation', 'code'),
  {
    name: 'MedicationRequest.intent not in the required value set',
    mutate: (b) => { res('MedicationRequest')(b).intent = 'wish'; },
    expected: (b) => ({ code: 'code-invalid', expression: at(entryIndex(b, 'MedicationRequest'), '.intent'), rule: 'binding-required' }),
  },
  {
    name: 'MedicationRequest timing periodUnit not in UnitsOfTime',
    mutate: (b) => { res('MedicationRequest')(b).dosageInstruction[0].timing.repeat.periodUnit = 'day'; },
    expected: (b) => ({ code: 'code-invalid', expression: at(entryIndex(b, 'MedicationRequest'), '.dosageInstruction[0].timing.repeat.periodUnit'), rule: 'binding-required' }),
  },
  removed('MedicationRequest', 'subject'),
  {
    name: 'MedicationStatement.status not in the required value set',
    mutate: (b) => { res('MedicationStatement')(b).status = 'taking'; },
    expected: (b) => ({ code: 'code-invalid', expression: at(entryIndex(b, 'MedicationStatement'), '.status'), rule: 'binding-required' }),
  },
  removed('MedicationStatement', 'subject'),
  removed('AllergyIntolerance', 'patient'),
  removed('Procedure', 'status'),
  removed('Encounter', 'status'),
  removed('Encounter', 'class'),
  {
    name: 'Observation with both a value and a dataAbsentReason (obs-6)',
    mutate: (b) => { resourceAt(b, quantityObs(b)).dataAbsentReason = { text: '标本溶血' }; },
    expected: (b) => ({ code: 'invariant', expression: at(quantityObs(b)), rule: 'obs-6' }),
  },
  {
    name: 'Observation.valueQuantity.code without system (qty-3)',
    mutate: (b) => { delete resourceAt(b, quantityObs(b)).valueQuantity.system; },
    expected: (b) => ({ code: 'invariant', expression: at(quantityObs(b), '.value.ofType(Quantity)'), rule: 'qty-3' }),
  },
  {
    name: 'Condition abated but clinicalStatus active (con-4)',
    mutate: (b) => {
      const c = res('Condition')(b);
      c.clinicalStatus = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] };
      c.abatementDateTime = composition(b).date;
    },
    expected: (b) => ({ code: 'invariant', expression: at(entryIndex(b, 'Condition')), rule: 'con-4' }),
  },
  {
    name: 'Condition ICD-10 code not in the Chinese ICD-10 code system',
    mutate: (b) => { res('Condition')(b).code.coding[icd10Coding(b)].code = 'ZZZ.999'; },
    expected: (b) => ({ code: 'code-invalid', expression: at(entryIndex(b, 'Condition'), `.code.coding[${icd10Coding(b)}].code`), rule: 'code-unknown' }),
  },
  {
    name: 'Coding.system a local name, not an absolute URI',
    mutate: (b) => { res('Condition')(b).code.coding[0].system = 'icd10'; },
    expected: (b) => ({ code: 'invalid', expression: at(entryIndex(b, 'Condition'), '.code.coding[0].system'), rule: 'coding-system-local' }),
  },
  {
    name: 'Identifier.system an impossible OID',
    mutate: (b) => { patient(b).identifier[0].system = 'urn:oid:2.16.abc'; },
    expected: (b) => ({ code: 'invalid', expression: at(patientIdx(b), '.identifier[0].system'), rule: 'primitive-uri' }),
  },
  {
    name: 'a relative reference to a resource not in the Bundle',
    mutate: (b) => { res('MedicationRequest')(b).subject = { reference: 'Patient/not-in-this-bundle' }; },
    expected: (b) => ({ code: 'invalid', expression: at(entryIndex(b, 'MedicationRequest'), '.subject'), rule: 'reference-unresolved' }),
  },
  {
    name: '出院诊断 section entry refers to an Organization',
    mutate: (b) => { composition(b).section[sectionIndex(b, DISCHARGE_DX)].entry[0] = { reference: fullUrlOf(b, entryIndex(b, 'Organization')) }; },
    expected: (b) => ({ code: 'structure', expression: at(0, `.section[${sectionIndex(b, DISCHARGE_DX)}].entry[0]`), rule: 'reference-target' }),
  },
  {
    name: 'a second Patient in the Bundle (cn profile: one patient)',
    mutate: (b) => { const p = structuredClone(patient(b)); p.id = 'second'; entries(b).push({ fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: p }); },
    expected: () => ({ code: 'structure', expression: 'Bundle', rule: 'slice-max' }),
  },
  {
    name: 'a contained resource nothing refers to (dom-3)',
    mutate: (b) => { patient(b).contained = [{ resourceType: 'Organization', id: 'o1', name: '某医院' }]; },
    expected: (b) => ({ code: 'invariant', expression: at(patientIdx(b), '.contained[0]'), rule: 'dom-3' }),
  },
  {
    name: 'a section narrative with a <script> (txt-1)',
    mutate: (b) => { composition(b).section[0].text.div = '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>'; },
    expected: () => ({ code: 'invariant', expression: at(0, '.section[0].text.div'), rule: 'txt-1' }),
  },
  {
    name: 'a known extension with a value of the wrong type (patient-birthPlace as string)',
    mutate: (b) => { (patient(b).extension ??= []).push({ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueString: '上海' }); },
    expected: (b) => ({ code: 'structure', expression: at(patientIdx(b), `.extension[${(patient(b).extension ?? []).length}].value.ofType(string)`), rule: 'type-not-allowed' }),
  },
  {
    name: 'Encounter.period ends before it starts (per-1)',
    mutate: (b) => { const e = res('Encounter')(b); e.period = { start: e.period.end, end: e.period.start }; },
    expected: (b) => ({ code: 'invariant', expression: at(entryIndex(b, 'Encounter'), '.period'), rule: 'per-1' }),
  },
];
