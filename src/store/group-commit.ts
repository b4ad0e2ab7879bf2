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
import type { AuditRecord, ChainBuild, Store, Stores } from './ports.js';

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
        const outcome = await runBatched(tx, batch, results);
        if (outcome.failed >= 0) {
          failed = outcome.failed;
          unitError = outcome.error;
          throw outcome.error;
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

/** Thrown into units parked at an append when their transaction is rolled back for another unit. */
const ROLLED_BACK = Symbol('rolled back');

interface Parked {
  build: ChainBuild;
  resolve: (r: AuditRecord) => void;
  reject: (e: unknown) => void;
}

/**
 * Runs the batch's units together in `tx`. Each unit's audit append is parked; when every unit
 * has either finished or parked, the parked builds are appended with ONE `appendChainedMany`
 * (one lock, one head read, one multi-row INSERT), in the order they parked, and those units
 * go on. Returns the first unit (by batch position) that failed, if any; the caller rolls back.
 */
async function runBatched(tx: Stores, batch: Waiting[], results: unknown[]): Promise<{ failed: number; error?: unknown }> {
  const parked: Parked[] = [];
  const errors = new Map<number, unknown>();
  let settled = 0;
  let wake: (() => void) | undefined;
  const poke = () => {
    if (wake && settled + parked.length === batch.length) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  const audit = {
    ...tx.audit,
    appendChained: (build: ChainBuild) =>
      new Promise<AuditRecord>((resolve, reject) => {
        parked.push({ build, resolve, reject });
        poke();
      }),
    appendChainedMany: (builds: readonly ChainBuild[]) => Promise.all(builds.map((b) => audit.appendChained(b))),
  };
  const view: Stores = { ...tx, audit };
  const runs = batch.map((w, i) =>
    Promise.resolve()
      .then(() => w.unit(view))
      .then(
        (v) => {
          results[i] = v;
        },
        (e: unknown) => {
          if (e !== ROLLED_BACK) errors.set(i, e);
        },
      )
      .finally(() => {
        settled++;
        poke();
      }),
  );
  for (;;) {
    await new Promise<void>((r) => {
      wake = r;
      poke();
    });
    if (!parked.length) break; // every unit finished
    const waiting = parked.splice(0);
    if (errors.size) {
      // A unit failed: nothing more is written; the parked units are abandoned with the rollback.
      for (const p of waiting) p.reject(ROLLED_BACK);
      await Promise.all(runs);
      break;
    }
    let records: AuditRecord[];
    try {
      records = await tx.audit.appendChainedMany(waiting.map((p) => p.build));
    } catch (e) {
      const err = auditFailed(e);
      for (const p of waiting) p.reject(err);
      await Promise.all(runs);
      return { failed: 0, error: err }; // AUDIT_FAILED: the caller rejects every unit
    }
    waiting.forEach((p, i) => p.resolve(records[i]!));
  }
  await Promise.all(runs);
  if (!errors.size) return { failed: -1 };
  const failed = Math.min(...errors.keys());
  return { failed, error: errors.get(failed) };
}

const perStore = new WeakMap<object, GroupCommit>();

/** The one group committer of a store (every use case built on the same store shares it). */
export function groupCommitFor(store: Pick<Store, 'withTransaction'>): GroupCommit {
  let g = perStore.get(store);
  if (!g) perStore.set(store, (g = createGroupCommit(store)));
  return g;
}
