/**
 * Storage ports: what the gateway's use cases need from persistence, in plain data. The SQL
 * adapter (store/sql/) implements them over PGlite or PostgreSQL with one schema.
 *
 * Invariants: every write that must be audited happens inside `withTransaction`, together with its
 * audit entry (ARCHITECTURE.md "Storage"); the audit log is append-only — no port updates or
 * deletes an entry.
 */
import type { Bundle, Resource } from '../fhir/types.js';
import type { ConsentPorts } from '../consent/ports.js';

export interface IdentifierKey {
  system: string;
  value: string;
}

export interface StoredDocument {
  id: string;
  versionId: number;
  lastUpdated: string;
  identifier: IdentifierKey;
  /** SHA-256 of the canonical submitted content, for idempotent resubmission. */
  contentHash: string;
  /** Participant id of the submitting hospital (null for documents loaded by an operator). */
  submitter: string | null;
  patientIdentifiers: IdentifierKey[];
  /** The Bundle as stored (meta.versionId and meta.lastUpdated set). */
  resource: Bundle;
  /**
   * Set by `insertVersion` only: the text it stored, which is JSON.stringify(resource), so the
   * submission's answer sends it instead of serialising the document again.
   */
  resourceJson?: string;
}

/** The current version of a document without its resource text (DocumentStore.currentVersion). */
export type DocumentHead = Pick<StoredDocument, 'id' | 'versionId' | 'lastUpdated' | 'submitter' | 'patientIdentifiers'>;

export interface NewDocument {
  id: string;
  identifier: IdentifierKey;
  contentHash: string;
  submitter: string | null;
  patientIdentifiers: IdentifierKey[];
  resource: Bundle;
  lastUpdated: string;
}

export interface DocumentSearch {
  identifier?: IdentifierKey;
  patientIdentifier?: IdentifierKey;
  /** Restrict to one submitter (a hospital reads only its own submissions). */
  submitter?: string;
  ids?: string[];
  count: number;
  offset: number;
}

export interface DocumentStore {
  /** Latest version of the logical document with this Bundle.identifier, if any. */
  findByIdentifier(identifier: IdentifierKey): Promise<StoredDocument | undefined>;
  /** Stores version `versionId` (1 for a new document). */
  insertVersion(doc: NewDocument, versionId: number): Promise<StoredDocument>;
  get(id: string, versionId?: number): Promise<StoredDocument | undefined>;
  /**
   * Latest version of `id` without the resource (no document text read or parsed): what an
   * access decision needs to find the version, its submitter and patients.
   */
  currentVersion(id: string): Promise<DocumentHead | undefined>;
  search(query: DocumentSearch): Promise<{ total: number; documents: StoredDocument[] }>;
}

/** Head of the audit hash chain. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Given the head read under the append lock, numbers and hashes one entry (audit/chain.ts chainLink). */
export type ChainBuild = (head: ChainHead | null) => { event: Resource; hash: string; recorded: string; canonical?: string };

export interface AuditRecord {
  seq: number;
  recorded: string;
  prevHash: string;
  hash: string;
  event: Resource;
  /** The event's RFC 8785 canonical JSON as stored (lets verification hash without re-serialising). */
  canonical?: string;
}

/** A signed checkpoint of the chain head (src/audit/checkpoint.ts); `jws` is a compact JWS. */
export interface AuditCheckpoint {
  seq: number;
  headHash: string;
  time: string;
  jws: string;
}

/** A token search value: `system|code`, `code`, `|code` (no system) or `system|` (any code). */
export interface TokenKey {
  system?: string;
  code?: string;
}

/** Typed AuditEvent search (src/audit/search.ts parses the FHIR parameters into it). */
export interface AuditQuery {
  /** Each inner list is OR-ed, the lists are AND-ed (FHIR: comma = OR, repeated param = AND). */
  patient: string[][];
  patientIdentifier: IdentifierKey[][];
  agent: string[][];
  entity: string[][];
  type: TokenKey[][];
  subtype: TokenKey[][];
  outcome: string[][];
  /** recorded >= / < these instants (each date parameter gives one or two bounds). */
  recordedFrom: string[];
  recordedBefore: string[];
  sort: 'seq' | '-seq';
  count: number;
  offset: number;
}

export interface AuditLog {
  /**
   * Appends one entry to the single chain. The store serialises appenders (an advisory lock in
   * PostgreSQL) and calls `build` with the current head; `build` returns the entry and its hash.
   */
  appendChained(build: ChainBuild): Promise<AuditRecord>;
  /**
   * Appends several entries in order under one lock and one head read (a group commit's batch):
   * each build is called with the previous entry as head, so the chain is the one N single
   * appends would write. Resolves with the records in the order of `builds`.
   */
  appendChainedMany(builds: readonly ChainBuild[]): Promise<AuditRecord[]>;
  /** Current head of the chain (null when empty). */
  head(): Promise<ChainHead | null>;
  /** Entries with seq >= fromSeq, ascending, read page by page (constant memory). */
  iterate(fromSeq?: number): AsyncIterable<AuditRecord>;
  search(query: AuditQuery): Promise<{ total: number; records: AuditRecord[] }>;
  addCheckpoint(cp: AuditCheckpoint): Promise<void>;
  /** Checkpoints ascending by seq. */
  checkpoints(): AsyncIterable<AuditCheckpoint>;
}

/** One-time use of client-assertion ids (SMART Backend Services replay protection). */
export interface ReplayGuard {
  /** Records the jti; true the first time, false when it was seen before. Atomic. */
  firstUse(jti: string, exp: Date): Promise<boolean>;
}

/** The consent stage's ports (src/consent/ports.ts) plus the admin's export accounting view. */
export interface ConsentStores extends ConsentPorts {
  /** Distinct persons exported per hospital (Organization id) and calendar year, newest year first. */
  exportCounts(): Promise<{ hospitalId: string; year: number; persons: number }[]>;
}

export interface Stores {
  documents: DocumentStore;
  audit: AuditLog;
  replay: ReplayGuard;
  consent: ConsentStores;
}

export interface Store extends Stores {
  readonly kind: 'pglite' | 'postgres';
  readonly capabilities: { multiProcess: boolean };
  withTransaction<T>(fn: (tx: Stores) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
