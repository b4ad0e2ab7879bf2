/**
 * What a consent decision needs to know about a stored document (its type, clinical date and
 * section codes), and how a permit is applied to the Bundle before it leaves: sections outside
 * the consent are removed together with the entries only they referenced, and the sensitive
 * categories the patient did not explicitly allow are stripped (PIPL art. 28/39, DOMAIN.md "Law":
 * resident ID number, ethnicity, genomic data).
 *
 * Invariants: pure (the stored document is never mutated; a structured clone is edited); header
 * resources (Composition, Patient, Organization, Practitioner(Role), Encounter) stay; a clinical
 * entry survives only when a kept section references it — deny by default for anything the
 * Composition does not place in a permitted section.
 */
import type { Bundle, Coding, Resource } from '../fhir/types.js';
import type { AccessRequest, Permit } from '../consent/index.js';
import type { IdentifierKey, StoredDocument } from '../store/ports.js';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- FHIR JSON walked defensively

/** Resident ID card number (urn:oid:2.16.156.10011.1.3): never exported without explicit consent. */
export const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
/** GB 3304 ethnicity code system; extensions carrying it are stripped unless allowed. */
export const ETHNICITY_SYSTEM = 'urn:oid:2.16.156.10011.2.3.3.3';
const HEADER_TYPES = new Set(['Composition', 'Patient', 'Organization', 'Practitioner', 'PractitionerRole', 'Encounter', 'Provenance']);
const GENETICS = /genetic|genomic|基因/i;

function composition(bundle: Bundle): Loose | undefined {
  const first = (bundle.entry as Loose[] | undefined)?.[0]?.resource;
  return first?.resourceType === 'Composition' ? first : undefined;
}

function sectionCode(s: Loose): string | undefined {
  const c = (s?.code?.coding as Coding[] | undefined)?.find((x) => x.system === 'http://loinc.org') ?? s?.code?.coding?.[0];
  return typeof c?.code === 'string' ? c.code : undefined;
}

/** Document facts for decideAccess: id, Composition.type codings, clinical date, section codes. */
export function documentFacts(doc: StoredDocument): AccessRequest['document'] {
  const comp = composition(doc.resource);
  const type = Array.isArray(comp?.type?.coding) ? (comp!.type.coding as Coding[]) : [];
  const date = typeof comp?.date === 'string' ? comp.date : typeof doc.resource.timestamp === 'string' ? (doc.resource.timestamp as string) : undefined;
  const sections = ((comp?.section ?? []) as Loose[]).map(sectionCode).filter((c): c is string => !!c);
  return { id: doc.id, type, ...(date ? { date } : {}), sections };
}

/** The consent's patient when the document is about them, else the document's own (→ patient-mismatch). */
export function patientForDecision(doc: StoredDocument, patient: IdentifierKey): IdentifierKey {
  const hit = doc.patientIdentifiers.find((p) => p.system === patient.system && p.value === patient.value);
  return hit ?? doc.patientIdentifiers[0] ?? { system: '', value: '' };
}

function refsIn(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) v.forEach((x) => refsIn(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'reference' && typeof x === 'string') out.add(x);
      else refsIn(x, out);
    }
  }
}

function stripSensitive(r: Loose, permit: Permit): void {
  if (r.resourceType !== 'Patient') return;
  if (!permit.exportResidentId && Array.isArray(r.identifier)) {
    r.identifier = r.identifier.filter((i: Loose) => i?.system !== RESIDENT_ID_SYSTEM);
  }
  if (!permit.exportEthnicity && Array.isArray(r.extension)) {
    r.extension = r.extension.filter((e: Loose) => !JSON.stringify(e).includes(ETHNICITY_SYSTEM) && !/ethnic/i.test(String(e?.url)));
  }
}

/** Applies a permit: keeps permitted sections and what they reference, strips sensitive data. */
export function applyPermit(stored: Bundle, permit: Permit): Bundle {
  const bundle = structuredClone(stored) as Bundle;
  const entries = (bundle.entry ?? []) as Loose[];
  const comp = composition(bundle);
  if (comp && Array.isArray(comp.section)) {
    comp.section = (comp.section as Loose[]).filter((s) => {
      const code = sectionCode(s);
      if (!permit.exportGenomic && GENETICS.test(JSON.stringify(s.code ?? {}) + String(s.title ?? ''))) return false;
      return permit.allowedSections === 'all' || (code !== undefined && permit.allowedSections.includes(code));
    });
  }
  const kept = new Set<string>();
  if (comp) refsIn(comp.section ?? [], kept);
  bundle.entry = entries.filter((e) => {
    const r = e.resource as Resource | undefined;
    if (!r) return false;
    if (HEADER_TYPES.has(r.resourceType)) return true;
    return kept.has(String(e.fullUrl)) || kept.has(`${r.resourceType}/${r.id}`);
  }) as Bundle['entry'];
  for (const e of (bundle.entry ?? []) as Loose[]) stripSensitive(e.resource, permit);
  return bundle;
}
