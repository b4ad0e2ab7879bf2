/**
 * The gateway's cross-border Consent as FHIR R4 `Consent` (scope patient-privacy): building it
 * from a validated grant, reading it back into a ConsentView, withdrawing it, and the key that
 * makes it "one per patient × recipient × purpose".
 *
 * Invariants: every element PIPL art. 39 asks for is in the resource (recipient name in
 * provision.actor, contact/method/notice/rights/channel/legal basis as our extensions, purpose in
 * provision.purpose, categories in provision.data/code/dataPeriod + sections extension, validity in
 * provision.period); sensitive categories not explicitly allowed are listed in a nested `deny`
 * provision by security label; withdrawal (art. 15) yields status `inactive` at once. readConsent
 * refuses a Consent it cannot fully read (a TypeError: stored data is ours) so decisions never
 * run on half-understood consents. Pure: id and clock are passed in.
 */
import type { Coding, Extension, Resource } from '../fhir/types.js';
import { isObject } from '../fhir/types.js';
import { deepFreeze } from '../fhir/freeze.js';
import { noticeText, rightsText } from './notice.js';
import type { ConsentView, GrantRequest, IdentifierKey, Recipient } from './types.js';
import {
  CHANNELS, CONSENT_ACTION, CONSENT_PROFILE, CONSENT_SCOPE, CS_CHANNEL, CS_LEGAL_BASIS, CS_PROCESSING_METHOD,
  CS_SENSITIVE, EXT, LEGAL_BASES, LOINC, LOINC_PATIENT_CONSENT, NOTICE_LANGUAGES, PIPL_CATEGORY, POLICY_AUTHORITY,
  POLICY_PIPL_13_4, POLICY_PIPL_39, PROCESSING_METHODS, SENSITIVE_CATEGORIES, V3_ACT_CODE, V3_PARTICIPATION,
  type ConsentChannel, type LegalBasis, type SensitiveCategory,
} from './vocab.js';

export { parseGrantParameters } from './grant-params.js';

export interface Consent extends Resource {
  resourceType: 'Consent';
  status: string;
  [k: string]: unknown;
}

export interface BuildConsentContext {
  id: string;
  now: Date;
  /** The exporting hospital (participant id + name): Consent.organization. */
  hospital: { id: string; name: string };
  /** Optional literal Patient reference; the identifier is always carried. */
  patientRef?: string;
  /** Through which channel the separate consent was given. */
  channel: ConsentChannel;
  /** Defaults to `consent`; `emergency` only for art. 13(4) declarations. */
  legalBasis?: LegalBasis;
  /** Reason given for an emergency declaration. */
  emergencyReason?: string;
}

/** "One per patient × recipient × purpose": the logical key a new grant supersedes. */
export function consentKey(patient: IdentifierKey, recipient: Recipient, purpose: { system?: string; code?: string }): string {
  const who = recipient.kind === 'organization' ? `org:${recipient.id}` : `person:${normalizeName(recipient.name)}`;
  return [patient.system, patient.value, who, `${purpose.system}|${purpose.code}`].join('\u001f');
}

