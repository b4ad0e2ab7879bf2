/**
 * The access decision: may this recipient see this document of this patient now, under this
 * Consent? Deny by default (ARCHITECTURE.md habit 5): every check must pass for a permit.
 *
 * Checks, in order: the Consent is one of ours and readable; status active (withdrawal, PIPL
 * art. 15, takes effect at once); now within provision.period; the requester is the recipient the
 * consent names (Organization id for systems with a consent token; for a link holder of a
 * person-recipient consent the declared name must match); the patient identifier matches; the
 * document is covered (by id in provision.data or by type in provision.code) and its date lies in
 * provision.dataPeriod; a stated purpose matches; and at least one permitted section remains.
 * The permit tells what may be exported: sections, and whether resident ID / ethnicity / genomic
 * content stay in (only when the patient explicitly allowed them).
 */
import type { Coding } from '../fhir/types.js';
import { normalizeName, readConsent } from './model.js';
import type { ConsentView, IdentifierKey } from './types.js';
import type { LegalBasis, ProcessingMethod } from './vocab.js';

export interface AccessRequest {
  /** Authenticated participant id (consent-token flow). */
  recipientId?: string;
  /** Name the link holder declared (SHL manifest `recipient`). */
  recipientName?: string;
  patientIdentifier: IdentifierKey;
  document: { id: string; type?: Coding[]; date?: string; sections?: string[] };
  purpose?: { system?: string; code?: string };
}

export type DenyReason =
  | 'unreadable-consent'
  | 'not-active'
  | 'not-yet-valid'
  | 'expired'
  | 'recipient-mismatch'
  | 'patient-mismatch'
  | 'document-not-covered'
  | 'outside-date-range'
  | 'purpose-mismatch'
  | 'no-permitted-section';

export interface Permit {
  permit: true;
  consentId: string;
  /** LOINC codes of the sections that may be shown; `all` when the consent does not restrict. */
  allowedSections: string[] | 'all';
  exportResidentId: boolean;
  exportEthnicity: boolean;
  exportGenomic: boolean;
  processingMethod: ProcessingMethod;
  legalBasis: LegalBasis;
}

export type Decision = Permit | { permit: false; reason: DenyReason };

export interface DecideInput {
  consent: unknown;
  now: Date;
  request: AccessRequest;
}

function deny(reason: DenyReason): Decision {
  return { permit: false, reason };
}

function sameCoding(a: Coding, b: Coding): boolean {
  return !!a.code && a.code === b.code && (a.system ?? '') === (b.system ?? '');
}

function covered(view: ConsentView, doc: AccessRequest['document']): boolean {
  if (view.documents.includes(doc.id)) return true;
  return (doc.type ?? []).some((t) => view.documentTypes.some((c) => sameCoding(c, t)));
}

function inDataPeriod(view: ConsentView, date: string | undefined): boolean {
  if (!view.dataPeriod) return true;
  const t = date === undefined ? NaN : Date.parse(date);
  if (Number.isNaN(t)) return false; // a range was consented: an undated document is not provably inside it
  if (view.dataPeriod.start && t < Date.parse(view.dataPeriod.start)) return false;
  // a date-only end means the whole day (FHIR Period.end semantics)
  if (view.dataPeriod.end) {
    const end = view.dataPeriod.end.length === 10 ? Date.parse(view.dataPeriod.end) + 86_399_999 : Date.parse(view.dataPeriod.end);
    if (t > end) return false;
  }
  return true;
}

function recipientMatches(view: ConsentView, req: AccessRequest): boolean {
  const r = view.recipient;
  if (req.recipientId !== undefined) return r.kind === 'organization' && r.id === req.recipientId;
  if (req.recipientName !== undefined) {
    // A link holder of an organization consent holds the capability the patient handed to that
    // organization; the declared name is audited. A person consent is bound to the named person.
    return r.kind === 'organization' || normalizeName(r.name) === normalizeName(req.recipientName);
  }
  return false;
}

export function decideAccess(input: DecideInput): Decision {
  const { now, request } = input;
  let view: ConsentView;
  try {
    view = readConsent(input.consent);
  } catch {
    return deny('unreadable-consent');
  }
  if (view.status !== 'active') return deny('not-active');
  const t = now.getTime();
  if (t < Date.parse(view.period.start)) return deny('not-yet-valid');
  if (t >= Date.parse(view.period.end)) return deny('expired');
  if (!recipientMatches(view, request)) return deny('recipient-mismatch');
  const p = request.patientIdentifier;
  if (!p || p.system !== view.patient.system || p.value !== view.patient.value) return deny('patient-mismatch');
  if (!covered(view, request.document)) return deny('document-not-covered');
  if (!inDataPeriod(view, request.document.date)) return deny('outside-date-range');
  if (request.purpose && !(request.purpose.system === view.purpose.system && request.purpose.code === view.purpose.code)) {
    return deny('purpose-mismatch');
  }
  let allowedSections: string[] | 'all' = 'all';
  if (view.sections.length) {
    allowedSections = (request.document.sections ?? []).filter((s) => view.sections.includes(s));
    if (!allowedSections.length) return deny('no-permitted-section');
  }
  return {
    permit: true,
    consentId: view.id,
    allowedSections,
    exportResidentId: !view.excluded.includes('resident-id'),
    exportEthnicity: !view.excluded.includes('ethnicity'),
    exportGenomic: !view.excluded.includes('genomic'),
    processingMethod: view.processingMethod,
    legalBasis: view.legalBasis,
  };
}
