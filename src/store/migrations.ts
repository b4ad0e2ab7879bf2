/**
 * Versioned, idempotent migrations run at start-up. Each version is applied once, in order, inside
 * a transaction that also records it, under an advisory lock so that two processes starting on one
 * PostgreSQL do not race. Append new versions at the end; never edit an applied one.
 */
import type { Database } from './db.js';
import { AUDIT_SCHEMA } from './schema/audit.sql.js';
import { DOCUMENTS_SCHEMA } from './schema/documents.sql.js';
import { REPLAY_SCHEMA } from './schema/replay.sql.js';
import { CONSENT_SCHEMA } from './schema/consent.sql.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'documents', sql: DOCUMENTS_SCHEMA },
  { version: 2, name: 'audit', sql: AUDIT_SCHEMA },
  { version: 3, name: 'client-assertion-replay', sql: REPLAY_SCHEMA },
  { version: 4, name: 'consent', sql: CONSENT_SCHEMA },
];

const MIGRATION_LOCK = 715_3201;

export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migration')).rows.map((r) => Number(r.version)));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await tx.query(m.sql);
      await tx.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
  });
  return applied;
}
