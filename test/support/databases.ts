/**
 * The databases every contract suite runs on: embedded PGlite always, and the PostgreSQL server
 * that test/run.mjs starts (TEST_DATABASE_URL) when its binaries are present. Each PostgreSQL run
 * gets its own schema so suites and parallel runs do not see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../src/store/db.js';
import { openPglite } from '../../src/store/pglite.js';
import { openPostgres } from '../../src/store/postgres.js';

export interface TestDatabase {
  name: 'PGlite' | 'PostgreSQL';
  /** A fresh, empty database (a new PGlite, or a new schema on the server). */
  open(): Promise<Database>;
  /** Connection URL for child processes (PostgreSQL only). */
  url?: () => Promise<string>;
}

async function freshSchemaUrl(base: string): Promise<string> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [{ name: 'PGlite', open: () => openPglite() }];
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    list.push({
      name: 'PostgreSQL',
      open: async () => openPostgres(await freshSchemaUrl(base), 10),
      url: () => freshSchemaUrl(base),
    });
  }
  return list;
}

export const postgresSkipReason = process.env.TEST_DATABASE_URL
  ? undefined
  : 'no PostgreSQL server (TEST_DATABASE_URL unset: install postgresql so npm test can start one)';
