/**
 * Group commit for the READ paths' audit entries (issue 10): an entry written in its own
 * transaction after an access decision (consent-token reads, refusals, SMART Health Link manifests
 * and files) no longer pays one commit each. Units arriving while a transaction is running wait
 * and are then run together, in arrival order, in ONE transaction — one commit, and the audit
 * log's advisory append lock (re-entrant within a transaction) released once, at that commit.
 *
 * A unit arriving while nothing runs waits one event-loop turn (setImmediate) before its
 * transaction starts: on the embedded store every query of every request is serialised, so
 * without that turn the next request's unit never finds a transaction running and batches stay
 * at one (measured: 1 unit per transaction without it, ~23 with it at 50 connections).
 *
 * Not for writes whose audit entry must share the data transaction with other callers' data (a
 * submission, a grant, a withdrawal): those keep their own `store.withTransaction`.
 *
 * Invariants:
 * - Durable before the answer: a caller's promise resolves only after the transaction holding its
 *   unit committed (ARCHITECTURE.md "Storage"; issue 7: if the entry cannot be written the act
 *   fails).
 * - Same chain: each unit appends through `deps.audit` → chainLink as before, so every entry is
 *   its own chain link, numbered and hashed in commit order.
 * - Each unit stays atomic: when a unit throws a refusal of its own (e.g. EXPORT_LIMIT, any error
 *   but AUDIT_FAILED) the transaction is rolled back, that caller gets its error, and the other
 *   units run again in the next transaction (nothing of the rolled-back one was committed).
 * - When the audit log or the commit fails, EVERY waiting caller of that transaction is rejected
 *   with AUDIT_FAILED (the library error only as `cause`).
 */
import { GatewayError } from '../errors.js';
import type { Store, Stores } from './ports.js';

export interface GroupCommit {
  /** Runs `unit` inside a transaction shared with concurrent callers; resolves after the commit. */
  run<T>(unit: (tx: Stores) => Promise<T>): Promise<T>;
  /** Transactions begun and units committed so far (for tests and metrics). */
  stats(): { transactions: number; committedUnits: number };
}

interface Waiting {
  unit: (tx: Stores) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const auditFailed = (cause: unknown) =>
  cause instanceof GatewayError && cause.code === 'AUDIT_FAILED'
    ? cause
    : new GatewayError('AUDIT_FAILED', 'The audit entry could not be written; the request was not completed.', { cause });

export function createGroupCommit(store: Pick<Store, 'withTransaction'>, opts: { maxBatch?: number } = {}): GroupCommit {
  const maxBatch = opts.maxBatch ?? 256;
  const queue: Waiting[] = [];
  let running = false;
  let transactions = 0;
  let committedUnits = 0;

  async function commit(batch: Waiting[]): Promise<void> {
    const results: unknown[] = [];
    let failed = -1;
    let unitError: unknown;
    try {
      transactions++;
      await store.withTransaction(async (tx) => {
        for (let i = 0; i < batch.length; i++) {
          try {
            results[i] = await batch[i]!.unit(tx);
          } catch (e) {
            failed = i;
            unitError = e;
            throw e;
          }
        }
      });
    } catch (e) {
      const ownRefusal = failed >= 0 && e === unitError && !(unitError instanceof GatewayError && unitError.code === 'AUDIT_FAILED');
      if (ownRefusal) {
        batch[failed]!.reject(unitError);
        queue.unshift(...batch.filter((_, i) => i !== failed)); // rolled back: run again, same order
        return;
      }
      const err = auditFailed(e);
      for (const w of batch) w.reject(err);
      return;
    }
    committedUnits += batch.length;
    batch.forEach((w, i) => w.resolve(results[i]));
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length) await commit(queue.splice(0, maxBatch));
    } finally {
      running = false;
    }
  }

  return {
    run<T>(unit: (tx: Stores) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ unit, resolve: resolve as (v: unknown) => void, reject });
        if (!running) {
          running = true;
          setImmediate(() => void drain()); // let units of requests already under way join
        }
      });
    },
    stats: () => ({ transactions, committedUnits }),
  };
}

const perStore = new WeakMap<object, GroupCommit>();

/** The one group committer of a store (every use case built on the same store shares it). */
export function groupCommitFor(store: Pick<Store, 'withTransaction'>): GroupCommit {
  let g = perStore.get(store);
  if (!g) perStore.set(store, (g = createGroupCommit(store)));
  return g;
}
