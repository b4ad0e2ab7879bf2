/**
 * Builds one FHIR R4 AuditEvent from the plain facts of an interaction, following IHE Basic Audit
 * Log Patterns (BALP): who (client agent with network address, organisation, country, or the link
 * recipient as given), the gateway as the other party and as `source.observer`, what (patient,
 * documents, consent, query, token, trust-list subject), why (purposeOfEvent), the outcome and
 * the request id (BALP `XrequestId` entity).
 *
 * Invariants: pure — the same facts give the same resource (time comes in `facts.recorded`, the
 * id is set later by the chain from the sequence number); our own misuse (missing request id, a
 * failure without a reason, a success for a failure-only action) is a TypeError.
 */
import type { Coding, Resource } from '../fhir/types.js';
import type { IdentifierKey } from '../store/ports.js';
import {
  ACT_REASON,
  ACTION_TABLE,
  AGENT_COUNTRY_EXT,
  AUDIT_ACTIONS,
  AUDIT_ENTITY_TYPE,
  AUDIT_SUBTYPE_SYSTEM,
  BALP_ENTITY_TYPE,
  DESTINATION_ROLE,
  DISCLOSE,
  ISO_3166,
  OBJECT_ROLE,
  OUTCOME_CODE_EXT,
  PARTICIPANT_ROLE_SYSTEM,
  PARTICIPANT_SYSTEM,
  PARTICIPATION_TYPE,
  RESOURCE_TYPES,
  ROLE_CLASS,
  SECURITY_SOURCE_TYPE,
  SOURCE_ROLE,
  type AuditAction,
  type EventAction,
} from './codes.js';

export type { AuditAction } from './codes.js';

export interface AuditActor {
  /** Participant (client) id from the trust list. */
  participantId?: string;
  /** Organization resource id of the participant. */
  organization?: string;
  organizationName?: string;
  /** ISO 3166-1 country code of the participant. */
  country?: string;
  role?: string;
  /** SMART Health Link recipient, exactly as the requester stated it (never normalised). */
  linkRecipient?: string;
}

export interface AuditFailure {
  /** Why it failed, for the record (outcomeDesc). */
  reason: string;
  /** Gateway error code (e.g. VALIDATION_FAILED). */
  code?: string;
  /** R4 audit-event-outcome: minor 4 (refused request), serious 8 (denied), major 12 (broken). */
  severity?: 'minor' | 'serious' | 'major';
}

export interface TrustChange {
  change: 'add' | 'update' | 'remove';
  /** What changed: participant id, certificate thumbprint, ... */
  subject: string;
  description?: string;
}

export interface AuditFacts {
  action: AuditAction;
  outcome: 'success' | 'failure';
  failure?: AuditFailure;
  /** ISO 8601 instant from the injected clock. */
  recorded: string;
  requestId: string;
  actor: AuditActor;
  /** Client network address (IP) as seen by the gateway. */
  sourceAddress?: string;
  patientIdentifiers?: IdentifierKey[];
  /** Logical ids of document Bundles. */
  documents?: string[];
  consentId?: string;
  purposeOfUse?: Coding[];
  /** Emergency (break-glass) access: adds DCM 110127 and purpose ETREAT. */
  emergency?: boolean;
  /** Raw query string of a search (BALP stores it base64 in entity[query].query). */
  query?: string;
  /** `$translate`, `$validate`, ... */
  operation?: string;
  /** JWT ID of an issued token. */
  tokenId?: string;
  trustChange?: TrustChange;
  /** Overrides whether a success is a disclosure (accounting of disclosures). */
  disclosure?: boolean;
}

/** The gateway itself: BALP `source` and the server agent. */
export interface AuditObserver {
  /** Host name (source.site). */
  site: string;
  /** Display name of the gateway. */
  name: string;
  /** Base URL of the FHIR endpoint (server agent network address, type URI). */
  baseUrl: string;
}

const OUTCOME_BY_SEVERITY = { minor: '4', serious: '8', major: '12' } as const;
const ETREAT: Coding = { system: ACT_REASON, code: 'ETREAT', display: 'Emergency Treatment' };

function coding(system: string, code: string, display?: string): Coding {
  return display ? { system, code, display } : { system, code };
}

