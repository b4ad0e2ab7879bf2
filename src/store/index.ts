/**
 * Builds the Store (ports.ts) over a Database: runs migrations, then exposes the repositories,
 * bound either to the pool or to one transaction's connection; a single-process database gets the
 * read cache of read-cache.ts.
 */
import { GatewayError } from '../errors.js';
import type { Database, SqlClient } from './db.js';
import { migrate } from './migrations.js';
import { withReadCache } from './read-cache.js';
import { openPglite } from './pglite.js';
import type { Store, Stores } from './ports.js';
import { openPostgres } from './postgres.js';
import { createSqlAuditLog } from './sql/audit.js';
import { createSqlDocumentStore } from './sql/documents.js';
import { createSqlConsentPorts } from './sql/consent.js';
import { createSqlReplayGuard } from './sql/replay.js';

function repositories(client: SqlClient): Stores {
  return {
    documents: createSqlDocumentStore(client),
    audit: createSqlAuditLog(client),
    replay: createSqlReplayGuard(client),
    consent: createSqlConsentPorts(client),
  };
}

export async function createStore(db: Database): Promise<Store> {
  await migrate(db);
  const store: Store = {
    kind: db.kind,
    capabilities: db.capabilities,
    ...repositories(db),
    withTransaction: (fn) => db.transaction((tx) => fn(repositories(tx))),
    async ping() {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
  // One process owns an embedded database: its current consents and document heads can be held in
  // memory, invalidated by its own writes (read-cache.ts; PostgreSQL may be shared: never cached).
  return db.capabilities.multiProcess ? store : withReadCache(store);
}

export interface StoreOptions {
  /** PostgreSQL connection URL; when absent the embedded PGlite store is used. */
  databaseUrl?: string;
  /** PGlite data directory; undefined with no databaseUrl → in memory. */
  dataDir?: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  let db: Database;
  try {
    db = options.databaseUrl ? await openPostgres(options.databaseUrl) : await openPglite(options.dataDir);
  } catch (cause) {
    throw new GatewayError('STORE_UNAVAILABLE', `The ${options.databaseUrl ? 'PostgreSQL' : 'embedded'} database could not be opened.`, { cause });
  }
  return createStore(db);
}
