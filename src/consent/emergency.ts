/**
 * Emergency access (PIPL art. 13(4): processing needed to protect a person's life and health in
 * an emergency needs no consent; art. 18: the person is told afterwards). A provider declares the
 * emergency with a reason; the gateway records it as a Consent with legal basis `emergency`,
 * limited to the minimal set (allergies, diagnoses, medicines), short-lived, audited as
 * emergency, and produces the notification for the patient.
 *
 * Invariants: a declaration without a substantive reason is refused; the scope is never wider than
 * EMERGENCY_SECTIONS and never includes the excluded sensitive categories; validity is at most
 * `maxHours` (default 24); the result is a normal Consent, so decideAccess applies unchanged.
 */
import { GatewayError, type Issue } from '../errors.js';
import { isObject } from '../fhir/types.js';
import { buildConsent, type Consent } from './model.js';
import type { GrantRequest, IdentifierKey, OrganizationRecipient } from './types.js';
import { EMERGENCY_SECTIONS, findPurpose, V3_ACT_REASON, type NoticeLanguage } from './vocab.js';

export interface EmergencyDeclaration {
  patient: IdentifierKey;
  reason: string;
  /** Declared by (the authenticated overseas provider). */
  recipient: OrganizationRecipient;
  documentTypes: GrantRequest['documentTypes'];
}

/** Document types an emergency covers when none are named: CN discharge summary and IPS. */
export const EMERGENCY_DOCUMENT_TYPES: GrantRequest['documentTypes'] = [
  { system: 'urn:oid:2.16.156.10011.2.4', code: 'C0053', display: '出院小结' },
  { system: 'http://loinc.org', code: '18842-5', display: 'Discharge summary' },
  { system: 'http://loinc.org', code: '60591-5', display: 'Patient summary Document' },
];

/** Parses `$emergency` Parameters: `patient` (valueIdentifier), `reason` (valueString ≥ 10 chars). */
export function parseEmergencyParameters(parameters: unknown): { patient: IdentifierKey; reason: string } {
  const issues: Issue[] = [];
  const list = isObject(parameters) && Array.isArray(parameters.parameter) ? (parameters.parameter as unknown[]) : undefined;
  if (!list || (parameters as { resourceType?: unknown }).resourceType !== 'Parameters') {
    throw new GatewayError('INVALID_PARAMETER', 'The body must be a FHIR Parameters resource.', { expression: 'Parameters' });
  }
  let patient: IdentifierKey | undefined;
  let reason: string | undefined;
  list.forEach((p, i) => {
    if (!isObject(p)) return;
    const at = `Parameters.parameter[${i}]`;
    if (p.name === 'patient') {
      const v = p.valueIdentifier;
      if (isObject(v) && typeof v.system === 'string' && typeof v.value === 'string' && v.value) patient = { system: v.system, value: v.value };
      else issues.push({ severity: 'error', code: 'value', diagnostics: 'patient needs valueIdentifier.', expression: [`${at}.valueIdentifier`], rule: 'EMERGENCY_PATIENT' });
    } else if (p.name === 'reason') {
      const v = typeof p.valueString === 'string' ? p.valueString.trim() : '';
      if (v.length >= 10 && v.length <= 1000) reason = v;
      else issues.push({ severity: 'error', code: 'value', diagnostics: 'reason must describe the emergency (10 to 1000 characters).', expression: [`${at}.valueString`], rule: 'EMERGENCY_REASON' });
    } else {
      issues.push({ severity: 'error', code: 'value', diagnostics: `Unknown parameter "${String(p.name)}".`, expression: [`${at}.name`], rule: 'EMERGENCY_UNKNOWN_PARAMETER' });
    }
  });
  if (!patient && !issues.some((i) => i.rule === 'EMERGENCY_PATIENT')) issues.push({ severity: 'error', code: 'required', diagnostics: 'patient is required.', expression: ['Parameters.parameter'], rule: 'EMERGENCY_PATIENT' });
  if (!reason && !issues.some((i) => i.rule === 'EMERGENCY_REASON')) issues.push({ severity: 'error', code: 'required', diagnostics: 'reason is required.', expression: ['Parameters.parameter'], rule: 'EMERGENCY_REASON' });
  if (issues.length || !patient || !reason) throw new GatewayError('INVALID_PARAMETER', 'The emergency declaration is invalid.', { issues });
  return { patient, reason };
}

/** The emergency Consent: minimal sections, ETREAT, view only, legal basis emergency. */
export function buildEmergencyConsent(
  d: EmergencyDeclaration,
  ctx: { id: string; now: Date; hospital: { id: string; name: string }; maxHours?: number },
): Consent {
  const purpose = findPurpose(V3_ACT_REASON, 'ETREAT')!;
  const end = new Date(ctx.now.getTime() + (ctx.maxHours ?? 24) * 3_600_000).toISOString();
  const grant: GrantRequest = {
    patient: d.patient,
    recipient: d.recipient,
    purpose,
    documents: [],
    documentTypes: d.documentTypes.length ? d.documentTypes : EMERGENCY_DOCUMENT_TYPES,
    sections: [...EMERGENCY_SECTIONS],
    end,
    noticeLanguage: 'zh-CN',
    processingMethod: 'view-only',
    allowSensitive: [],
  };
  return buildConsent(grant, {
    id: ctx.id,
    now: ctx.now,
    hospital: ctx.hospital,
    channel: 'emergency-declaration',
    legalBasis: 'emergency',
    emergencyReason: d.reason,
  });
}

/** What the patient is told afterwards (PIPL art. 18 ¶2), in their language. */
export function emergencyNotification(d: EmergencyDeclaration, at: Date, lang: NoticeLanguage): string {
  const when = at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  if (lang === 'zh-CN') {
    return `紧急情况告知:${when},境外医疗机构 ${d.recipient.name}(${d.recipient.contact.text})以“${d.reason}”为由声明紧急情况,` +
      `依据《个人信息保护法》第十三条第一款第四项查看了您的过敏、诊断和用药信息。您可以通过医院或管理链接查看访问记录。`;
  }
  return `Emergency access notice: at ${when}, ${d.recipient.name} (${d.recipient.contact.text}) declared an emergency ("${d.reason}") ` +
    `and, under PIPL art. 13(1)(4), viewed your allergies, diagnoses and medicines. You can see every access through the hospital or your management link.`;
}
