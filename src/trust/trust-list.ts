/**
 * The trust list: trust anchors (CA certificates), revoked serials and registered participants
 * (client id, role, organisation, X.509 certificate chains). Built once from plain data (usually
 * trust-list.json via trust-list-file.ts) and immutable afterwards; a change means building a new
 * one (file edit + restart, or the admin API swapping the instance) — never a code change.
 *
 * Invariants:
 * - Every problem in the data is reported at once (one GatewayError with one issue per problem).
 * - Participant ids and certificate fingerprints are unique; each certificate chains to an anchor
 *   (checked structurally at build time; validity and revocation are checked again at every use
 *   with the injected clock, since a long-running server outlives certificates).
 * - A certificate's SAN Organization binding, when present, must name the participant's own
 *   organisation.
 */
import { GatewayError, type ErrorCode, type Issue } from '../errors.js';
import { DEFAULT_ROLE_SCOPES, ROLES, type Role } from './scopes.js';
import {
  parsePemCertificates, validateChain, type ChainResult, type CertificateInfo, type ParsedCertificate, type RevokedEntry,
} from './x509.js';

export interface OrganizationInfo {
  /** Id of the Organization resource in the gateway (FHIR id syntax). */
  id: string;
  name: string;
  nameZh?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  identifiers: { system: string; value: string }[];
}

/** Input: one participant as written in the trust list, certificates as PEM chains (leaf first). */
export interface ParticipantData {
  id: string;
  role: Role;
  organization: OrganizationInfo;
  certificates: string[];
}

export interface TrustListData {
  anchors: string[];
  revoked?: RevokedEntry[];
  roleScopes?: Partial<Record<Role, string[]>>;
  participants: ParticipantData[];
}

export interface Participant {
  readonly id: string;
  readonly role: Role;
  readonly organization: Readonly<OrganizationInfo>;
  /** Registered chains, leaf first. */
  readonly chains: readonly (readonly ParsedCertificate[])[];
}

export interface TrustList {
  readonly anchors: readonly ParsedCertificate[];
  readonly revoked: readonly RevokedEntry[];
  readonly participants: readonly Participant[];
  /** Non-fatal findings at build time (e.g. a registered certificate already expired). */
  readonly warnings: readonly string[];
  byClientId(clientId: string): Participant | undefined;
  /** The participant that registered this exact leaf certificate. */
  byCertificate(leaf: CertificateInfo | string): Participant | undefined;
  scopesFor(role: Role): readonly string[];
  /** Full path validation against this list's anchors and revocations at `at` (default: now()). */
  validate(chain: readonly ParsedCertificate[], at?: Date): ChainResult;
  now(): Date;
}

