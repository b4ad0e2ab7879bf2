/**
 * What the consent stage needs from storage, as small interfaces the SQL adapter implements.
 *
 * Invariants the implementation must keep (ARCHITECTURE.md habit 6, SHL spec "Monitoring
 * remaining attempts"): secrets are stored only as hashes (SHA-256 hex from secrets.ts; passcodes
 * as scrypt strings) and looked up by hash; every counter and one-time use is decided by ONE
 * atomic SQL statement (conditional UPDATE … RETURNING), never read-then-write in application
 * code, so parallel requests cannot exceed a budget; consent versions are append-only (a new row
 * per version; `current` is the highest version). Times are ISO 8601 UTC strings.
 */
import type { Consent } from './model.js';
import type { IdentifierKey } from './types.js';

// ---- consents -----------------------------------------------------------------------------------

export interface ConsentRecord {
  id: string;
  versionId: number;
  /** consentKey(patient, recipient, purpose): one current active consent per key. */
  key: string;
  patient: IdentifierKey;
  /** Participant id of an organization recipient (null for a named person). */
  recipientId: string | null;
  hospitalId: string;
  status: string;
  /** Validity end, for listing and expiry sweeps. */
  end: string;
  recorded: string;
  resource: Consent;
}

export interface ConsentStore {
  /**
   * Appends version `record.versionId` of consent `record.id` (1 for a new consent). Must fail
   * with a conflict if that version already exists (optimistic concurrency):
   * `INSERT INTO consent_version (id, version_id, …) VALUES (…)` with PRIMARY KEY (id, version_id).
   */
  saveVersion(record: ConsentRecord): Promise<void>;
  /** Highest version of a consent, or undefined. */
  getCurrent(id: string): Promise<ConsentRecord | undefined>;
  /** The current version of the consent with this key whose status is active, if any. */
  findActiveByKey(key: string): Promise<ConsentRecord | undefined>;
  /** Current versions of all consents of a patient (identifier system + value), newest first. */
  listByPatient(patient: IdentifierKey): Promise<ConsentRecord[]>;
}

// ---- links (SHL), management links, file tickets -----------------------------------------------

export type LinkKind = 'shl' | 'management';

export interface LinkRecord {
  /** SHA-256 hex of the random URL segment (the SHL manifest id or the management secret). */
  hash: string;
  kind: LinkKind;
  consentId: string;
  /** SHL: passcode scrypt hash when flag P, else null. */
  passcodeHash: string | null;
  /** SHL payload key (base64url). Needed to encrypt files; never logged. */
  key: string | null;
  failures: number;
  budget: number;
  active: boolean;
  created: string;
  /** Link expiry (SHL `exp`); null = follows the consent. */
  expires: string | null;
}

export interface FailedAttempt {
  /** Attempts left after this failure (0 = the link is now disabled). */
  remainingAttempts: number;
  /** True when this failure used up the budget and deactivated the link. */
  disabled: boolean;
}

export interface LinkStore {
  create(link: LinkRecord): Promise<void>;
  /** The link with this hash, whatever its state (the caller answers inactive ones like unknown). */
  findByHash(hash: string): Promise<LinkRecord | undefined>;
  /**
   * Counts one wrong passcode atomically and returns what is left; undefined when the link is
   * unknown or already inactive. E.g.
   * `UPDATE link SET failures = failures + 1, active = (failures + 1 < budget)
   *  WHERE hash = $1 AND active AND failures < budget RETURNING budget - failures AS remaining`.
   */
  recordFailedAttempt(hash: string): Promise<FailedAttempt | undefined>;
  /** Deactivates one link (revocation). */
  deactivate(hash: string): Promise<void>;
  /**
   * Deactivates the links of a consent, of one kind or all. Withdrawal ends the SHL links only:
   * the patient's management link outlives the consent so the patient keeps seeing its accesses
   * (PIPL art. 45: the right to consult). Returns how many were active.
   */
  deactivateByConsent(consentId: string, kind?: LinkKind): Promise<number>;
  /** All links of a consent (management API). */
  listByConsent(consentId: string): Promise<LinkRecord[]>;
}

/** A short-lived, single-use `.files.location` (SHL: lifetime ≤ 1 hour). */
export interface FileTicket {
  /** SHA-256 hex of the random location segment. */
  hash: string;
  linkHash: string;
  consentId: string;
  documentId: string;
  /** Declared recipient from the manifest request (for the audit entry of the download). */
  recipient: string;
  expires: string;
}

export interface FileTicketStore {
  create(ticket: FileTicket): Promise<void>;
  /**
   * Uses a ticket once, atomically; undefined when unknown, used or expired:
   * `DELETE FROM file_ticket WHERE hash = $1 AND expires > $2 RETURNING *`.
   */
  consume(hash: string, now: string): Promise<FileTicket | undefined>;
}

// ---- invitations ------------------------------------------------------------------------------

export interface InvitationRecord {
  /** SHA-256 hex of the invitation secret. */
  hash: string;
  hospitalId: string;
  patient: IdentifierKey;
  /** Bundle ids the hospital proposed (may be empty: the patient chooses). */
  documents: string[];
  created: string;
  expires: string;
  used: string | null;
}

export interface InvitationStore {
  create(inv: InvitationRecord): Promise<void>;
  /** Read without using it (to show the self-service page); undefined when unknown/used/expired. */
  peek(hash: string, now: string): Promise<InvitationRecord | undefined>;
  /**
   * Uses the invitation once, atomically; undefined when unknown, used or expired:
   * `UPDATE invitation SET used = $2 WHERE hash = $1 AND used IS NULL AND expires > $2 RETURNING *`.
   */
  consume(hash: string, now: string): Promise<InvitationRecord | undefined>;
}

// ---- export ledger ----------------------------------------------------------------------------

export interface ExportLedger {
  /**
   * Records that `person` (a stable patient key, e.g. hashSecret(system|value)) was exported by
   * `hospitalId` in `year`; returns true when it is new for that year:
   * `INSERT … ON CONFLICT (hospital_id, year, person) DO NOTHING RETURNING 1`.
   */
  recordPerson(hospitalId: string, year: number, person: string): Promise<boolean>;
  /** Distinct persons recorded for that hospital and year. */
  countDistinct(hospitalId: string, year: number): Promise<number>;
  /** Whether the person is already recorded for that hospital and year. */
  hasPerson(hospitalId: string, year: number, person: string): Promise<boolean>;
  /**
   * The atomic form used on every export: `existing` when the person is already counted this
   * year; otherwise records them only while the distinct count stays ≤ `ceiling` (`recorded`),
   * else `refused` — decided in one transaction so parallel exports cannot pass the ceiling, e.g.
   * a per (hospital, year) counter row:
   * `UPDATE export_counter SET persons = persons + 1 WHERE hospital_id = $1 AND year = $2
   *  AND persons < $3 RETURNING persons` after `INSERT … ON CONFLICT DO NOTHING` of the person.
   */
  admitPerson(hospitalId: string, year: number, person: string, ceiling: number): Promise<'existing' | 'recorded' | 'refused'>;
}

export interface ConsentPorts {
  consents: ConsentStore;
  links: LinkStore;
  files: FileTicketStore;
  invitations: InvitationStore;
  ledger: ExportLedger;
}
