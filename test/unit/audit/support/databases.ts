/**
 * Test databases for the audit SQL suite: an in-memory PGlite, and — when TEST_DATABASE_URL names a
 * PostgreSQL server (npm test starts one) — a fresh schema on it, selected with search_path in the
 * connection options so every pooled connection sees only this run's tables.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../../../src/store/db.js';
import { openPglite } from '../../../../src/store/pglite.js';
import { openPostgres } from '../../../../src/store/postgres.js';
import { AUDIT_SCHEMA } from '../../../../src/store/schema/audit.sql.js';

export interface TestDb {
  name: string;
  db: Database;
  /** For PostgreSQL: the URL (with search_path) other processes can use. */
  url?: string;
  schema?: string;
  drop(): Promise<void>;
}

export async function pgliteDb(): Promise<TestDb> {
  const db = await openPglite();
  await db.query(AUDIT_SCHEMA);
  return { name: 'PGlite', db, drop: () => db.close() };
}

export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export async function postgresDb(url: string): Promise<TestDb> {
  const schema = `audit_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const scoped = withSearchPath(url, schema);
  const db = await openPostgres(scoped, 60);
  await db.query(AUDIT_SCHEMA);
  return {
    name: 'PostgreSQL',
    db,
    url: scoped,
    schema,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** Runs SQL the way an attacker with owner rights would: with the append-only triggers disabled. */
export async function asAttacker(db: Database, statements: { sql: string; params?: unknown[] }[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_log DISABLE TRIGGER USER', []);
    await tx.query('ALTER TABLE audit_checkpoint DISABLE TRIGGER USER', []);
    for (const s of statements) await tx.query(s.sql, s.params ?? []);
    await tx.query('ALTER TABLE audit_log ENABLE TRIGGER USER', []);
    await tx.query('ALTER TABLE audit_checkpoint ENABLE TRIGGER USER', []);
  });
}

export async function reset(db: Database): Promise<void> {
  await asAttacker(db, [{ sql: 'TRUNCATE audit_log, audit_checkpoint' }]);
}
