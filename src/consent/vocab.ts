/**
 * The consent stage's vocabulary: canonical URLs of our Consent extensions and code systems, and
 * the small closed lists the code branches on (purposes, processing methods, sensitive categories).
 *
 * Invariants: every URL here is defined as FHIR JSON in fhir-profiles/consent/ (a unit test checks
 * that each extension URL has a StructureDefinition and each list below equals its CodeSystem /
 * ValueSet there), so the data files and the code cannot drift apart.
 */

export const BASE = 'https://emr-gateway.example.org/fhir';
export const SD = `${BASE}/StructureDefinition`;
export const CS = `${BASE}/CodeSystem`;

export const V3_ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const V3_PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const CONSENT_ACTION = 'http://terminology.hl7.org/CodeSystem/consentaction';
export const LOINC = 'http://loinc.org';

/** Profile of a gateway cross-border Consent (fhir-profiles/consent/StructureDefinition-cn-cross-border-consent.json). */
export const CONSENT_PROFILE = `${SD}/cn-cross-border-consent`;

/** Our extensions on Consent (each has a StructureDefinition in fhir-profiles/consent/). */
export const EXT = {
  recipientContact: `${SD}/consent-recipient-contact`,
  processingMethod: `${SD}/consent-processing-method`,
  notice: `${SD}/consent-notice`,
  rightsExercise: `${SD}/consent-rights-exercise`,
  channel: `${SD}/consent-channel`,
  legalBasis: `${SD}/consent-legal-basis`,
  sections: `${SD}/consent-sections`,
  withdrawn: `${SD}/consent-withdrawn`,
  emergencyReason: `${SD}/consent-emergency-reason`,
} as const;

export const CS_CONSENT_CATEGORY = `${CS}/consent-category`;
export const CS_PROCESSING_METHOD = `${CS}/consent-processing-method`;
export const CS_CHANNEL = `${CS}/consent-channel`;
export const CS_LEGAL_BASIS = `${CS}/consent-legal-basis`;
export const CS_SENSITIVE = `${CS}/export-sensitive-category`;
export const CS_PURPOSE = `${CS}/consent-purpose`;

/**
 * Consent.policy (R4 invariant ppc-1/ppc-2: a patient-privacy Consent names a policy): the
 * authority is the legislator of the PIPL, the uri our canonical text of the rule we apply
 * (PIPL art. 39 separate consent; art. 13(4) for emergencies).
 */
export const POLICY_AUTHORITY = 'http://www.npc.gov.cn';
export const POLICY_PIPL_39 = `${BASE}/policy/pipl-art-39-cross-border`;
export const POLICY_PIPL_13_4 = `${BASE}/policy/pipl-art-13-4-emergency`;

/** LOINC 59284-0 "Patient Consent" (Consent.category, R4 consent-category value set example). */
export const LOINC_PATIENT_CONSENT = { system: LOINC, code: '59284-0', display: 'Patient Consent' };
export const PIPL_CATEGORY = { system: CS_CONSENT_CATEGORY, code: 'pipl-cross-border', display: 'PIPL art. 39 separate consent to a transfer abroad' };

export type ProcessingMethod = 'view-only' | 'may-store';
export const PROCESSING_METHODS: readonly ProcessingMethod[] = ['view-only', 'may-store'];

export type ConsentChannel = 'hospital-on-behalf' | 'patient-invitation' | 'emergency-declaration';
export const CHANNELS: readonly ConsentChannel[] = ['hospital-on-behalf', 'patient-invitation', 'emergency-declaration'];

export type LegalBasis = 'consent' | 'emergency';
export const LEGAL_BASES: readonly LegalBasis[] = ['consent', 'emergency'];

/**
 * Categories never exported unless the patient explicitly consents (DOMAIN.md "Law": genetic data
 * needs a filing; resident ID and ethnicity are minimised). v3 ActCode GDIS is added beside ours
 * for genomic content so a generic FHIR consumer can read the label too.
 */
export type SensitiveCategory = 'genomic' | 'resident-id' | 'ethnicity';
export const SENSITIVE_CATEGORIES: readonly SensitiveCategory[] = ['genomic', 'resident-id', 'ethnicity'];

export type NoticeLanguage = 'zh-CN' | 'en';
export const NOTICE_LANGUAGES: readonly NoticeLanguage[] = ['zh-CN', 'en'];

/** What a purpose means for PIPL art. 39's "purpose" element. */
export type PurposeKind = 'treatment-continuity' | 'second-opinion' | 'insurance-claim' | 'emergency';

export interface PurposeDef {
  system: string;
  code: string;
  display: string;
  kind: PurposeKind;
}

/** Purposes a transfer may be consented for (ValueSet consent-purpose in fhir-profiles/consent/). */
export const PURPOSES: readonly PurposeDef[] = [
  { system: V3_ACT_REASON, code: 'TREAT', display: 'treatment', kind: 'treatment-continuity' },
  { system: V3_ACT_REASON, code: 'COC', display: 'coordination of care', kind: 'treatment-continuity' },
  { system: CS_PURPOSE, code: 'second-opinion', display: 'second medical opinion', kind: 'second-opinion' },
  { system: V3_ACT_REASON, code: 'HPAYMT', display: 'healthcare payment', kind: 'insurance-claim' },
  { system: V3_ACT_REASON, code: 'CLMATTCH', display: 'claim attachment', kind: 'insurance-claim' },
  { system: V3_ACT_REASON, code: 'ETREAT', display: 'Emergency Treatment', kind: 'emergency' },
];

export function findPurpose(system: string | undefined, code: string | undefined): PurposeDef | undefined {
  return PURPOSES.find((p) => p.system === system && p.code === code);
}

/**
 * The minimal emergency set (PIPL art. 13(4)): allergies, problems/diagnoses, medicines — IPS
 * section LOINC codes plus the WS/T 500.53 discharge-summary sections that carry the same facts.
 */
export const EMERGENCY_SECTIONS: readonly string[] = [
  '48765-2', // Allergies and adverse reactions (IPS)
  '11450-4', // Problem list (IPS) / 主要健康问题
  '10160-0', // History of medication use (IPS)
  '46241-6', // 入院诊断 admission diagnosis
  '11535-2', // 出院诊断 discharge diagnosis
];

/** Default lifetime failed-passcode budget of a link (SHL "total lifetime count"). */
export const DEFAULT_PASSCODE_BUDGET = 10;
/** SHL: `.files.location` links SHALL NOT live longer than one hour. */
export const MAX_FILE_LOCATION_SECONDS = 3600;
/** Default validity of a one-time patient invitation. */
export const DEFAULT_INVITATION_HOURS = 72;
