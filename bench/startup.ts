/**
 * Benchmark `startup`: time from process start to the first `GET /readyz` 200 of
 * `node dist/src/server.js` in a child process with a fresh DATA_DIR (profiles, terminology and
 * schema compiled, store migrated), and its resident memory once ready (/proc/<pid>/status VmRSS;
 * VmHWM is the peak during start-up). Targets (issue 10): ≤ 3 s and ≤ 300 MB.
 * Peer: a node process starting express 5 hello-world and answering its first request — the floor
 * any node + express server pays before doing anything of its own.
 *
 * Also exports `spawnServer`, which bench/scale.ts uses to run the server out of its own process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, median, procMemoryMb, repoRoot, type Row } from './harness.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** How to run the server: compiled when dist/ has it and we run compiled, else through tsx. */
export function serverCommand(): { args: string[]; runner: 'dist' | 'tsx' } {
  const root = repoRoot();
  const compiled = path.join(root, 'dist/src/server.js');
  if (import.meta.url.endsWith('.js') && existsSync(compiled)) return { args: [compiled], runner: 'dist' };
  return { args: ['--import', 'tsx', path.join(root, 'src/server.ts')], runner: 'tsx' };
}

export interface SpawnedServer {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first /readyz 200. */
  readyMs: number;
  child: ChildProcess;
  dataDir: string;
  /** Stops the server; the data directory is removed unless `keepData`. */
  stop(keepData?: boolean): Promise<void>;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  for (;;) {
    if (exited !== null) throw new Error(`server exited with ${exited} before ${url} answered 200`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (performance.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Starts `node <args>` with the gateway's environment and waits for `readyPath` to answer 200. */
export async function spawnServer(
  env: Record<string, string> = {},
  args = serverCommand().args,
  readyPath = '/readyz',
  reuse?: { dataDir: string },
): Promise<SpawnedServer> {
  const root = repoRoot();
  const dataDir = reuse?.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'emr-bench-start-'));
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      CERTS_DIR: path.join(root, 'certs-example'),
      TRUST_LIST: path.join(root, 'certs-example/trust-list.json'),
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (keepData = false) => {
    await stopChild(child);
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${url}${readyPath}`, child, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid: child.pid!, readyMs: performance.now() - t0, child, dataDir, stop };
}

const HELLO = `const express = require('express'); const app = express();
app.get('/', (_q, r) => r.send('Hello World!')); app.listen(Number(process.env.PORT), '127.0.0.1');`;

const settle = () => new Promise((r) => setTimeout(r, 200)); // start-up garbage collected as it would be

export async function benchStartup(log: (line: string) => void = console.log, rounds = 3): Promise<Row[]> {
  const { runner } = serverCommand();
  if (runner === 'tsx') log('startup: dist/src/server.js not used (running through tsx): figures include TypeScript transpilation');
  const first = { ready: [] as number[], rss: [] as number[], hwm: [] as number[] };
  const again = { ready: [] as number[], rss: [] as number[], hwm: [] as number[] };
  const peer: number[] = [];
  const record = async (into: typeof first, s: SpawnedServer) => {
    await settle();
    const mem = await procMemoryMb(s.pid);
    into.ready.push(s.readyMs / 1000);
    if (mem) {
      into.rss.push(mem.rss);
      into.hwm.push(mem.hwm);
    }
    return mem;
  };
  for (let i = 0; i < rounds; i++) {
    // First start on an empty DATA_DIR (the embedded database is created), then a restart on it.
    const s = await spawnServer();
    const m1 = await record(first, s);
    await s.stop(true);
    const s2 = await spawnServer({}, undefined, '/readyz', { dataDir: s.dataDir });
    const m2 = await record(again, s2);
    await s2.stop();
    const hello = await spawnServer({}, ['-e', HELLO], '/');
    await hello.stop();
    peer.push(hello.readyMs / 1000);
    log(
      `startup round ${i + 1}: fresh DATA_DIR ready in ${(s.readyMs / 1000).toFixed(2)} s, RSS ${m1?.rss.toFixed(0)} MB (peak ${m1?.hwm.toFixed(0)}); ` +
        `restart ${(s2.readyMs / 1000).toFixed(2)} s, RSS ${m2?.rss.toFixed(0)} MB; express hello-world ${(hello.readyMs / 1000).toFixed(2)} s`,
    );
  }
  const p = median(peer);
  const rows = (label: string, x: typeof first): Row[] => [
    check({
      name: `${label}: start to /readyz 200`,
      unit: 's',
      median: median(x.ready),
      min: Math.min(...x.ready),
      max: Math.max(...x.ready),
      target: { op: '<=', value: 3, unit: 's', of: 'median' },
      // A time: the ratio is peer ÷ ours, so that, as everywhere, higher is better and 1× is parity.
      peer: { name: 'express hello-world start (time ratio peer÷ours)', median: p, ratio: p / median(x.ready) },
    }),
    check({
      name: `${label}: resident memory (VmRSS)`,
      unit: 'MB',
      median: median(x.rss),
      min: Math.min(...x.rss),
      max: Math.max(...x.rss),
      target: { op: '<=', value: 300, unit: 'MB', of: 'median' },
      note: `peak during start-up (VmHWM) median ${median(x.hwm).toFixed(0)} MB`,
    }),
  ];
  return [...rows(`first start, empty DATA_DIR (${runner})`, first), ...rows(`restart, existing DATA_DIR (${runner})`, again)];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { header, formatRow } = await import('./harness.js');
  const rows = await benchStartup();
  console.log(header());
  for (const row of rows) console.log(formatRow(row));
}