export interface TrustListOptions {
  now: () => Date;
  /** CONFIG_INVALID at start-up (default); INVALID_RESOURCE when an admin submits a new list. */
  errorCode?: Extract<ErrorCode, 'CONFIG_INVALID' | 'INVALID_RESOURCE'>;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function createTrustList(data: TrustListData, options: TrustListOptions): TrustList {
  if (typeof options?.now !== 'function') throw new TypeError('createTrustList needs options.now: () => Date');
  const { now } = options;
  const problems: Issue[] = [];
  const problem = (diagnostics: string, expression: string) =>
    problems.push({ severity: 'error', code: 'invalid', diagnostics, expression: [expression], rule: 'trust-list' });
  const warnings: string[] = [];

  const anchors: ParsedCertificate[] = [];
  (Array.isArray(data?.anchors) ? data.anchors : []).forEach((pem, i) => {
    try {
      anchors.push(...parsePemCertificates(pem));
    } catch {
      problem('The trust anchor cannot be read as a PEM certificate.', `anchors[${i}]`);
    }
  });
  if (!anchors.length) problem('The trust list names no readable trust anchor.', 'anchors');
  const revoked = Array.isArray(data?.revoked) ? data.revoked.filter((r) => typeof r?.serial === 'string') : [];

  const roleScopes: Record<Role, readonly string[]> = { ...DEFAULT_ROLE_SCOPES };
  for (const [role, scopes] of Object.entries(data?.roleScopes ?? {})) {
    if (!ROLES.includes(role as Role) || !Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
      problem(`roleScopes.${role} must be a known role with a list of scope strings.`, `roleScopes.${role}`);
    } else roleScopes[role as Role] = Object.freeze([...scopes]);
  }

  const participants: Participant[] = [];
  const byId = new Map<string, Participant>();
  const byFingerprint = new Map<string, Participant>();
  (Array.isArray(data?.participants) ? data.participants : []).forEach((p, i) => {
    const at = `participants[${i}]`;
    const before = problems.length;
    if (typeof p?.id !== 'string' || !p.id) problem('A participant needs an id (its client_id).', `${at}.id`);
    else if (byId.has(p.id)) problem(`The participant id "${p.id}" appears twice.`, `${at}.id`);
    if (!ROLES.includes(p?.role)) problem(`The role must be one of ${ROLES.join(', ')}.`, `${at}.role`);
    const org = p?.organization;
    if (typeof org?.id !== 'string' || !FHIR_ID.test(org.id)) problem('organization.id must be a FHIR id.', `${at}.organization.id`);
    if (typeof org?.name !== 'string' || !org.name) problem('organization.name is required.', `${at}.organization.name`);
    if (typeof org?.country !== 'string' || !/^[A-Z]{2}$/.test(org.country)) {
      problem('organization.country must be an ISO 3166-1 alpha-2 code.', `${at}.organization.country`);
    }
    const chains: ParsedCertificate[][] = [];
    if (!Array.isArray(p?.certificates) || !p.certificates.length) problem('A participant needs a certificate.', `${at}.certificates`);
    (Array.isArray(p?.certificates) ? p.certificates : []).forEach((pem, j) => {
      const where = `${at}.certificates[${j}]`;
      try {
        const chain = parsePemCertificates(pem);
        validateChain(chain, { anchors, revoked }); // structure only: no instant
        const leaf = chain[0]!.info;
        if (leaf.organizationId !== undefined && leaf.organizationId !== org?.id) {
          problem(`The certificate is bound to organisation "${leaf.organizationId}", not "${String(org?.id)}".`, where);
        }
        if (byFingerprint.has(leaf.fingerprint)) problem('The certificate is registered twice.', where);
        const t = now();
        if (t > leaf.notAfter || t < leaf.notBefore) warnings.push(`${where}: certificate not valid at ${t.toISOString()}`);
        chains.push(chain);
      } catch (e) {
        const reason = e instanceof GatewayError ? String(e.details.reason ?? e.code) : 'unreadable';
        problem(`The certificate is not acceptable (${reason}).`, where);
      }
    });
    if (problems.length !== before) return;
    const participant: Participant = Object.freeze({
      id: p.id,
      role: p.role,
      organization: Object.freeze({
        id: org.id, name: org.name, country: org.country, ...(org.nameZh ? { nameZh: org.nameZh } : {}),
        identifiers: (Array.isArray(org.identifiers) ? org.identifiers : []).map((x) => Object.freeze({ system: x.system, value: x.value })),
      }),
      chains: Object.freeze(chains.map((c) => Object.freeze(c))),
    });
    participants.push(participant);
    byId.set(p.id, participant);
    for (const c of chains) byFingerprint.set(c[0]!.info.fingerprint, participant);
  });

  if (problems.length) {
    throw new GatewayError(options.errorCode ?? 'CONFIG_INVALID', `The trust list has ${problems.length} problem(s).`, { issues: problems });
  }
  const frozenAnchors = Object.freeze(anchors);
  const frozenRevoked = Object.freeze(revoked.map((r) => Object.freeze({ ...r })));
  return Object.freeze({
    anchors: frozenAnchors,
    revoked: frozenRevoked,
    participants: Object.freeze(participants),
    warnings: Object.freeze(warnings),
    byClientId: (id: string) => byId.get(id),
    byCertificate: (leaf: CertificateInfo | string) => byFingerprint.get(typeof leaf === 'string' ? leaf : leaf.fingerprint),
    scopesFor: (role: Role) => roleScopes[role] ?? [],
    validate: (chain: readonly ParsedCertificate[], at?: Date) =>
      validateChain(chain, { anchors: frozenAnchors, revoked: frozenRevoked, at: at ?? now() }),
    now,
  });
}

/** The FHIR R4 Organization resource a participant's organisation is published as. */
export function organizationResource(org: OrganizationInfo): Record<string, unknown> {
  return {
    resourceType: 'Organization',
    id: org.id,
    active: true,
    ...(org.identifiers.length ? { identifier: org.identifiers.map((i) => ({ system: i.system, value: i.value })) } : {}),
    name: org.nameZh ?? org.name,
    ...(org.nameZh ? { alias: [org.name] } : {}),
    address: [{ country: org.country }],
  };
}
