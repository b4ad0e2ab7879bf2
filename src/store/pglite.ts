/**
 * Embedded PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly) persisted in a data directory:
 * the default store. One process only — `capabilities.multiProcess` is false and the gateway
 * refuses configurations that need more.
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import type { Database, QueryResult, SqlClient } from './db.js';

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function wrap(q: PgliteLike): SqlClient {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      // Multi-statement SQL without parameters (migrations) goes through exec().
      if (!params && sql.includes(';')) {
        await q.exec(sql);
        return { rows: [], rowCount: 0 };
      }
      const r = await q.query<T>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
  };
}

/** `dataDir` undefined → in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const client = wrap(pg as unknown as PgliteLike);
  return {
    kind: 'pglite',
    capabilities: { multiProcess: false },
    query: client.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx as unknown as PgliteLike))),
    close: () => pg.close(),
  };
}
