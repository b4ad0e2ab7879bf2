/**
 * SQL repository for stored document Bundles (DocumentStore port). One SQL for PGlite and
 * PostgreSQL. The resource text is stored exactly as given.
 */
import type { Bundle } from '../../fhir/types.js';
import type { SqlClient } from '../db.js';
import type { DocumentSearch, DocumentStore, IdentifierKey, NewDocument, StoredDocument } from '../ports.js';

interface Row {
  id: string;
  version_id: number;
  identifier_system: string;
  identifier_value: string;
  content_hash: string;
  submitter: string | null;
  last_updated: string | Date;
  resource: string;
  patients?: string | null;
}

const COLUMNS = `d.id, d.version_id, d.identifier_system, d.identifier_value, d.content_hash, d.submitter,
  d.last_updated, d.resource,
  (SELECT string_agg(p.system || '|' || p.value, chr(10)) FROM document_patient p
     WHERE p.id = d.id AND p.version_id = d.version_id) AS patients`;

const LATEST = `d.version_id = (SELECT max(v.version_id) FROM document_version v WHERE v.id = d.id)`;

function toIso(v: string | Date): string {
  return new Date(v).toISOString();
}

function patientKeys(patients: string | null | undefined): IdentifierKey[] {
  return (patients ?? '')
    .split('\n')
    .filter(Boolean)
    .map((s) => {
      const i = s.indexOf('|');
      return { system: s.slice(0, i), value: s.slice(i + 1) };
    });
}

function fromRow(r: Row): StoredDocument {
  const patientIdentifiers = patientKeys(r.patients);
  return {
    id: r.id,
    versionId: Number(r.version_id),
    lastUpdated: toIso(r.last_updated),
    identifier: { system: r.identifier_system, value: r.identifier_value },
    contentHash: r.content_hash,
    submitter: r.submitter,
    patientIdentifiers,
    resource: JSON.parse(r.resource) as Bundle,
  };
}

export function createSqlDocumentStore(db: SqlClient): DocumentStore {
  return {
    async findByIdentifier(identifier) {
      const r = await db.query<Row>(
        `SELECT ${COLUMNS} FROM document_version d
         WHERE d.identifier_system = $1 AND d.identifier_value = $2 ORDER BY d.version_id DESC LIMIT 1`,
        [identifier.system, identifier.value],
      );
      return r.rows[0] ? fromRow(r.rows[0]) : undefined;
    },

    async insertVersion(doc: NewDocument, versionId: number) {
      const resourceJson = JSON.stringify(doc.resource);
      await db.query(
        `INSERT INTO document_version (id, version_id, identifier_system, identifier_value, content_hash, submitter, last_updated, resource)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [doc.id, versionId, doc.identifier.system, doc.identifier.value, doc.contentHash, doc.submitter, doc.lastUpdated, resourceJson],
      );
      const seen = new Set<string>();
      for (const p of doc.patientIdentifiers) {
        const key = `${p.system}|${p.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        await db.query('INSERT INTO document_patient (id, version_id, system, value) VALUES ($1, $2, $3, $4)', [doc.id, versionId, p.system, p.value]);
      }
      return { ...doc, versionId, patientIdentifiers: [...doc.patientIdentifiers], resourceJson };
    },

    async get(id, versionId) {
      const r = versionId
        ? await db.query<Row>(`SELECT ${COLUMNS} FROM document_version d WHERE d.id = $1 AND d.version_id = $2`, [id, versionId])
        : await db.query<Row>(`SELECT ${COLUMNS} FROM document_version d WHERE d.id = $1 AND ${LATEST}`, [id]);
      return r.rows[0] ? fromRow(r.rows[0]) : undefined;
    },

    async currentVersion(id) {
      const r = await db.query<Omit<Row, 'resource' | 'identifier_system' | 'identifier_value' | 'content_hash'>>(
        `SELECT d.id, d.version_id, d.submitter, d.last_updated,
           (SELECT string_agg(p.system || '|' || p.value, chr(10)) FROM document_patient p
              WHERE p.id = d.id AND p.version_id = d.version_id) AS patients
         FROM document_version d WHERE d.id = $1 ORDER BY d.version_id DESC LIMIT 1`,
        [id],
      );
      const row = r.rows[0];
      if (!row) return undefined;
      return { id: row.id, versionId: Number(row.version_id), lastUpdated: toIso(row.last_updated), submitter: row.submitter, patientIdentifiers: patientKeys(row.patients) };
    },

    async search(q: DocumentSearch) {
      const where: string[] = [LATEST];
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (q.identifier) where.push(`d.identifier_system = ${p(q.identifier.system)} AND d.identifier_value = ${p(q.identifier.value)}`);
      if (q.patientIdentifier) {
        where.push(`EXISTS (SELECT 1 FROM document_patient x WHERE x.id = d.id AND x.version_id = d.version_id
          AND x.system = ${p(q.patientIdentifier.system)} AND x.value = ${p(q.patientIdentifier.value)})`);
      }
      if (q.submitter !== undefined) where.push(`d.submitter = ${p(q.submitter)}`);
      if (q.ids) where.push(`d.id = ANY(${p(q.ids)})`);
      const cond = where.join(' AND ');
      const total = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM document_version d WHERE ${cond}`, params);
      const rows = await db.query<Row>(
        `SELECT ${COLUMNS} FROM document_version d WHERE ${cond} ORDER BY d.last_updated DESC, d.id LIMIT ${p(q.count)} OFFSET ${p(q.offset)}`,
        params,
      );
      return { total: Number(total.rows[0]?.n ?? 0), documents: rows.rows.map(fromRow) };
    },
  };
}