function checkFacts(f: AuditFacts): void {
  if (!(AUDIT_ACTIONS as readonly string[]).includes(f.action)) throw new TypeError(`unknown audit action ${String(f.action)}`);
  if (!f.requestId) throw new TypeError('audit facts need a requestId');
  if (!f.recorded || Number.isNaN(Date.parse(f.recorded))) throw new TypeError('audit facts need an ISO recorded time');
  if (f.outcome !== 'success' && f.outcome !== 'failure') throw new TypeError('audit outcome must be success or failure');
  if (f.outcome === 'failure' && !f.failure?.reason) throw new TypeError('a failure must say why');
  if (f.outcome === 'success' && ACTION_TABLE[f.action].failureOnly) throw new TypeError(`${f.action} is always a failure`);
  if (f.action === 'trust-admin' && !f.trustChange) throw new TypeError('trust-admin needs trustChange');
}

/** True when a successful event with these facts discloses data to a third party (HIPAA §164.528). */
export function isDisclosure(f: AuditFacts): boolean {
  if (f.outcome !== 'success') return false;
  if (f.disclosure !== undefined) return f.disclosure;
  const shape = ACTION_TABLE[f.action];
  if (shape.disclosure) return true;
  // Reads and translations of stored documents by someone other than a hospital (an overseas
  // provider, a link recipient) leave the custodian: a disclosure.
  const external = Boolean(f.actor.linkRecipient) || f.actor.role === 'provider';
  return external && (f.action === 'read' || f.action === 'search' || f.action === 'translate') && (f.documents?.length ?? 0) > 0;
}

function purposes(f: AuditFacts): Coding[] {
  const list = [...(f.purposeOfUse ?? [])];
  if (f.emergency && !list.some((c) => c.system === ACT_REASON && c.code === 'ETREAT')) list.push(ETREAT);
  return list;
}

function agents(f: AuditFacts, observer: AuditObserver): Record<string, unknown>[] {
  const shape = ACTION_TABLE[f.action];
  const clientType = shape.clientIs === 'source' ? SOURCE_ROLE : DESTINATION_ROLE;
  const serverType = shape.clientIs === 'source' ? DESTINATION_ROLE : SOURCE_ROLE;
  const pou = purposes(f).map((c) => ({ coding: [c] }));
  // network.type is an R4 code of http://hl7.org/fhir/network-type: 2 IP address, 5 URI.
  const network = f.sourceAddress ? { network: { address: f.sourceAddress, type: '2' } } : {};
  const a = f.actor;
  const out: Record<string, unknown>[] = [];

  const who: Record<string, unknown> = {};
  if (a.participantId) who.identifier = { system: PARTICIPANT_SYSTEM, value: a.participantId };
  const display = a.organizationName ?? a.organization ?? (a.linkRecipient ? 'link recipient browser' : undefined);
  who.display = display ?? f.sourceAddress ?? 'unidentified client';
  // The client application / system. It is the requestor unless a person (link recipient) is.
  out.push({
    ...(a.country ? { extension: [{ url: AGENT_COUNTRY_EXT, valueCoding: coding(ISO_3166, a.country) }] } : {}),
    type: { coding: [clientType] },
    ...(a.role ? { role: [{ coding: [coding(PARTICIPANT_ROLE_SYSTEM, a.role)] }] } : {}),
    who,
    requestor: !a.linkRecipient,
    ...network,
    ...(!a.linkRecipient && pou.length ? { purposeOfUse: pou } : {}),
  });
  if (a.linkRecipient) {
    // BALP user agent: "information recipient", requestor, name searchable; recipient kept verbatim.
    out.push({
      type: { coding: [coding(PARTICIPATION_TYPE, 'IRCP', 'information recipient')] },
      who: { display: a.linkRecipient },
      name: a.linkRecipient,
      requestor: true,
      ...(pou.length ? { purposeOfUse: pou } : {}),
    });
  }
  if (a.organization) {
    // BALP AuthZconsent "userorg": the organisation the requesting system acts for.
    out.push({
      type: { coding: [coding(ROLE_CLASS, 'PROV', 'healthcare provider')] },
      who: { reference: `Organization/${a.organization}`, ...(a.organizationName ? { display: a.organizationName } : {}) },
      requestor: false,
    });
  }
  out.push({
    type: { coding: [serverType] },
    who: { display: observer.name },
    requestor: false,
    network: { address: observer.baseUrl, type: '5' },
  });
  return out;
}

