/**
 * Embedded PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly) persisted in a data directory:
 * the default store. One process only — `capabilities.multiProcess` is false and the gateway
 * refuses configurations that need more.
 */
import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Database, QueryResult, SqlClient } from './db.js';
import { lockDataDir } from './dir-lock.js';
import { readPgliteTemplate } from './pglite-template.js';

interface PgliteLike {
  query<T>(sql: string, params?: unknown[], options?: { serializers?: Record<number, (v: unknown) => unknown> }): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

/** PostgreSQL's OID of `text`. */
const TEXT_OID = 25;
/** From this length a text parameter is sent as UTF-8 bytes (see TEXT_PARAMETERS). */
const LONG_TEXT = 1024;

/**
 * How parameters of type `text` are sent. PGlite's own serialiser measures and encodes a string
 * parameter with a JavaScript loop over its characters (twice), which on a stored document
 * (~110 KB of JSON, much of it Chinese) cost about as much as the INSERT itself (issue 10 profile
 * of http-intake: 7% of the main thread; 6% of http-fetch for the ~3 KB audit events). A text
 * parameter of 1,024 characters or more (a document, a consent, an audit event) is handed over as
 * its UTF-8 bytes (Buffer.from, native), which PGlite binds in binary format: for `text` the binary
 * form IS the UTF-8 text (PostgreSQL textrecv, the same encoding check as textin), so the stored
 * value is identical (tested). Only `text` is affected — json/jsonb and other types keep the
 * default (the schema stores documents, consents and audit events as text). Other values as
 * PGlite's default string serialiser makes them.
 */
const TEXT_PARAMETERS = {
  serializers: {
    [TEXT_OID]: (v: unknown): unknown => (typeof v === 'string' ? (v.length >= LONG_TEXT ? Buffer.from(v, 'utf8') : v) : v instanceof Date ? v.toISOString() : String(v)),
  },
};

function wrap(q: PgliteLike): SqlClient {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      // Multi-statement SQL without parameters (migrations) goes through exec().
      if (!params && sql.includes(';')) {
        await q.exec(sql);
        return { rows: [], rowCount: 0 };
      }
      const r = await q.query<T>(sql, params, TEXT_PARAMETERS);
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

export interface PgliteOpenOptions {
  /**
   * The initialised data directory to start from when the database is new (pglite-template.ts):
   * default the one built into dist/ when current, `false` to run initdb.
   */
  template?: Blob | false;
}

/**
 * First start on `dataDir` from the template. A failed unpack leaves part of a data directory
 * (base/, global/, pg_wal/…; once PG_VERSION is among them a later start would take it for a
 * database and resume): what it added is removed and the caller falls back to initdb, which yields
 * the same database.
 */
async function createFromTemplate(dataDir: string, template: Blob): Promise<PGlite | undefined> {
  const before = new Set(readdirSync(dataDir));
  try {
    return await PGlite.create({ dataDir, loadDataDir: template, ...OPTIONS });
  } catch {
    for (const name of readdirSync(dataDir)) if (!before.has(name)) rmSync(path.join(dataDir, name), { recursive: true, force: true });
    return undefined;
  }
}

/** `dataDir` undefined → in memory (tests). */
export async function openPglite(dataDir?: string, options: PgliteOpenOptions = {}): Promise<Database> {
  let unlock = (): void => undefined;
  let pg: PGlite | undefined;
  // Read only when a database is created: a restart on an existing DATA_DIR does not touch it.
  const template = (keep: boolean): Blob | undefined =>
    options.template === false ? undefined : (options.template ?? readPgliteTemplate(undefined, { keep }));
  try {
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      unlock = lockDataDir(dataDir);
      if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
        // First start. Unpacking the template needs no reopen: only initdb's separate WebAssembly
        // instance grows memory to ~600 MB (never returned), which is why that path reopens afresh.
        const archive = template(false);
        if (archive) pg = await createFromTemplate(dataDir, archive);
        if (!pg) await (await PGlite.create({ dataDir, ...OPTIONS })).close();
      }
      pg ??= await PGlite.create({ dataDir, ...OPTIONS });
    } else {
      const archive = template(true);
      pg = await PGlite.create(archive ? { loadDataDir: archive, ...OPTIONS } : OPTIONS);
    }
  } catch (e) {
    unlock();
    throw e;
  }
  const db = pg;
  const client = wrap(db as unknown as PgliteLike);
  return {
    kind: 'pglite',
    capabilities: { multiProcess: false },
    query: client.query,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx as unknown as PgliteLike))),
    async close() {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
