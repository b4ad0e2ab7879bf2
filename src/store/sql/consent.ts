/**
 * SQL adapter of the consent stage's ports (src/consent/ports.ts), one SQL for PGlite and
 * PostgreSQL: consents (append-only versions), links, file tickets, invitations, export ledger.
 *
 * Invariants (ports.ts header, SHL spec "Monitoring remaining attempts"): every budget, one-time
 * use and ceiling is decided by one conditional statement (UPDATE/DELETE … RETURNING) under the
 * row lock, never read-then-write in code, so parallel requests cannot exceed it; a consent
 * version is INSERTed, never updated (PRIMARY KEY (id, version_id) refuses a concurrent second
 * writer of the same version with a unique violation); only hashes of secrets are stored.
 */
import type { Consent } from '../../consent/model.js';
import type {
  ConsentRecord, ConsentStore, ExportLedger, FileTicket, FileTicketStore, InvitationRecord, InvitationStore,
  LinkRecord, LinkStore,
} from '../../consent/ports.js';
import type { Database, SqlClient } from '../db.js';
import type { ConsentStores } from '../ports.js';

type Row = Record<string, unknown>;
const iso = (v: unknown): string => new Date(v as string | Date).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

const CONSENT_COLUMNS = 'c.id, c.version_id, c.consent_key, c.patient_system, c.patient_value, c.recipient_id, c.hospital_id, c.status, c.end_at, c.recorded, c.resource';
const CURRENT = 'c.version_id = (SELECT max(v.version_id) FROM consent_version v WHERE v.id = c.id)';

function consentFromRow(r: Row): ConsentRecord {
  return {
    id: String(r.id),
    versionId: Number(r.version_id),
    key: String(r.consent_key),
    patient: { system: String(r.patient_system), value: String(r.patient_value) },
    recipientId: r.recipient_id === null ? null : String(r.recipient_id),
    hospitalId: String(r.hospital_id),
    status: String(r.status),
    end: iso(r.end_at),
    recorded: iso(r.recorded),
    resource: JSON.parse(String(r.resource)) as Consent,
  };
}

function linkFromRow(r: Row): LinkRecord {
  return {
    hash: String(r.hash),
    kind: r.kind === 'management' ? 'management' : 'shl',
    consentId: String(r.consent_id),
    passcodeHash: r.passcode_hash === null ? null : String(r.passcode_hash),
    key: r.shl_key === null ? null : String(r.shl_key),
    failures: Number(r.failures),
    budget: Number(r.budget),
    active: r.active === true,
    created: iso(r.created),
    expires: isoOrNull(r.expires),
  };
}

function invitationFromRow(r: Row): InvitationRecord {
  return {
    hash: String(r.hash),
    hospitalId: String(r.hospital_id),
    patient: { system: String(r.patient_system), value: String(r.patient_value) },
    documents: JSON.parse(String(r.documents)) as string[],
    created: iso(r.created),
    expires: iso(r.expires),
    used: isoOrNull(r.used),
  };
}

function ticketFromRow(r: Row): FileTicket {
  return {
    hash: String(r.hash),
    linkHash: String(r.link_hash),
    consentId: String(r.consent_id),
    documentId: String(r.document_id),
    recipient: String(r.recipient),
    expires: iso(r.expires),
  };
}

