/**
 * In-process read cache of the embedded store (issue 10): the current version of a consent
 * (`consent.consents.getCurrent`) and of a document (`documents.currentVersion`), the two reads
 * every consent-token fetch makes before its decision. Both tables are append-only (a new version
 * is an INSERT, never an UPDATE or DELETE: store/sql/consent.ts, store/sql/documents.ts), so the
 * only writes that change an answer are `saveVersion` and `insertVersion`, and they go through
 * this wrapper.
 *
 * Only for a database ONE process uses (PGlite: `capabilities.multiProcess` false, the data
 * directory locked, store/dir-lock.ts). On PostgreSQL several gateway instances may share the
 * database, and a withdrawal written by another instance would not reach this process's cache;
 * LISTEN/NOTIFY would only shrink that window, never close it (a notification arrives after the
 * commit), and "revocation effective on the next request" admits no window — so PostgreSQL reads
 * the database every time (createStore applies this wrapper to PGlite only).
 *
 * Invariants:
 * - Never serves a value older than the last committed write: a write drops the id's entry when it
 *   starts and again when its transaction settles (commit or rollback), and a read fills the cache
 *   only when no write of that kind was in flight at any moment between the start of its query and
 *   its answer (a generation counter plus an in-flight count), so a value read before or during a
 *   withdrawal can never be put back afterwards. "Revocation effective on the next request" holds:
 *   once a revocation is acknowledged its entry is gone and every later read sees it.
 * - Reads inside a transaction are not cached and do not fill (they may see the transaction's own
 *   uncommitted writes).
 * - Cached values are deeply frozen: every request shares them, none may change them.
 * - Absent answers are not cached (an unknown id costs a query, as before). Bounded.
 */
import type { ConsentRecord, ConsentStore } from '../consent/ports.js';
import { deepFreeze } from '../fhir/freeze.js';
import type { DocumentHead, DocumentStore, Store, Stores } from './ports.js';

const MAX_ENTRIES = 10_000;

/** One cached read keyed by id, with the write bookkeeping described above. */
export class VersionedCache<V> {
  private readonly entries = new Map<string, V>();
  private generation = 0;
  private inFlight = 0;

  async read(id: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(id);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const quiet = this.inFlight === 0;
    const value = await load();
    if (value !== undefined && quiet && this.inFlight === 0 && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(id, deepFreeze(value));
    }
    return value;
  }

  /** A write of `id` is starting: drop its entry, stop fills until `endWrite`. */
  beginWrite(id: string): void {
    this.inFlight++;
    this.generation++;
    this.entries.delete(id);
  }

  /** The write of `id` committed or rolled back. */
  endWrite(id: string): void {
    this.entries.delete(id);
    this.generation++;
    this.inFlight--;
  }

  get size(): number {
    return this.entries.size;
  }
}

interface Caches {
  consents: VersionedCache<ConsentRecord>;
  heads: VersionedCache<DocumentHead>;
}

/** Repositories whose two writes report to `caches`: `track(cache, id)` is called before each write. */
function tracked(repos: Stores, track: (cache: VersionedCache<never>, id: string) => void, caches: Caches): Stores {
  const documents: DocumentStore = {
    ...repos.documents,
    insertVersion(doc, versionId) {
      track(caches.heads as VersionedCache<never>, doc.id);
      return repos.documents.insertVersion(doc, versionId);
    },
  };
  const consents: ConsentStore = {
    ...repos.consent.consents,
    saveVersion(record) {
      track(caches.consents as VersionedCache<never>, record.id);
      return repos.consent.consents.saveVersion(record);
    },
  };
  return { ...repos, documents, consent: { ...repos.consent, consents } };
}

/** `store` with the read cache; for a single-process database only (see the header). */
export function withReadCache(store: Store): Store {
  if (store.capabilities.multiProcess) throw new TypeError('the read cache is for a single-process store only');
  const caches: Caches = { consents: new VersionedCache(), heads: new VersionedCache() };

  // Outside a transaction a write is its own transaction: it ends when its statement settles.
  const writeAlone = <R>(cache: VersionedCache<never>, id: string, write: () => Promise<R>): Promise<R> => {
    cache.beginWrite(id);
    return write().finally(() => cache.endWrite(id));
  };
  const documents: DocumentStore = {
    ...store.documents,
    currentVersion: (id) => caches.heads.read(id, () => store.documents.currentVersion(id)),
    insertVersion: (doc, versionId) => writeAlone(caches.heads as VersionedCache<never>, doc.id, () => store.documents.insertVersion(doc, versionId)),
  };
  const consents: ConsentStore = {
    ...store.consent.consents,
    getCurrent: (id) => caches.consents.read(id, () => store.consent.consents.getCurrent(id)),
    saveVersion: (record) => writeAlone(caches.consents as VersionedCache<never>, record.id, () => store.consent.consents.saveVersion(record)),
  };

  return {
    ...store,
    documents,
    consent: { ...store.consent, consents },
    async withTransaction(fn) {
      const writes: [VersionedCache<never>, string][] = [];
      const track = (cache: VersionedCache<never>, id: string) => {
        cache.beginWrite(id);
        writes.push([cache, id]);
      };
      try {
        return await store.withTransaction((tx) => fn(tracked(tx, track, caches)));
      } finally {
        for (const [cache, id] of writes) cache.endWrite(id);
      }
    },
  };
}
