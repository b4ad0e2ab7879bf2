/**
 * Entry of one validation worker thread (issue 10: intake validation off the event loop, on both
 * cores). Builds the validator once from the profile folders it is given — the same
 * `buildValidator` as the main thread, so a worker answers exactly what an in-thread validator
 * answers — and then serves requests one at a time.
 *
 * Protocol (see validation-pool.ts): in `{ id, mode, resource, profiles }` where `resource` is the
 * parsed resource, structured-cloned by postMessage (measured on a 100-entry document: 0.28 ms of
 * main-thread time, against 0.56 ms for JSON.stringify + sending the text and 0.65 ms for
 * sending it as a transferred UTF-8 buffer); out `{ id, issues }`, or `{ id, error: { code?, message, issues? } }` when validation throws.
 * A GatewayError keeps its code and issues; anything else crosses as a bare message, and the pool
 * turns it into INTERNAL. After the validator is built the worker posts `{ ready: true }`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { GatewayError } from '../errors.js';
import { buildValidator } from './validation.js';

export interface WorkerRequest {
  id: number;
  mode: 'document' | 'resource';
  resource: unknown;
  profiles?: string[];
}

export type WorkerReply =
  | { ready: true }
  | { id: number; issues: unknown[] }
  | { id: number; error: { code?: string; message: string; issues?: unknown[] } };

if (!parentPort) throw new TypeError('validation-worker.ts runs only as a worker thread');
const port = parentPort;
const { profileDirs } = workerData as { profileDirs: string[] };
const { validator } = buildValidator(profileDirs);
collectGarbageOnce();

/**
 * Loading the profiles and the R4 core set leaves ≈ 120 MB of parse garbage in this isolate's
 * heap; an idle worker would keep it resident until its next major GC (measured: RSS of a
 * one-worker pool 388 MB before, 269 MB after this collection). One full collection after the
 * build, through V8's documented `--expose-gc` flag set at run time (a new context sees `gc`).
 */
function collectGarbageOnce(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

port.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const resource = req.resource;
    const options = req.profiles?.length ? { profiles: req.profiles } : {};
    const result = req.mode === 'document' ? validator.validateDocument(resource, options) : validator.validateResource(resource, options);
    reply = { id: req.id, issues: result.issues };
  } catch (err) {
    reply =
      err instanceof GatewayError
        ? { id: req.id, error: { code: err.code, message: err.message, issues: err.issues } }
        : { id: req.id, error: { message: err instanceof Error ? err.message : String(err) } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies WorkerReply);