/** Name comparison used for person recipients: NFKC, case-folded, single spaces. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function sensitiveLabels(excluded: readonly SensitiveCategory[]): Coding[] {
  const out: Coding[] = [];
  for (const c of excluded) {
    if (c === 'genomic') out.push({ system: V3_ACT_CODE, code: 'GDIS', display: 'genetic disease information sensitivity' });
    out.push({ system: CS_SENSITIVE, code: c });
  }
  return out;
}

function recipientReference(r: Recipient): Record<string, unknown> {
  return r.kind === 'organization' ? { reference: `Organization/${r.id}`, display: r.name } : { display: r.name };
}

/** Builds the FHIR R4 Consent for a grant (status active). */
export function buildConsent(grant: GrantRequest, ctx: BuildConsentContext): Consent {
  if (!ctx?.id || !(ctx.now instanceof Date) || !ctx.hospital?.id) throw new TypeError('buildConsent needs id, now and hospital');
  const now = ctx.now.toISOString();
  const legalBasis = ctx.legalBasis ?? 'consent';
  const excluded = SENSITIVE_CATEGORIES.filter((c) => !grant.allowSensitive.includes(c));
  const noticeCtx = { hospitalName: ctx.hospital.name };
  const contact = grant.recipient.contact;
  const extension: Extension[] = [
    {
      url: EXT.recipientContact,
      valueContactDetail: {
        name: contact.text,
        telecom: [
          ...(contact.email ? [{ system: 'email', value: contact.email }] : []),
          ...(contact.phone ? [{ system: 'phone', value: contact.phone }] : []),
          ...(!contact.email && !contact.phone ? [{ system: 'other', value: contact.text }] : []),
        ],
      },
    },
    { url: EXT.processingMethod, valueCoding: { system: CS_PROCESSING_METHOD, code: grant.processingMethod } },
    {
      url: EXT.notice,
      extension: [
        { url: 'language', valueCode: grant.noticeLanguage },
        { url: 'text', valueString: noticeText(grant, grant.noticeLanguage, noticeCtx) },
      ],
    },
    { url: EXT.rightsExercise, valueString: rightsText(grant, grant.noticeLanguage) },
    { url: EXT.channel, valueCoding: { system: CS_CHANNEL, code: ctx.channel } },
    { url: EXT.legalBasis, valueCoding: { system: CS_LEGAL_BASIS, code: legalBasis } },
    ...(ctx.emergencyReason ? [{ url: EXT.emergencyReason, valueString: ctx.emergencyReason }] : []),
  ];
  const provision: Record<string, unknown> = {
    type: 'permit',
    period: { start: grant.start ?? now, end: grant.end },
    actor: [
      {
        role: { coding: [{ system: V3_PARTICIPATION, code: 'IRCP', display: 'information recipient' }] },
        reference: recipientReference(grant.recipient),
      },
    ],
    action: [
      { coding: [{ system: CONSENT_ACTION, code: 'access' }] },
      ...(grant.processingMethod === 'may-store' ? [{ coding: [{ system: CONSENT_ACTION, code: 'collect' }] }] : []),
    ],
    purpose: [{ system: grant.purpose.system, code: grant.purpose.code, display: grant.purpose.display }],
    class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Bundle' }],
    ...(grant.documentTypes.length ? { code: grant.documentTypes.map((c) => ({ coding: [c] })) } : {}),
    ...(grant.dataPeriod ? { dataPeriod: grant.dataPeriod } : {}),
    ...(grant.documents.length ? { data: grant.documents.map((d) => ({ meaning: 'instance', reference: { reference: `Bundle/${d}` } })) } : {}),
    ...(grant.sections.length
      ? { extension: grant.sections.map((s) => ({ url: EXT.sections, valueCoding: { system: LOINC, code: s } })) }
      : {}),
    ...(excluded.length ? { provision: [{ type: 'deny', securityLabel: sensitiveLabels(excluded) }] } : {}),
  };
  return {
    resourceType: 'Consent',
    id: ctx.id,
    meta: { profile: [CONSENT_PROFILE] },
    extension,
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy' }] },
    category: [{ coding: [LOINC_PATIENT_CONSENT] }, { coding: [PIPL_CATEGORY] }],
    patient: { ...(ctx.patientRef ? { reference: ctx.patientRef } : {}), identifier: { system: grant.patient.system, value: grant.patient.value } },
    dateTime: now,
    performer: [
      ctx.channel === 'patient-invitation'
        ? { ...(ctx.patientRef ? { reference: ctx.patientRef } : {}), identifier: { ...grant.patient } }
        : { reference: `Organization/${ctx.hospital.id}`, display: ctx.hospital.name },
    ],
    organization: [{ reference: `Organization/${ctx.hospital.id}`, display: ctx.hospital.name }],
    policy: [{ authority: POLICY_AUTHORITY, uri: legalBasis === 'emergency' ? POLICY_PIPL_13_4 : POLICY_PIPL_39 }],
    provision,
  };
}

/** Withdrawal (PIPL art. 15): a new version, status inactive, carrying when it happened. */
export function withdrawConsent(consent: Consent, now: Date): Consent {
  const ext = (Array.isArray(consent.extension) ? (consent.extension as Extension[]) : []).filter((e) => e.url !== EXT.withdrawn);
  return { ...structuredClone(consent), status: 'inactive', extension: [...structuredClone(ext), { url: EXT.withdrawn, valueDateTime: now.toISOString() }] };
}

// ---- reading a stored Consent back -------------------------------------------------------------

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored JSON read defensively, every value checked below
type Loose = Record<string, any>;
function ext(list: unknown, url: string): Loose | undefined {
  return Array.isArray(list) ? (list as Loose[]).find((e) => isObject(e) && e.url === url) : undefined;
}
function must<T>(v: T | undefined | null, what: string): T {
  if (v === undefined || v === null || (typeof v === 'string' && v === '')) throw new TypeError(`stored Consent lacks ${what}`);
  return v;
}
function codeIn<T extends string>(list: readonly T[], v: unknown, what: string): T {
  if (typeof v !== 'string' || !(list as readonly string[]).includes(v)) throw new TypeError(`stored Consent has a bad ${what}`);
  return v as T;
}

