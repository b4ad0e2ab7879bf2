/**
 * Benchmark harness (issue 10): timing with warm-up and rounds, result rows with a target and a
 * peer ratio, the printed table and the JSON result file.
 *
 * Invariants: every figure is a median over rounds with its min–max beside it (one run on a busy
 * 2-core machine is noise, a median of several is a figure); a row's `met` is computed from its
 * target here and nowhere else; a peer ratio is always "ours ÷ peer" in the direction where higher
 * is better for throughput (ops/s), so 0.5× means half the peer's rate.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the repository is, whether we run compiled (dist/bench) or through tsx (bench/). */
export function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const up = path.dirname(dir);
    if (up === dir) throw new TypeError('repository root not found above ' + import.meta.dirname);
    dir = up;
  }
  return dir;
}

export interface MeasureOptions {
  /** Calls before timing starts (JIT warm-up, caches filled as in steady state). */
  warmup?: number;
  /** Timed rounds; the median round is the figure. */
  rounds?: number;
  /** Calls per round; time per call = round time ÷ perRound. */
  perRound?: number;
}

export interface Measurement {
  /** Milliseconds per call: median, fastest and slowest round. */
  median: number;
  min: number;
  max: number;
  /** Calls per second at the median round. */
  opsPerSec: number;
  rounds: number;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const isThenable = (x: unknown): x is PromiseLike<unknown> => typeof (x as { then?: unknown } | null)?.then === 'function';

/** Times `fn` (sync or async; async calls run one after another, never overlapping). */
export async function measure(_name: string, fn: () => unknown, opts: MeasureOptions = {}): Promise<Measurement> {
  const { warmup = 10, rounds = 7, perRound = 20 } = opts;
  for (let i = 0; i < warmup; i++) {
    const r = fn();
    if (isThenable(r)) await r;
  }
  const perCall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) {
      const x = fn();
      if (isThenable(x)) await x;
    }
    perCall.push((performance.now() - t0) / perRound);
  }
  const m = median(perCall);
  return { median: m, min: Math.min(...perCall), max: Math.max(...perCall), opsPerSec: 1000 / m, rounds };
}

/**
 * Times `ours` and `peer` with their rounds interleaved (ours, peer, ours, peer …), so that load
 * from other processes on a shared machine falls on both alike and the ratio stays meaningful.
 */
export async function measurePair(ours: () => unknown, peer: () => unknown, opts: MeasureOptions = {}): Promise<[Measurement, Measurement]> {
  const { warmup = 10, rounds = 7, perRound = 20 } = opts;
  const a: number[] = [];
  const b: number[] = [];
  await measure('', ours, { warmup, rounds: 0, perRound });
  await measure('', peer, { warmup, rounds: 0, perRound });
  for (let r = 0; r < rounds; r++) {
    a.push((await measure('', ours, { warmup: 0, rounds: 1, perRound })).median);
    b.push((await measure('', peer, { warmup: 0, rounds: 1, perRound })).median);
  }
  const summary = (xs: number[]): Measurement => {
    const m = median(xs);
    return { median: m, min: Math.min(...xs), max: Math.max(...xs), opsPerSec: 1000 / m, rounds };
  };
  return [summary(a), summary(b)];
}

export interface Target {
  op: '>=' | '<=';
  value: number;
  unit: string;
  /** Which figure the target is about: ops/s or the median (default: ops/s when the row has it). */
  of?: 'opsPerSec' | 'median';
}

export interface Peer {
  name: string;
  /** The peer's figure in the same unit as the row (median), and its ops/s when timed. */
  median: number;
  opsPerSec?: number;
  /** ours ÷ peer on ops/s (or on the median when there is no ops/s and higher is better). */
  ratio: number;
}

export interface Row {
  name: string;
  unit: string;
  median: number;
  min?: number;
  max?: number;
  opsPerSec?: number;
  target?: Target;
  met?: boolean;
  peer?: Peer;
  note?: string;
}

export interface SuiteResult {
  bench: string;
  status: 'ok' | 'not available' | 'failed';
  reason?: string;
  seconds: number;
  rows: Row[];
}

/** A row from a Measurement (ms per call), with its target checked and the peer ratio computed. */
export function timedRow(name: string, m: Measurement, extra: { target?: Target; peer?: { name: string; m: Measurement }; note?: string } = {}): Row {
  const row: Row = { name, unit: 'ms', median: m.median, min: m.min, max: m.max, opsPerSec: m.opsPerSec };
  if (extra.peer) row.peer = { name: extra.peer.name, median: extra.peer.m.median, opsPerSec: extra.peer.m.opsPerSec, ratio: m.opsPerSec / extra.peer.m.opsPerSec };
  if (extra.note) row.note = extra.note;
  return check(extra.target ? { ...row, target: extra.target } : row);
}

/** Sets `met` from the target (no target → no verdict). */
export function check(row: Row): Row {
  const t = row.target;
  if (!t) return row;
  const of = t.of ?? (row.opsPerSec !== undefined ? 'opsPerSec' : 'median');
  const v = of === 'opsPerSec' ? row.opsPerSec : row.median;
  if (v === undefined || !Number.isFinite(v)) return { ...row, met: false };
  return { ...row, met: t.op === '>=' ? v >= t.value : v <= t.value };
}

export function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 100_000) return Math.round(n).toLocaleString('en-US');
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(2);
}

const pad = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const W = { name: 52, median: 14, range: 19, ops: 10, target: 16, met: 5 };

export function header(): string {
  return [
    pad('name', W.name),
    pad('median', W.median),
    pad('min–max', W.range),
    pad('ops/s', W.ops),
    pad('target', W.target),
    pad('met', W.met),
    'peer ratio',
  ].join(' ');
}

export function formatRow(r: Row): string {
  const target = r.target ? `${r.target.op === '>=' ? '≥' : '≤'} ${fmt(r.target.value)} ${r.target.unit}` : '';
  const met = r.met === undefined ? '' : r.met ? 'yes' : 'NO';
  const range = r.min !== undefined && r.max !== undefined ? `${fmt(r.min)}–${fmt(r.max)}` : '';
  const peer = r.peer ? `${r.peer.ratio >= 0.1 ? r.peer.ratio.toFixed(2) : r.peer.ratio.toPrecision(2)}× ${r.peer.name}` : '';
  const line = [
    pad(r.name.length > W.name ? `${r.name.slice(0, W.name - 1)}…` : r.name, W.name),
    pad(`${fmt(r.median)} ${r.unit}`, W.median),
    pad(range, W.range),
    pad(r.opsPerSec !== undefined ? fmt(r.opsPerSec) : '', W.ops),
    pad(target, W.target),
    pad(met, W.met),
    peer,
  ].join(' ');
  return r.note ? `${line}\n${' '.repeat(4)}↳ ${r.note}` : line;
}

export interface RunFile {
  startedAt: string;
  node: string;
  cpus: number;
  cpuModel: string;
  loadAverage: number[];
  runner: 'dist' | 'tsx';
  seconds: number;
  suites: SuiteResult[];
}

export function machine(): Pick<RunFile, 'node' | 'cpus' | 'cpuModel' | 'loadAverage'> {
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))) };
}

/** Resident set size of a process (Linux /proc), in MB; VmHWM is the peak since it started. */
export async function procMemoryMb(pid: number | 'self' = 'self'): Promise<{ rss: number; hwm: number } | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Thrown by a benchmark whose subject does not exist in this tree yet: reported, not a failure. */
export class NotAvailable extends Error {
  override name = 'NotAvailable';
}
