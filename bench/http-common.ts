/**
 * Shared pieces of the HTTP benchmarks: the real gateway started in this process (as
 * test/support/server.ts does: PORT 0, temporary DATA_DIR, example certificates), access tokens
 * obtained the way an outside system does (SMART Backend Services client assertion, RS384 — the
 * few lines of test/support/clients.ts, copied so bench/ does not depend on test code), the
 * express hello-world peer, and the load generator run in a child process.
 *
 * Why a child process for autocannon: a load generator in the server's own event loop would take
 * half of the server's only thread; in a child it takes the other core, as a real client would.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { SignJWT } from 'jose';
import { loadConfig } from '../src/config/index.js';
import { startServer } from '../src/server.js';
import { repoRoot } from './harness.js';

export interface BenchServer {
  url: string;
  base: string;
  close(): Promise<void>;
}

export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const root = repoRoot();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'emr-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    // Request logging off: pino's per-request line would measure the terminal, not the gateway.
    LOG_LEVEL: 'silent',
    CERTS_DIR: path.join(root, 'certs-example'),
    TRUST_LIST: path.join(root, 'certs-example/trust-list.json'),
    ...env,
  });
  const running = await startServer(config, () => undefined);
  return {
    url: running.url,
    base: `${running.url}/fhir`,
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ExampleClient {
  client_id: string;
  role: string;
  organization: string;
  private_key: string;
  certificate: string;
}

export function exampleClient(role: string, index = 0): ExampleClient {
  const dir = path.join(repoRoot(), 'certs-example');
  const all = JSON.parse(readFileSync(path.join(dir, 'clients.json'), 'utf8')) as ExampleClient[];
  const c = all.filter((x) => x.role === role)[index];
  if (!c) throw new TypeError(`no example client with role ${role} #${index}`);
  return c;
}

/** An access token from POST /auth/token (client_credentials + private_key_jwt assertion). */
export async function accessToken(serverUrl: string, c: ExampleClient): Promise<string> {
  const key = createPrivateKey(readFileSync(path.join(repoRoot(), 'certs-example', c.private_key), 'utf8'));
  const now = Math.floor(Date.now() / 1000);
  const tokenUrl = `${serverUrl}/auth/token`;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS384', typ: 'JWT' })
    .setIssuer(c.client_id)
    .setSubject(c.client_id)
    .setAudience(tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + 120)
    .setJti(randomUUID())
    .sign(key);
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** The peer for every HTTP figure: express 5 answering "Hello World!" (the ceiling of the stack). */
export async function startHelloWorld(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.get('/', (_req, res) => {
    res.send('Hello World!');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** What the load child should send. Bodies are built in the child so that their cost is not ours. */
export type BodySpec =
  | { kind: 'none' }
  /** A synthetic discharge summary, each request with a different Bundle.identifier; `signed`: Bundle.signature by the hospital key (pool of `amount` bodies, pre-signed). */
  | { kind: 'intake'; entries: number; seed: number; prefix: string; signed: boolean; signer?: ExampleClient };

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  amount?: number;
  body: BodySpec;
}

export interface LoadResult {
  seconds: number;
  /** Successful (2xx) requests per second, whole run; and the per-second samples' spread. */
  okPerSec: number;
  perSecond: { p50: number; min: number; max: number };
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  prepareSeconds: number;
  /**
   * CPU time of the server's process (all its threads: event loop, validation workers, GC) and
   * active time of its event loop over the run, per successful request, in ms. Less sensitive to
   * other load on a shared machine than requests/s (measured in this process by runLoad).
   */
  server?: { cpuMsPerOk: number; eventLoopActiveMsPerOk: number };
}

let profiles = 0;

/**
 * Runs autocannon in a child process (bench/http-load) and returns its summary. With
 * BENCH_CPU_PROFILE=<dir>, each timed run (`duration`) is wrapped in the V8 profiler of this
 * process — the server's steady state only, not its start-up or the warm-up — and written to
 * <dir>/load-<n>.cpuprofile (summarise with `npx tsx bench/profile-summary.ts <file>`).
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const r = await runLoadProfiled(spec);
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const n = Math.max(1, r.ok);
  return { ...r, server: { cpuMsPerOk: (cpu.user + cpu.system) / 1000 / n, eventLoopActiveMsPerOk: elu.active / n } };
}

/** "server CPU 1.20 ms/req, event loop 0.95 ms/req" — for notes. */
export function serverCost(r: LoadResult, unit = 'req'): string {
  return r.server ? `server CPU ${r.server.cpuMsPerOk.toFixed(2)} ms/${unit}, event loop active ${r.server.eventLoopActiveMsPerOk.toFixed(2)} ms/${unit}` : '';
}

async function runLoadProfiled(spec: LoadSpec): Promise<LoadResult> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir || spec.duration === undefined) return runLoadChild(spec);
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await runLoadChild(spec);
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `load-${++profiles}.cpuprofile`), JSON.stringify(profile));
  }
}

function runLoadChild(spec: LoadSpec): Promise<LoadResult> {
  const here = fileURLToPath(import.meta.url);
  const child = fork(path.join(path.dirname(here), `http-load${path.extname(here)}`), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let done = false;
    child.once('message', (m: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      done = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(`load generator: ${m.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!done) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(spec);
  });
}

const peerCache = new Map<number, LoadResult>();

/** express hello-world at `connections`, measured once per run and connection count (GET /, 5 s). */
export async function helloWorldPeer(connections: number, seconds = 5): Promise<LoadResult> {
  const cached = peerCache.get(connections);
  if (cached) return cached;
  const hello = await startHelloWorld();
  try {
    await runLoad({ url: hello.url, method: 'GET', path: '/', headers: {}, connections, amount: 2000, body: { kind: 'none' } });
    const r = await runLoad({ url: hello.url, method: 'GET', path: '/', headers: {}, connections, duration: seconds, body: { kind: 'none' } });
    peerCache.set(connections, r);
    return r;
  } finally {
    await hello.close();
  }
}

/** "200: 1234, 503: 2" — for notes. */
export function statusSummary(r: LoadResult): string {
  const codes = Object.entries(r.statusCodes).map(([c, n]) => `${c}: ${n}`).join(', ');
  const extra = [r.errors ? `${r.errors} socket errors` : '', r.timeouts ? `${r.timeouts} timeouts` : ''].filter(Boolean).join(', ');
  return [codes, extra].filter(Boolean).join('; ');
}
