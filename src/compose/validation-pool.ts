/**
 * A small pool of validation worker threads (issue 10): validating a 100-entry document costs
 * ≈ 4 ms of CPU, which on the server's one thread capped intake near 60 documents/s and let a
 * large document block every other request. Workers validate in parallel on the other core(s)
 * while the event loop keeps serving.
 *
 * Invariants:
 *  - every request settles: a worker that dies (error, exit, crash) has all its in-flight
 *    requests rejected with GatewayError INTERNAL and is replaced; after `close()` every new or
 *    pending request is rejected the same way — never a hang;
 *  - answers equal the in-thread validator's: each worker runs `buildValidator` on the same
 *    profile folders (validation-worker.ts);
 *  - a GatewayError thrown by the validator keeps its code and issues across the thread boundary;
 *    any other failure becomes INTERNAL with the worker's message only as `cause`;
 *  - idle workers are unref'd, so an idle pool never keeps the process alive; busy ones are ref'd,
 *    so a pending validation is never lost to an early exit (e.g. in a CLI).
 * Dispatch: least in-flight first (ties: lowest index), which keeps a large document from queueing
 * small ones behind it when another worker is free.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GatewayError, type ErrorCode, type Issue } from '../errors.js';
import type { WorkerReply, WorkerRequest } from './validation-worker.js';

export interface ValidationPool {
  /** Validates `resource` (a document Bundle with `mode: 'document'`) in a worker. */
  validate(resource: unknown, mode: 'document' | 'resource', profiles?: readonly string[]): Promise<{ issues: Issue[] }>;
  /**
   * Settles when every initial worker has built its validator (start-up readiness); rejects
   * with INTERNAL when workers keep dying before they are ready (e.g. unreadable profiles).
   */
  ready(): Promise<void>;
  /** Terminates the workers; pending requests are rejected with INTERNAL. */
  close(): Promise<void>;
  readonly size: number;
}

export interface ValidationPoolOptions {
  size: number;
  profileDirs: string[];
  /** Called with each worker started (initial and replacements): monitoring and tests. */
  onSpawn?: (worker: Worker) => void;
}

/** Consecutive deaths before ready after which workers are no longer replaced (a broken build). */
const MAX_STARTUP_FAILURES = 3;

interface Pending {
  resolve(v: { issues: Issue[] }): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
  ready: boolean;
  dead: boolean;
}

/**
 * The worker entry beside this file: the compiled .js from dist/, or under tsx (tests, `npm run
 * dev`) the .ts. A worker does not inherit tsx's loader hooks on Node 20 (`--import tsx` in
 * execArgv still fails on the .ts entry), so there a small eval'd entry registers tsx first.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./validation-worker.js', import.meta.url), { workerData });
  const entry = new URL('./validation-worker.ts', import.meta.url).href;
  // The ESM build of tsx/esm/api from tsx's export map (import.meta.resolve is not available when
  // tsx compiles this file for mocha; the CJS build's register() fails inside a worker).
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('tsx/package.json');
  const api = (require(pkg) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
  const tsx = pathToFileURL(path.join(path.dirname(pkg), api)).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData });
}

function internal(message: string, cause?: unknown): GatewayError {
  return new GatewayError('INTERNAL', message, cause === undefined ? {} : { cause });
}

export function createValidationPool(options: ValidationPoolOptions): ValidationPool {
  if (!Number.isInteger(options.size) || options.size < 1) throw new TypeError('validation pool size must be a whole number ≥ 1');
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  let startupFailures = 0;
  let readyCount = 0;
  let settleReady: { resolve(): void; reject(e: unknown): void } | undefined;
  const readyPromise = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  readyPromise.catch(() => undefined); // observed through ready(); never an unhandled rejection

  const spawn = (index: number): void => {
    const worker = startWorker({ profileDirs: options.profileDirs });
    worker.unref();
    options.onSpawn?.(worker);
    const slot: Slot = { worker, inFlight: new Map(), ready: false, dead: false };
    slots[index] = slot;
    const die = (why: string, cause?: unknown): void => {
      if (slot.dead) return;
      slot.dead = true;
      for (const p of slot.inFlight.values()) p.reject(internal(`Validation worker stopped: ${why}.`, cause));
      slot.inFlight.clear();
      if (closed) return;
      if (!slot.ready) startupFailures++;
      if (startupFailures >= MAX_STARTUP_FAILURES) {
        settleReady?.reject(internal(`Validation workers stopped before they were ready (${why}).`, cause));
        return; // keeps the dead slot: requests to it are refused below
      }
      spawn(index);
    };
    worker.on('message', (m: WorkerReply) => {
      if ('ready' in m) {
        slot.ready = true;
        startupFailures = 0;
        if (++readyCount === options.size) settleReady?.resolve();
        return;
      }
      const p = slot.inFlight.get(m.id);
      if (!p) return;
      slot.inFlight.delete(m.id);
      if (slot.inFlight.size === 0) worker.unref();
      if ('issues' in m) p.resolve({ issues: m.issues as Issue[] });
      else if (m.error.code && m.error.code !== 'INTERNAL') {
        p.reject(new GatewayError(m.error.code as ErrorCode, m.error.message, m.error.issues?.length ? { issues: m.error.issues as Issue[] } : {}));
      } else p.reject(internal('Validation failed unexpectedly.', new Error(m.error.message)));
    });
    worker.on('error', (err) => die('error', err));
    worker.on('exit', (code) => die(`exit ${code}`));
  };

  for (let i = 0; i < options.size; i++) spawn(i);

  return {
    size: options.size,
    ready: () => readyPromise,
    validate(resource, mode, profiles) {
      if (closed) return Promise.reject(internal('The validation pool is closed.'));
      let best: Slot | undefined;
      for (const s of slots) if (!s.dead && (!best || s.inFlight.size < best.inFlight.size)) best = s;
      if (!best) return Promise.reject(internal('No validation worker is running.'));
      const slot = best;
      const id = nextId++;
      const req: WorkerRequest = { id, mode, resource, ...(profiles?.length ? { profiles: [...profiles] } : {}) };
      try {
        // Structured clone of parsed JSON data cannot fail; a function or symbol would be our misuse.
        slot.worker.postMessage(req);
      } catch (err) {
        return Promise.reject(internal('The resource could not be sent for validation.', err));
      }
      return new Promise((resolve, reject) => {
        slot.inFlight.set(id, { resolve, reject });
        if (slot.inFlight.size === 1) slot.worker.ref();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
