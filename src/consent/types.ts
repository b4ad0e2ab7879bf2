/**
 * Plain data types of the consent stage: the validated grant request, the recipient it names, and
 * the read view of a stored FHIR Consent that decisions, notices and tokens work from.
 *
 * Invariant: a GrantRequest only exists after parseGrantParameters accepted it, so every field
 * here is already checked (dates are ISO strings with a zone, codes are from our closed lists).
 */
import type { Coding } from '../fhir/types.js';
import type {
  ConsentChannel,
  LegalBasis,
  NoticeLanguage,
  ProcessingMethod,
  PurposeDef,
  SensitiveCategory,
} from './vocab.js';

export interface IdentifierKey {
  system: string;
  value: string;
}

/** How to reach the recipient so the patient can exercise rights against them (PIPL art. 39). */
export interface RecipientContact {
  /** Free text (address, e-mail, phone) as shown to the patient. */
  text: string;
  email?: string;
  phone?: string;
}

/** An overseas provider participant known to the trust list. */
export interface OrganizationRecipient {
  kind: 'organization';
  /** Participant / Organization id in the trust list: the token audience and reference id. */
  id: string;
  name: string;
  contact: RecipientContact;
  /** ISO 3166 country, if the trust list knows it. */
  country?: string;
}

/** A named natural person (e.g. a doctor abroad who is not a gateway participant). */
export interface PersonRecipient {
  kind: 'person';
  name: string;
  contact: RecipientContact;
}

export type Recipient = OrganizationRecipient | PersonRecipient;

/** What the trust list tells about `Organization/{id}`; undefined when unknown. */
export type ResolveOrganization = (id: string) => Omit<OrganizationRecipient, 'kind'> | undefined;

export interface DataPeriod {
  start?: string;
  end?: string;
}

/** A validated `$grant` (or patient self-service) request. */
export interface GrantRequest {
  patient: IdentifierKey;
  recipient: Recipient;
  purpose: PurposeDef;
  /** Logical ids of stored document Bundles (`Bundle/{id}`). */
  documents: string[];
  /** Document types (e.g. C0053 in urn:oid:2.16.156.10011.2.4, LOINC 18842-5). */
  documentTypes: Coding[];
  /** LOINC section codes the recipient may see; empty = all sections of the covered documents. */
  sections: string[];
  /** Clinical date range of covered documents (Consent.provision.dataPeriod). */
  dataPeriod?: DataPeriod;
  /** Start of validity (defaults to the grant time). */
  start?: string;
  /** End of validity (Consent.provision.period.end; token `exp`). */
  end: string;
  passcode?: string;
  noticeLanguage: NoticeLanguage;
  processingMethod: ProcessingMethod;
  /** Sensitive categories the patient explicitly allowed; all others stay excluded. */
  allowSensitive: SensitiveCategory[];
  /** Short description for the SHL `label` (≤ 80 characters). */
  label?: string;
}

/** A read view of a stored gateway Consent (see readConsent in model.ts). */
export interface ConsentView {
  id: string;
  versionId?: string;
  status: string;
  patient: IdentifierKey;
  dateTime: string;
  recipient: Recipient;
  purpose: Coding;
  documents: string[];
  documentTypes: Coding[];
  sections: string[];
  dataPeriod?: DataPeriod;
  period: { start: string; end: string };
  processingMethod: ProcessingMethod;
  legalBasis: LegalBasis;
  channel: ConsentChannel;
  noticeLanguage: NoticeLanguage;
  noticeText: string;
  rightsText: string;
  /** Sensitive categories still excluded (deny provision). */
  excluded: SensitiveCategory[];
  withdrawn?: string;
  hospitalId?: string;
  emergencyReason?: string;
}