export function createSqlConsentStore(db: SqlClient): ConsentStore {
  return {
    async saveVersion(rec) {
      await db.query(
        `INSERT INTO consent_version (id, version_id, consent_key, patient_system, patient_value, recipient_id, hospital_id, status, end_at, recorded, resource)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [rec.id, rec.versionId, rec.key, rec.patient.system, rec.patient.value, rec.recipientId, rec.hospitalId, rec.status, rec.end, rec.recorded, JSON.stringify(rec.resource)],
      );
    },
    async getCurrent(id) {
      const r = await db.query<Row>(`SELECT ${CONSENT_COLUMNS} FROM consent_version c WHERE c.id = $1 ORDER BY c.version_id DESC LIMIT 1`, [id]);
      return r.rows[0] ? consentFromRow(r.rows[0]) : undefined;
    },
    async findActiveByKey(key) {
      const r = await db.query<Row>(
        `SELECT ${CONSENT_COLUMNS} FROM consent_version c WHERE c.consent_key = $1 AND ${CURRENT} AND c.status = 'active'
         ORDER BY c.recorded DESC LIMIT 1`,
        [key],
      );
      return r.rows[0] ? consentFromRow(r.rows[0]) : undefined;
    },
    async listByPatient(patient) {
      const r = await db.query<Row>(
        `SELECT ${CONSENT_COLUMNS} FROM consent_version c WHERE c.patient_system = $1 AND c.patient_value = $2 AND ${CURRENT}
         ORDER BY c.recorded DESC, c.id`,
        [patient.system, patient.value],
      );
      return r.rows.map(consentFromRow);
    },
  };
}

export function createSqlLinkStore(db: SqlClient): LinkStore {
  return {
    async create(l) {
      await db.query(
        `INSERT INTO consent_link (hash, kind, consent_id, passcode_hash, shl_key, failures, budget, active, created, expires)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [l.hash, l.kind, l.consentId, l.passcodeHash, l.key, l.failures, l.budget, l.active, l.created, l.expires],
      );
    },
    async findByHash(hash) {
      const r = await db.query<Row>('SELECT * FROM consent_link WHERE hash = $1', [hash]);
      return r.rows[0] ? linkFromRow(r.rows[0]) : undefined;
    },
    async recordFailedAttempt(hash) {
      // One statement under the row lock: parallel wrong guesses consume exactly the budget.
      const r = await db.query<{ remaining: number | string; active: boolean }>(
        `UPDATE consent_link SET failures = failures + 1, active = (failures + 1 < budget)
         WHERE hash = $1 AND active AND failures < budget
         RETURNING budget - failures AS remaining, active`,
        [hash],
      );
      const row = r.rows[0];
      return row ? { remainingAttempts: Number(row.remaining), disabled: row.active !== true } : undefined;
    },
    async deactivate(hash) {
      await db.query('UPDATE consent_link SET active = false WHERE hash = $1', [hash]);
    },
    async deactivateByConsent(consentId, kind) {
      const r = await db.query<Row>(
        'UPDATE consent_link SET active = false WHERE consent_id = $1 AND active AND ($2::text IS NULL OR kind = $2) RETURNING hash',
        [consentId, kind ?? null],
      );
      return r.rows.length;
    },
    async listByConsent(consentId) {
      const r = await db.query<Row>('SELECT * FROM consent_link WHERE consent_id = $1 ORDER BY created, hash', [consentId]);
      return r.rows.map(linkFromRow);
    },
  };
}

export function createSqlFileTicketStore(db: SqlClient): FileTicketStore {
  return {
    async create(t) {
      await db.query(
        'INSERT INTO consent_file_ticket (hash, link_hash, consent_id, document_id, recipient, expires) VALUES ($1, $2, $3, $4, $5, $6)',
        [t.hash, t.linkHash, t.consentId, t.documentId, t.recipient, t.expires],
      );
    },
    async consume(hash, now) {
      // Single use: the DELETE decides; an expired ticket is also removed by nobody but stays unusable.
      const r = await db.query<Row>('DELETE FROM consent_file_ticket WHERE hash = $1 AND expires > $2 RETURNING *', [hash, now]);
      return r.rows[0] ? ticketFromRow(r.rows[0]) : undefined;
    },
  };
}

