/**
 * The code systems and codes an AuditEvent of the gateway uses, and the table that maps each
 * gateway action to its IHE Basic Audit Log Patterns (BALP) shape.
 *
 * Sources: IHE ITI BALP (https://profiles.ihe.net/ITI/BALP/) profiles Create / Read / Query /
 * PatientRead / PatientQuery (type `rest`, subtype the FHIR restful interaction), AuthZconsent
 * (DCM 110113 Security Alert + AuthZ-Consent), PrivacyDisclosure.Source (DCM 110106 Export +
 * iso-21089 `disclose`), IUA ITI-71 Get Access Token (DCM 110114 User Authentication); DICOM PS3.16
 * CID 403 audit event sub-types 110127 Emergency Override Started, 110129 Security Configuration.
 *
 * Invariant: every action has exactly one row; a gateway-specific subtype coding
 * (AUDIT_SUBTYPE_SYSTEM#<action>) is always added so `subtype=` search finds the action exactly.
 */
import type { Coding } from '../fhir/types.js';

export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
export const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const AUDIT_ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
export const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
export const AUDIT_OUTCOME = 'http://terminology.hl7.org/CodeSystem/audit-event-outcome';
export const SECURITY_SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
export const NETWORK_TYPE = 'http://hl7.org/fhir/network-type';
export const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const ROLE_CLASS = 'http://terminology.hl7.org/CodeSystem/v3-RoleClass';
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';
export const ISO_21089 = 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle';
export const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
export const BALP_AUTHZ_SUBTYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType';
export const IHE_EVENT_TYPE = 'urn:ihe:event-type-code';

const BASE = 'https://emr-gateway.example.org/fhir';
/** Our own subtype naming the gateway action (no standard code says "consent link manifest"). */
export const AUDIT_SUBTYPE_SYSTEM = `${BASE}/CodeSystem/audit-event-subtype`;
/** Participant ids of the trust list. */
export const PARTICIPANT_SYSTEM = `${BASE}/NamingSystem/participant`;
/** Participant roles (hospital, provider, admin). */
export const PARTICIPANT_ROLE_SYSTEM = `${BASE}/CodeSystem/participant-role`;
/** Country (ISO 3166-1 alpha-2/3) of the requesting participant: AuditEvent.agent has no element for it. */
export const AGENT_COUNTRY_EXT = `${BASE}/StructureDefinition/audit-agent-country`;
/** The gateway's stable error code behind a failure outcome (outcomeDesc carries the text). */
export const OUTCOME_CODE_EXT = `${BASE}/StructureDefinition/audit-outcome-code`;
export const ISO_3166 = 'urn:iso:std:iso:3166';

export const AUDIT_ACTIONS = [
  'submit',
  'read',
  'search',
  'translate',
  'validate',
  'consent-grant',
  'consent-revoke',
  'consent-use',
  'consent-refused',
  'link-manifest',
  'passcode-failure',
  'token-issued',
  'emergency-access',
  'trust-admin',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** AuditEvent.action (R4 audit-event-action): Create, Read, Update, Delete, Execute. */
export type EventAction = 'C' | 'R' | 'U' | 'D' | 'E';

export interface ActionShape {
  type: Coding;
  /** Standard subtypes; the gateway subtype is appended by the builder. */
  subtype: Coding[];
  action: EventAction;
  /**
   * Which way the request flows. BALP (after DICOM) names the party that sends the data the
   * "Source Role ID" (110153) and the receiver the "Destination Role ID" (110152): a client that
   * creates or queries is the source; a client that reads is the destination.
   */
  clientIs: 'source' | 'destination';
  /** Outcome code used for a failure whose severity the caller did not state. */
  failureOutcome: '4' | '8' | '12';
  /** Only a failure makes sense (e.g. a wrong passcode, a refused consent). */
  failureOnly?: boolean;
  /** A successful event of this kind is a disclosure to a third party regardless of the actor. */
  disclosure?: boolean;
}

const REST: Coding = { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'Restful Operation' };
const ri = (code: string): Coding => ({ system: RESTFUL_INTERACTION, code, display: code });
const dcm = (code: string, display: string): Coding => ({ system: DCM, code, display });

export const SOURCE_ROLE = dcm('110153', 'Source Role ID');
export const DESTINATION_ROLE = dcm('110152', 'Destination Role ID');
export const DISCLOSE: Coding = { system: ISO_21089, code: 'disclose', display: 'Disclose Record Lifecycle Event' };

export const ACTION_TABLE: Readonly<Record<AuditAction, ActionShape>> = {
  submit: { type: REST, subtype: [ri('create')], action: 'C', clientIs: 'source', failureOutcome: '4' },
  read: { type: REST, subtype: [ri('read')], action: 'R', clientIs: 'destination', failureOutcome: '4' },
  search: { type: REST, subtype: [ri('search-type')], action: 'E', clientIs: 'source', failureOutcome: '4' },
  translate: { type: REST, subtype: [ri('operation')], action: 'E', clientIs: 'source', failureOutcome: '4' },
  validate: { type: REST, subtype: [ri('operation')], action: 'E', clientIs: 'source', failureOutcome: '4' },
  'consent-grant': { type: REST, subtype: [ri('create')], action: 'C', clientIs: 'source', failureOutcome: '4' },
  // Revocation sets Consent.status = inactive: an update, never a delete (the record stays).
  'consent-revoke': { type: REST, subtype: [ri('update')], action: 'U', clientIs: 'source', failureOutcome: '4' },
  'consent-use': {
    type: dcm('110113', 'Security Alert'),
    subtype: [{ system: BALP_AUTHZ_SUBTYPE, code: 'AuthZ-Consent', display: 'Authorization Decision using Roles and Consent' }],
    action: 'E',
    clientIs: 'source',
    failureOutcome: '8',
  },
  // BALP ex-auditAuthZconsent-deny records a deny with outcome 8 "Serious failure".
  'consent-refused': {
    type: dcm('110113', 'Security Alert'),
    subtype: [{ system: BALP_AUTHZ_SUBTYPE, code: 'AuthZ-Consent', display: 'Authorization Decision using Roles and Consent' }],
    action: 'E',
    clientIs: 'source',
    failureOutcome: '8',
    failureOnly: true,
  },
  'link-manifest': {
    type: dcm('110106', 'Export'),
    subtype: [DISCLOSE],
    action: 'R',
    clientIs: 'destination',
    failureOutcome: '4',
    disclosure: true,
  },
  'passcode-failure': {
    type: dcm('110114', 'User Authentication'),
    subtype: [],
    action: 'E',
    clientIs: 'source',
    failureOutcome: '4',
    failureOnly: true,
  },
  'token-issued': {
    type: dcm('110114', 'User Authentication'),
    subtype: [{ system: IHE_EVENT_TYPE, code: 'ITI-71', display: 'Get Access Token' }],
    action: 'E',
    clientIs: 'source',
    failureOutcome: '4',
  },
  'emergency-access': {
    type: dcm('110113', 'Security Alert'),
    subtype: [dcm('110127', 'Emergency Override Started')],
    action: 'E',
    clientIs: 'destination',
    failureOutcome: '8',
    disclosure: true,
  },
  'trust-admin': {
    type: dcm('110113', 'Security Alert'),
    subtype: [dcm('110129', 'Security Configuration')],
    action: 'U',
    clientIs: 'source',
    failureOutcome: '4',
  },
};
