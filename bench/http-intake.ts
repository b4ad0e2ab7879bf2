/**
 * Benchmark `http-intake`: POST /fhir/Bundle on the real server (authenticated hospital, parse,
 * shape, validation as composed in src/compose.ts, signature check, store, audit in one
 * transaction), driven by autocannon at 16 connections with a different Bundle.identifier on
 * every request — on the embedded store (PGlite) and on PostgreSQL when BENCH_DATABASE_URL is set
 * or Debian's PostgreSQL binaries can start a throw-away server (test/support/temp-postgres.mjs).
 *
 * Two runs per store: unsigned documents for ~10 s, then a pool of hospital-signed documents
 * (Bundle.signature, RS384) so the signature check is measured too. Peer: express 5 hello-world
 * at the same connection count (the ceiling of the HTTP stack on this machine).
 * Targets (issue 10): ≥ 250 documents/s, p99 ≤ 60 ms on the embedded store.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, repoRoot, type Row } from './harness.js';
import { accessToken, exampleClient, helloWorldPeer, runLoad, serverCost, startBenchServer, statusSummary, type LoadResult } from './http-common.js';

const CONNECTIONS = 16;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
/** Signed bodies are pre-signed (RSA, ~5 ms each): a pool worth ~SECONDS of the unsigned rate, unless set. */
const SIGNED_POOL = process.env.BENCH_SIGNED_POOL ? Number(process.env.BENCH_SIGNED_POOL) : undefined;

interface TempPostgres {
  url: string;
  stop(): Promise<void>;
}

/** A PostgreSQL URL for the benchmark, and how to give it back; undefined when none is available. */
export async function benchPostgres(log: (line: string) => void): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: async () => undefined };
  try {
    const mod = (await import(pathToFileURL(path.join(repoRoot(), 'test/support/temp-postgres.mjs')).href)) as { startTempPostgres(): Promise<TempPostgres | null> };
    const pg = await mod.startTempPostgres();
    if (!pg) log('http-intake: no PostgreSQL binaries and no BENCH_DATABASE_URL: PostgreSQL run skipped');
    return pg ?? undefined;
  } catch (e) {
    log(`http-intake: temporary PostgreSQL failed to start (${e instanceof Error ? e.message.split('\n')[0] : e}): PostgreSQL run skipped`);
    return undefined;
  }
}

function rows(label: string, r: LoadResult, peer: LoadResult, targets: boolean): Row[] {
  const errors = r.non2xx + r.errors + r.timeouts;
  const note = `${r.ok} documents in ${r.seconds.toFixed(1)} s; p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, max ${r.latency.max} ms; ${serverCost(r, 'doc')}; ${statusSummary(r)}${errors ? ' — ERRORS' : ''}`;
  return [
    check({
      name: `${label}: documents/s`,
      unit: 'docs/s',
      median: r.okPerSec,
      min: r.perSecond.min,
      max: r.perSecond.max,
      ...(targets ? { target: { op: '>=' as const, value: 250, unit: 'docs/s', of: 'median' as const } } : {}),
      peer: { name: 'express hello-world', median: peer.okPerSec, ratio: r.okPerSec / peer.okPerSec },
      note,
    }),
    check({
      name: `${label}: p99 latency`,
      unit: 'ms',
      median: r.latency.p99,
      ...(targets ? { target: { op: '<=' as const, value: 60, unit: 'ms', of: 'median' as const } } : {}),
    }),
  ];
}

async function oneStore(store: string, env: Record<string, string>, peer: LoadResult, targets: boolean, log: (line: string) => void): Promise<Row[]> {
  const server = await startBenchServer(env);
  try {
    const hospital = exampleClient('hospital', 0);
    const token = await accessToken(server.url, hospital);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
    const prefix = `${store}-${Date.now().toString(36)}`;
    const base = { url: server.url, method: 'POST' as const, path: '/fhir/Bundle', headers, connections: CONNECTIONS };
    await runLoad({ ...base, amount: 100, body: { kind: 'intake', entries: 100, seed: 11, prefix: `${prefix}-warm`, signed: false } });
    log(`http-intake ${store}: unsigned documents for ${SECONDS} s …`);
    const unsigned = await runLoad({ ...base, duration: SECONDS, body: { kind: 'intake', entries: 100, seed: 11, prefix: `${prefix}-u`, signed: false } });
    const pool = SIGNED_POOL ?? Math.round(Math.min(3000, Math.max(200, unsigned.okPerSec * SECONDS)));
    log(`http-intake ${store}: signing ${pool} documents in the load process, then sending them …`);
    const signed = await runLoad({ ...base, amount: pool, body: { kind: 'intake', entries: 100, seed: 11, prefix: `${prefix}-s`, signed: true, signer: hospital } });
    log(`  (signing the pool took ${signed.prepareSeconds.toFixed(1)} s, not counted)`);
    return [...rows(`intake ${store}, signed docs`, signed, peer, targets), ...rows(`intake ${store}, unsigned docs`, unsigned, peer, false)];
  } finally {
    await server.close();
  }
}

export async function benchHttpIntake(log: (line: string) => void = console.log): Promise<Row[]> {
  const peer = await helloWorldPeer(CONNECTIONS);
  log(`http-intake: peer express hello-world at ${CONNECTIONS} connections: ${peer.okPerSec.toFixed(0)} req/s, p99 ${peer.latency.p99} ms`);
  const out: Row[] = [
    check({ name: `peer: express hello-world, ${CONNECTIONS} conn`, unit: 'req/s', median: peer.okPerSec, min: peer.perSecond.min, max: peer.perSecond.max }),
  ];
  out.push(...(await oneStore('PGlite', {}, peer, true, log)));
  const pg = await benchPostgres(log);
  if (pg) {
    try {
      out.push(...(await oneStore('PostgreSQL', { DATABASE_URL: pg.url }, peer, true, log)));
    } finally {
      await pg.stop();
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { header, formatRow } = await import('./harness.js');
  const r = await benchHttpIntake();
  console.log(header());
  for (const row of r) console.log(formatRow(row));
}
