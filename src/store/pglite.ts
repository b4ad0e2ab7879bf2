/**
 * Embedded PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly) persisted in a data directory:
 * the default store. One process only — `capabilities.multiProcess` is false and the gateway
 * refuses configurations that need more.
 */
import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database, QueryResult, SqlClient } from './db.js';
import { lockDataDir } from './dir-lock.js';

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

/**
 * A small shared_buffers: the embedded store serves one gateway process and its working set is
 * small; PGlite's default (160 MB) would dominate the gateway's resident memory. Note that PGlite
 * runs with fsync off: a committed transaction is in the operating system's page cache, so it
 * survives the process being killed (tested), but not a power failure — production deployments
 * that need that use PostgreSQL (DATABASE_URL).
 */
const OPTIONS = { postgresqlconf: 'shared_buffers=16MB\n' };

/** `dataDir` undefined → in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Database> {
  let unlock = (): void => undefined;
  let pg: PGlite;
  try {
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      unlock = lockDataDir(dataDir);
      if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
        // First start: initdb grows the WebAssembly memory to ~600 MB, which a running instance never
        // returns; opening afresh after initialisation keeps the gateway's resident memory small.
        await (await PGlite.create({ dataDir, ...OPTIONS })).close();
      }
    }
    pg = dataDir ? await PGlite.create({ dataDir, ...OPTIONS }) : await PGlite.create(OPTIONS);
  } catch (e) {
    unlock();
    throw e;
  }
  const client = wrap(pg as unknown as PgliteLike);
  return {
    kind: 'pglite',
    capabilities: { multiProcess: false },
    query: client.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx as unknown as PgliteLike))),
    async close() {
      try {
        await pg.close();
      } finally {
        unlock();
      }
    },
  };
}