export function createSqlInvitationStore(db: SqlClient): InvitationStore {
  return {
    async create(inv) {
      await db.query(
        `INSERT INTO consent_invitation (hash, hospital_id, patient_system, patient_value, documents, created, expires, used)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [inv.hash, inv.hospitalId, inv.patient.system, inv.patient.value, JSON.stringify(inv.documents), inv.created, inv.expires, inv.used],
      );
    },
    async peek(hash, now) {
      const r = await db.query<Row>('SELECT * FROM consent_invitation WHERE hash = $1 AND used IS NULL AND expires > $2', [hash, now]);
      return r.rows[0] ? invitationFromRow(r.rows[0]) : undefined;
    },
    async consume(hash, now) {
      const r = await db.query<Row>(
        'UPDATE consent_invitation SET used = $2 WHERE hash = $1 AND used IS NULL AND expires > $2 RETURNING *',
        [hash, now],
      );
      return r.rows[0] ? invitationFromRow(r.rows[0]) : undefined;
    },
  };
}

/** Largest value the integer counter column holds: an unbounded ceiling (security assessment). */
const INT_MAX = 2_147_483_647;

function hasTransaction(c: SqlClient): c is Database {
  return typeof (c as Partial<Database>).transaction === 'function';
}

export function createSqlExportLedger(db: SqlClient): ExportLedger {
  const inTransaction = <T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> => (hasTransaction(db) ? db.transaction(fn) : fn(db));
  return {
    async recordPerson(hospitalId, year, person) {
      return inTransaction(async (tx) => {
        const r = await tx.query('INSERT INTO export_person (hospital_id, year, person) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1 AS n', [hospitalId, year, person]);
        if (!r.rows.length) return false;
        await tx.query(
          `INSERT INTO export_counter (hospital_id, year, persons) VALUES ($1, $2, 1)
           ON CONFLICT (hospital_id, year) DO UPDATE SET persons = export_counter.persons + 1`,
          [hospitalId, year],
        );
        return true;
      });
    },
    async countDistinct(hospitalId, year) {
      const r = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM export_person WHERE hospital_id = $1 AND year = $2', [hospitalId, year]);
      return Number(r.rows[0]?.n ?? 0);
    },
    async hasPerson(hospitalId, year, person) {
      const r = await db.query('SELECT 1 FROM export_person WHERE hospital_id = $1 AND year = $2 AND person = $3', [hospitalId, year, person]);
      return r.rows.length > 0;
    },
    async admitPerson(hospitalId, year, person, ceiling) {
      const limit = Number.isFinite(ceiling) ? Math.max(0, Math.min(INT_MAX, Math.floor(ceiling))) : INT_MAX;
      return inTransaction(async (tx) => {
        await tx.query('INSERT INTO export_counter (hospital_id, year, persons) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [hospitalId, year]);
        // A concurrent insert of the same person waits on the primary key until this commits.
        const inserted = await tx.query('INSERT INTO export_person (hospital_id, year, person) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1 AS n', [hospitalId, year, person]);
        if (!inserted.rows.length) return 'existing' as const;
        const counted = await tx.query(
          'UPDATE export_counter SET persons = persons + 1 WHERE hospital_id = $1 AND year = $2 AND persons < $3 RETURNING persons',
          [hospitalId, year, limit],
        );
        if (counted.rows.length) return 'recorded' as const;
        await tx.query('DELETE FROM export_person WHERE hospital_id = $1 AND year = $2 AND person = $3', [hospitalId, year, person]);
        return 'refused' as const;
      });
    },
  };
}

/** All consent ports bound to one client (the pool, or one transaction's connection). */
export function createSqlConsentPorts(db: SqlClient): ConsentStores {
  return {
    consents: createSqlConsentStore(db),
    links: createSqlLinkStore(db),
    files: createSqlFileTicketStore(db),
    invitations: createSqlInvitationStore(db),
    ledger: createSqlExportLedger(db),
    async exportCounts() {
      const r = await db.query<Row>('SELECT hospital_id, year, persons FROM export_counter WHERE persons > 0 ORDER BY year DESC, hospital_id');
      return r.rows.map((x) => ({ hospitalId: String(x.hospital_id), year: Number(x.year), persons: Number(x.persons) }));
    },
  };
}
