/**
 * What the use cases are built from: the store, the clock and id generator, and the stage
 * functions the composition root plugs in (validation, signature verification, audit). Keeping
 * them as plain functions lets each stage stay independent of the others.
 */
import type { Issue } from '../errors.js';
import type { Bundle, Resource } from '../fhir/types.js';
import type { Store, Stores } from '../store/ports.js';
import type { AuditFacts } from '../audit/events.js';
import type { GatewayKeys, TrustList } from '../trust/index.js';
import type { Translator } from '../translate/index.js';
import type { Clock, Ids, Principal, RequestContext } from './context.js';
import type { ConsentDeps } from './consent-deps.js';

/**
 * What a use case says about an interaction for the audit log; the composition root adds the
 * time, the actor and the source address from the request context.
 */
export type AuditNote = Omit<AuditFacts, 'recorded' | 'requestId' | 'actor' | 'sourceAddress'> & {
  ctx: RequestContext;
  linkRecipient?: string;
};

export interface GatewayUrls {
  /** Public base URL (issuer of access tokens). */
  issuer: string;
  /** FHIR base URL (audience of access tokens). */
  fhirBase: string;
  /** POST /auth/token (audience of client assertions). */
  token: string;
  jwks: string;
}

export interface GatewayDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Parses an incoming body into a resource (JSON, or CDA XML converted), with intake warnings. */
  ingest(input: { body: string; contentType: string | undefined }): { resource: Resource; issues: Issue[] };
  /** Validates any resource (against the given profiles, or the ones its content calls for). */
  validate(resource: Resource, profiles: string[]): Promise<{ issues: Issue[] }>;
  /** Validation and signature checks for a submitted document; throws a coded 422 on errors. */
  checkDocument(bundle: Bundle, submitter: Principal): Promise<{ issues: Issue[] }>;
  trust: TrustList;
  keys: GatewayKeys;
  urls: GatewayUrls;
  accessTokenSeconds: number;
  /** Hospitals must sign submitted documents. */
  requireSignatures: boolean;
  /** Writes one audit entry inside the given transaction. */
  audit(tx: Stores, note: AuditNote): Promise<void>;
  /** The translation stage (documents and single codes). */
  translator: Translator;
  /** Consent links, tokens, invitations, export accounting (issue 6). */
  consent: ConsentDeps;
}