function entities(f: AuditFacts): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const [first, ...more] = f.patientIdentifiers ?? [];
  if (first) {
    // BALP PatientRead/PatientQuery: one patient entity (type 1 Person, role 1 Patient); further
    // identifiers of the same person travel as details so `patient.identifier` finds each.
    out.push({
      what: { type: 'Patient', identifier: { system: first.system, value: first.value } },
      type: coding(AUDIT_ENTITY_TYPE, '1', 'Person'),
      role: coding(OBJECT_ROLE, '1', 'Patient'),
      ...(more.length ? { detail: more.map((k) => ({ type: 'identifier', valueString: `${k.system}|${k.value}` })) } : {}),
    });
  }
  for (const id of f.documents ?? []) {
    out.push({ what: { reference: `Bundle/${id}` }, type: coding(AUDIT_ENTITY_TYPE, '2', 'System Object'), role: coding(OBJECT_ROLE, '4', 'Domain Resource') });
  }
  if (f.consentId) out.push({ what: { reference: `Consent/${f.consentId}` }, type: coding(RESOURCE_TYPES, 'Consent', 'Consent') });
  if (f.query !== undefined) {
    out.push({
      type: coding(AUDIT_ENTITY_TYPE, '2', 'System Object'),
      role: coding(OBJECT_ROLE, '24', 'Query'),
      description: f.query,
      query: Buffer.from(f.query, 'utf8').toString('base64'),
    });
  }
  if (f.tokenId) {
    out.push({
      what: { identifier: { value: `urn:ietf:params:oauth:jti:${f.tokenId}` } },
      type: coding(AUDIT_ENTITY_TYPE, '2', 'System Object'),
      role: coding(OBJECT_ROLE, '13', 'Security Resource'),
    });
  }
  if (f.trustChange) {
    out.push({
      what: { display: f.trustChange.subject },
      type: coding(AUDIT_ENTITY_TYPE, '2', 'System Object'),
      role: coding(OBJECT_ROLE, '13', 'Security Resource'),
      description: `${f.trustChange.change}${f.trustChange.description ? `: ${f.trustChange.description}` : ''}`,
    });
  }
  // BALP entity[transaction]: the X-Request-Id shared by response, log line and audit entry.
  out.push({ what: { identifier: { value: f.requestId } }, type: coding(BALP_ENTITY_TYPE, 'XrequestId') });
  return out;
}

function eventAction(f: AuditFacts): EventAction {
  if (f.action === 'trust-admin') return f.trustChange!.change === 'add' ? 'C' : f.trustChange!.change === 'remove' ? 'D' : 'U';
  return ACTION_TABLE[f.action].action;
}

/** The AuditEvent for these facts (no `id`: the chain sets it from the sequence number). */
export function buildAuditEvent(facts: AuditFacts, observer: AuditObserver): Resource {
  checkFacts(facts);
  const shape = ACTION_TABLE[facts.action];
  const subtype: Coding[] = [...shape.subtype];
  if (facts.operation) subtype.push(coding(AUDIT_SUBTYPE_SYSTEM, facts.operation));
  if (isDisclosure(facts) && !subtype.some((c) => c.system === DISCLOSE.system)) subtype.push(DISCLOSE);
  if (facts.emergency && facts.action !== 'emergency-access') subtype.push(ACTION_TABLE['emergency-access'].subtype[0]!);
  subtype.push(coding(AUDIT_SUBTYPE_SYSTEM, facts.action));
  const failed = facts.outcome === 'failure';
  const outcome = failed ? (facts.failure?.severity ? OUTCOME_BY_SEVERITY[facts.failure.severity] : shape.failureOutcome) : '0';
  const pou = purposes(facts);
  return {
    resourceType: 'AuditEvent',
    ...(failed && facts.failure?.code ? { extension: [{ url: OUTCOME_CODE_EXT, valueCode: facts.failure.code }] } : {}),
    type: shape.type,
    subtype,
    action: eventAction(facts),
    recorded: facts.recorded,
    outcome,
    ...(failed ? { outcomeDesc: facts.failure!.reason } : {}),
    ...(pou.length ? { purposeOfEvent: pou.map((c) => ({ coding: [c] })) } : {}),
    agent: agents(facts, observer),
    source: {
      site: observer.site,
      observer: { display: observer.name },
      type: [coding(SECURITY_SOURCE_TYPE, '4', 'Application Server')],
    },
    entity: entities(facts),
  };
}