/**
 * Views of frozen Consents (the embedded store's read cache deep-freezes what it holds, so every
 * read of a consent shares one object): a frozen resource cannot change, nor can its frozen view,
 * so it is read once instead of twice per consent-token request (issue 10 profile: 2%).
 */
const frozenViews = new WeakMap<object, ConsentView>();

/** Reads one of our Consents into a ConsentView; throws TypeError if it is not one we built. */
export function readConsent(resource: unknown): ConsentView {
  if (isObject(resource) && Object.isFrozen(resource)) {
    let view = frozenViews.get(resource);
    if (!view) frozenViews.set(resource, (view = deepFreeze(readConsentView(resource))));
    return view;
  }
  return readConsentView(resource);
}

function readConsentView(resource: unknown): ConsentView {
  if (!isObject(resource) || resource.resourceType !== 'Consent') throw new TypeError('not a Consent');
  const r = resource as Loose;
  const prov = must(r.provision, 'provision');
  const actor = must(prov.actor?.[0]?.reference, 'provision.actor');
  const contactExt = must(ext(r.extension, EXT.recipientContact), 'recipient contact');
  const telecom: { system?: string; value?: string }[] = contactExt.valueContactDetail?.telecom ?? [];
  const contact = {
    text: must(contactExt.valueContactDetail?.name as string, 'recipient contact name'),
    ...(telecom.find((t) => t.system === 'email')?.value ? { email: telecom.find((t) => t.system === 'email')!.value } : {}),
    ...(telecom.find((t) => t.system === 'phone')?.value ? { phone: telecom.find((t) => t.system === 'phone')!.value } : {}),
  };
  const orgMatch = typeof actor.reference === 'string' ? /^Organization\/(.+)$/.exec(actor.reference) : null;
  const recipient: Recipient = orgMatch
    ? { kind: 'organization', id: orgMatch[1]!, name: must(actor.display, 'recipient name'), contact }
    : { kind: 'person', name: must(actor.display, 'recipient name'), contact };
  const notice = must(ext(r.extension, EXT.notice), 'notice');
  const denied: Coding[] = (prov.provision ?? []).filter((p: any) => p?.type === 'deny').flatMap((p: any) => p.securityLabel ?? []);
  const excluded = SENSITIVE_CATEGORIES.filter((c) => denied.some((l) => l.system === CS_SENSITIVE && l.code === c));
  const hospitalRef: unknown = r.organization?.[0]?.reference;
  const withdrawn = ext(r.extension, EXT.withdrawn)?.valueDateTime as string | undefined;
  const emergencyReason = ext(r.extension, EXT.emergencyReason)?.valueString as string | undefined;
  return {
    id: must(r.id as string, 'id'),
    ...(r.meta?.versionId ? { versionId: String(r.meta.versionId) } : {}),
    status: must(r.status as string, 'status'),
    patient: { system: must(r.patient?.identifier?.system, 'patient.identifier'), value: must(r.patient?.identifier?.value, 'patient.identifier') },
    dateTime: must(r.dateTime as string, 'dateTime'),
    recipient,
    purpose: must(prov.purpose?.[0] as Coding, 'provision.purpose'),
    documents: (prov.data ?? []).map((d: any) => String(d?.reference?.reference ?? '').replace(/^Bundle\//, '')).filter(Boolean),
    documentTypes: (prov.code ?? []).flatMap((cc: any) => cc?.coding ?? []),
    sections: (prov.extension ?? []).filter((e: any) => e?.url === EXT.sections).map((e: any) => String(e.valueCoding?.code)),
    ...(prov.dataPeriod ? { dataPeriod: prov.dataPeriod } : {}),
    period: { start: must(prov.period?.start, 'provision.period.start'), end: must(prov.period?.end, 'provision.period.end') },
    processingMethod: codeIn(PROCESSING_METHODS, ext(r.extension, EXT.processingMethod)?.valueCoding?.code, 'processing method'),
    legalBasis: codeIn(LEGAL_BASES, ext(r.extension, EXT.legalBasis)?.valueCoding?.code, 'legal basis'),
    channel: codeIn(CHANNELS, ext(r.extension, EXT.channel)?.valueCoding?.code, 'channel'),
    noticeLanguage: codeIn(NOTICE_LANGUAGES, ext(notice.extension, 'language')?.valueCode, 'notice language'),
    noticeText: must(ext(notice.extension, 'text')?.valueString as string, 'notice text'),
    rightsText: must(ext(r.extension, EXT.rightsExercise)?.valueString as string, 'rights text'),
    excluded,
    ...(withdrawn ? { withdrawn } : {}),
    ...(typeof hospitalRef === 'string' ? { hospitalId: hospitalRef.replace(/^Organization\//, '') } : {}),
    ...(emergencyReason ? { emergencyReason } : {}),
  };
}
