/**
 * SQL repository of the audit log (AuditLog port), one SQL for PGlite and PostgreSQL.
 *
 * Invariants: appends are serialised by a transaction-scoped advisory lock taken before the head
 * is read, so any number of gateway processes on one PostgreSQL write a single chain with no gap
 * and no fork; the append runs in the caller's transaction (the data change and its audit entry
 * commit together) or, given the pool, in a transaction of its own; the event is stored as the
 * canonical JSON the hash covers; any database failure surfaces as AUDIT_FAILED, which fails the
 * request. Nothing here updates or deletes an entry. `appendChainedMany` links a batch (a group
 * commit's entries) under ONE lock, head read and multi-row INSERT: the same chain N single
 * appends would write.
 */
import { GatewayError } from '../../errors.js';
import { canonicalJson } from '../../fhir/canonical.js';
import type { Resource } from '../../fhir/types.js';
import type { Database, SqlClient } from '../db.js';
import type { AuditCheckpoint, AuditLog, AuditQuery, AuditRecord, ChainBuild, ChainHead, TokenKey } from '../ports.js';

/** pg_advisory_xact_lock key of the audit append lock ("audt" in ASCII). */
export const AUDIT_APPEND_LOCK = 0x61756474;
const PAGE = 1000;

interface Row {
  seq: string | number;
  prev_hash: string;
  hash: string;
  event: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function parseEvent(text: string): Resource {
  try {
    const v = JSON.parse(text) as unknown;
    if (isObj(v) && typeof v.resourceType === 'string') return v as Resource;
  } catch {
    /* a damaged row: verification reports it as modified */
  }
  return { resourceType: 'Unparseable', text };
}

/**
 * A record whose `event` is parsed on first access: verification hashes `canonical` (the stored
 * text) and only looks inside an event to classify a break, so a walk over the chain parses nothing.
 */
function toRecord(r: Row): AuditRecord {
  let parsed: Resource | undefined;
  const event = (): Resource => (parsed ??= parseEvent(r.event));
  const rec = { seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash, canonical: r.event } as AuditRecord;
  Object.defineProperty(rec, 'event', { get: event, enumerable: true });
  Object.defineProperty(rec, 'recorded', { get: () => String(event().recorded ?? ''), enumerable: true });
  return rec;
}

/** Token keys of a coding: `system|code`, `code`, `system|` (or `|code` without a system). */
function codingKeys(c: unknown, out: Set<string>): void {
  if (!isObj(c) || !str(c.code)) return;
  const code = c.code as string;
  const system = str(c.system);
  out.add(code);
  out.add(system ? `${system}|${code}` : `|${code}`);
  if (system) out.add(`${system}|`);
}

function referenceKeys(ref: unknown, out: Set<string>): void {
  if (!isObj(ref)) return;
  const r = str(ref.reference);
  if (r) {
    out.add(r);
    const slash = r.lastIndexOf('/');
    if (slash >= 0) out.add(r.slice(slash + 1));
  }
  if (isObj(ref.identifier) && str(ref.identifier.value)) {
    out.add(ref.identifier.value as string);
    if (str(ref.identifier.system)) out.add(`${ref.identifier.system as string}|${ref.identifier.value as string}`);
  }
}

/** Search columns from the event, following the FHIR R4 AuditEvent search parameter paths. */
export function auditIndexKeys(e: Resource): { patient: string[]; agent: string[]; entity: string[]; type: string[]; subtype: string[]; outcome: string } {
  const patient = new Set<string>();
  const agent = new Set<string>();
  const entity = new Set<string>();
  const type = new Set<string>();
  const subtype = new Set<string>();
  codingKeys(e.type, type);
  for (const c of arr(e.subtype)) codingKeys(c, subtype);
  for (const a of arr(e.agent)) {
    if (!isObj(a)) continue;
    referenceKeys(a.who, agent);
    if (isObj(a.who) && str(a.who.display)) agent.add(a.who.display as string);
    if (str(a.name)) agent.add(a.name as string);
  }
  for (const en of arr(e.entity)) {
    if (!isObj(en)) continue;
    const what = en.what;
    referenceKeys(what, entity);
    // patient = AuditEvent.entity.what.where(resolve() is Patient)
    const isPatient = (isObj(en.role) && en.role.code === '1') || (isObj(what) && (what.type === 'Patient' || String(what.reference ?? '').startsWith('Patient/')));
    if (!isPatient || !isObj(what)) continue;
    if (str(what.reference)) patient.add(what.reference as string);
    if (isObj(what.identifier) && str(what.identifier.system) && str(what.identifier.value)) {
      patient.add(`${what.identifier.system as string}|${what.identifier.value as string}`);
    }
    for (const d of arr(en.detail)) if (isObj(d) && d.type === 'identifier' && str(d.valueString)) patient.add(d.valueString as string);
  }
  return { patient: [...patient], agent: [...agent], entity: [...entity], type: [...type], subtype: [...subtype], outcome: String(e.outcome ?? '') };
}

function tokenKey(t: TokenKey): string {
  if (t.system === undefined) return t.code ?? '';
  if (t.code === undefined) return `${t.system}|`;
  return `${t.system}|${t.code}`;
}

function hasTransaction(c: SqlClient): c is Database {
  return typeof (c as Partial<Database>).transaction === 'function';
}

function auditFailed(cause: unknown): GatewayError {
  if (cause instanceof GatewayError || cause instanceof TypeError) return cause as GatewayError;
  return new GatewayError('AUDIT_FAILED', 'The audit entry could not be written; the request was not completed.', { cause });
}

export function createSqlAuditLog(client: SqlClient): AuditLog {
  const inTransaction = <T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> => (hasTransaction(client) ? client.transaction(fn) : fn(client));

  async function readHead(c: SqlClient): Promise<ChainHead | null> {
    const r = await c.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const row = r.rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  }

  /**
   * Under the append lock: one head read, each build linked onto the previous one in order (each
   * entry its own chain link, exactly as N single appends would make it), one multi-row INSERT.
   */
  async function appendLocked(builds: readonly ChainBuild[]): Promise<AuditRecord[]> {
    if (!builds.length) return [];
    return inTransaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_APPEND_LOCK]);
      let head = await readHead(tx);
      const records: AuditRecord[] = [];
      const values: string[] = [];
      const params: unknown[] = [];
      for (const build of builds) {
        const seq = (head?.seq ?? 0) + 1;
        const prevHash = head?.hash ?? '0'.repeat(64);
        const { event, hash, recorded, canonical } = build(head);
        if (event.id !== String(seq)) throw new TypeError(`audit build must number the event ${seq}`);
        // Stored byte-exact as hashed; chainLink hands over the canonical text it hashed.
        const text = canonical ?? canonicalJson(event);
        const k = auditIndexKeys(event);
        const b = params.length;
        values.push(`(${Array.from({ length: 11 }, (_, i) => `$${b + i + 1}`).join(', ')})`);
        params.push(seq, recorded, prevHash, hash, text, k.patient, k.agent, k.entity, k.type, k.subtype, k.outcome);
        records.push({ seq, recorded, prevHash, hash, event, canonical: text });
        head = { seq, hash };
      }
      await tx.query(
        `INSERT INTO audit_log (seq, recorded, prev_hash, hash, event, patient_keys, agent_keys, entity_keys, type_keys, subtype_keys, outcome)
         VALUES ${values.join(', ')}`,
        params,
      );
      return records;
    });
  }

  return {
    async appendChained(build) {
      try {
        return (await appendLocked([build]))[0]!;
      } catch (e) {
        throw auditFailed(e);
      }
    },

    async appendChainedMany(builds) {
      try {
        return await appendLocked(builds);
      } catch (e) {
        throw auditFailed(e);
      }
    },

    head: () => readHead(client),

    async *iterate(fromSeq = 1) {
      let next = fromSeq;
      for (;;) {
        const r = await client.query<Row>('SELECT seq, prev_hash, hash, event FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [next, PAGE]);
        for (const row of r.rows) yield toRecord(row);
        if (r.rows.length < PAGE) return;
        next = Number(r.rows[r.rows.length - 1]!.seq) + 1;
      }
    },

    async search(q: AuditQuery) {
      const where: string[] = [];
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      const overlap = (col: string, groups: string[][]) => {
        for (const g of groups) where.push(`${col} && ${p(g)}::text[]`);
      };
      overlap('patient_keys', q.patient);
      overlap('patient_keys', q.patientIdentifier.map((g) => g.map((k) => `${k.system}|${k.value}`)));
      overlap('agent_keys', q.agent);
      overlap('entity_keys', q.entity);
      overlap('type_keys', q.type.map((g) => g.map(tokenKey)));
      overlap('subtype_keys', q.subtype.map((g) => g.map(tokenKey)));
      for (const g of q.outcome) where.push(`outcome = ANY(${p(g)}::text[])`);
      for (const t of q.recordedFrom) where.push(`recorded >= ${p(t)}::timestamptz`);
      for (const t of q.recordedBefore) where.push(`recorded < ${p(t)}::timestamptz`);
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = await client.query<{ n: string | number }>(`SELECT count(*) AS n FROM audit_log ${w}`, params);
      const rows = q.count === 0
        ? { rows: [] as Row[] }
        : await client.query<Row>(
            `SELECT seq, prev_hash, hash, event FROM audit_log ${w} ORDER BY seq ${q.sort === '-seq' ? 'DESC' : 'ASC'} LIMIT ${p(q.count)} OFFSET ${p(q.offset)}`,
            params,
          );
      return { total: Number(total.rows[0]?.n ?? 0), records: rows.rows.map(toRecord) };
    },

    async addCheckpoint(cp) {
      try {
        await client.query('INSERT INTO audit_checkpoint (seq, head_hash, time, jws) VALUES ($1, $2, $3, $4)', [cp.seq, cp.headHash, cp.time, cp.jws]);
      } catch (e) {
        throw auditFailed(e);
      }
    },

    async *checkpoints() {
      // Ascending by seq (two processes may store their checkpoints out of seq order).
      let after: [number, number] = [-1, 0];
      for (;;) {
        const r = await client.query<{ id: string | number; seq: string | number; head_hash: string; time: string | Date; jws: string }>(
          'SELECT id, seq, head_hash, time, jws FROM audit_checkpoint WHERE (seq, id) > ($1, $2) ORDER BY seq, id LIMIT $3',
          [after[0], after[1], PAGE],
        );
        for (const row of r.rows) {
          yield { seq: Number(row.seq), headHash: row.head_hash, time: new Date(row.time).toISOString(), jws: row.jws } satisfies AuditCheckpoint;
        }
        if (r.rows.length < PAGE) return;
        const last = r.rows[r.rows.length - 1]!;
        after = [Number(last.seq), Number(last.id)];
      }
    },
  };
}
