/**
 * `npm run bench` — runs the benchmark suite (issue 10) and prints every figure with its target,
 * whether it is met and the peer ratio; writes bench/results/latest.json (the previous latest
 * becomes previous.json first).
 *
 *   npm run bench                      all benchmarks
 *   npm run bench -- sign scale        only these
 *   npm run bench -- --compare         run, then compare with bench/results/previous.json
 *   npm run bench -- --list            names only
 *
 * Benchmarks owned by other areas (validate, translate, audit) are imported if their module
 * exists and adapted to rows here; a missing module is reported "not available", not a failure.
 * Invariant: one failing benchmark never stops the others; the exit code is 1 only when one
 * failed (a missed target is a finding, reported, not a crash).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { check, fmt, formatRow, header, machine, NotAvailable, repoRoot, type Row, type RunFile, type SuiteResult, type Target } from './harness.js';
import { benchHttpFetch } from './http-fetch.js';
import { benchHttpIntake } from './http-intake.js';
import { benchScale } from './scale.js';
import { benchSign } from './sign.js';
import { benchStartup } from './startup.js';

type Log = (line: string) => void;

interface Suite {
  name: string;
  what: string;
  run?: (log: Log) => Promise<Row[]>;
  /** Module of another area, relative to this file, without extension. */
  external?: string;
}

const SUITES: Suite[] = [
  { name: 'validate', what: 'profile validation of a 100-entry discharge summary and an IPS document vs @medplum/core', external: './validate' },
  { name: 'translate', what: 'zh→en and en→zh translation of a 100-entry document', external: './translate' },
  { name: 'sign', what: 'sign + verify a delivered document vs canonicalize + jose', run: benchSign },
  { name: 'audit', what: 'audit appends/s and verification of 100,000 entries', external: './audit' },
  { name: 'http-intake', what: 'POST /fhir/Bundle under autocannon, embedded store and PostgreSQL', run: benchHttpIntake },
  { name: 'http-fetch', what: 'consent-checked GET /fhir/Bundle/{id} under autocannon', run: benchHttpFetch },
  { name: 'startup', what: 'process start to /readyz, resident memory', run: benchStartup },
  { name: 'scale', what: '10 … 10,000-entry documents: time, memory, linearity, /healthz during a big submit', run: benchScale },
];

// ---- adapters for the other areas' result shapes -------------------------------------------

const TARGET_IN_NAME = /target\s*(≥|≤|>=|<=)\s*([\d,.]+)\s*([^\s)]*)/i;

/** "(target ≤ 5 s)" inside a name becomes a Target on the row's median. */
function targetFromName(name: string): Target | undefined {
  const m = TARGET_IN_NAME.exec(name);
  if (!m) return undefined;
  return { op: m[1] === '≥' || m[1] === '>=' ? '>=' : '<=', value: Number(m[2]!.replace(/,/g, '')), unit: m[3] || '', of: 'median' };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** One result object of another area's benchmark → a Row (known shapes first, then generic). */
export function adaptResult(suite: string, x: unknown): Row {
  const o = (typeof x === 'object' && x !== null ? x : { value: x }) as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name : typeof o.case === 'string' ? o.case : suite;
  // Already a Row.
  if (typeof o.unit === 'string' && num(o.median) !== undefined) return check(o as unknown as Row);
  // bench/validate.ts Result: µs medians and docs/s for ours and @medplum/core, and their ratio.
  if (num(o.oursMedianUs) !== undefined) {
    const ratio = num(o.ratio);
    const row = check({
      name,
      unit: 'ms',
      median: num(o.oursMedianUs)! / 1000,
      opsPerSec: num(o.oursDocsPerSecond) ?? 1e6 / num(o.oursMedianUs)!,
      target: { op: '>=', value: 1500, unit: 'docs/s' },
      ...(ratio !== undefined ? { peer: { name: '@medplum/core', median: num(o.medplumMedianUs)! / 1000, opsPerSec: num(o.medplumDocsPerSecond), ratio } } : {}),
      note: [
        ratio !== undefined ? `second target ≥ 20× @medplum/core: ${ratio >= 20 ? 'met' : 'NOT met'}` : '',
        num(o.oursErrors) !== undefined ? `${o.oursErrors} error issue(s) on this input` : '',
      ].filter(Boolean).join('; ') || undefined,
    } as Row);
    return ratio !== undefined && ratio < 20 ? { ...row, met: false } : row;
  }
  // bench/translate.ts TranslateBenchResult: µs median, docs/s, and the deep-copy floor.
  if (num(o.medianUs) !== undefined && num(o.docsPerSecond) !== undefined) {
    const floor = num(o.copyFloorDocsPerSecond);
    return check({
      name,
      unit: 'ms',
      median: num(o.medianUs)! / 1000,
      opsPerSec: num(o.docsPerSecond),
      target: { op: '>=', value: suite === 'translate' ? 2000 : NaN, unit: 'docs/s' },
      ...(floor !== undefined ? { peer: { name: 'deep-copy floor', median: 1000 / floor, opsPerSec: floor, ratio: num(o.docsPerSecond)! / floor } } : {}),
    });
  }
  // {name, value, unit} (bench/audit.ts), possibly with "(target … )" in the name.
  const value = num(o.value) ?? num(o.median) ?? num(o.medianMs) ?? num(o.ms);
  const perSec = Object.entries(o).find(([k, v]) => /(ops|docs|requests|per)_?(per)?_?s(ec(ond)?)?$/i.test(k) && num(v) !== undefined)?.[1] as number | undefined;
  const unit = typeof o.unit === 'string' ? o.unit : value !== undefined && /ms$/i.test(Object.keys(o).find((k) => o[k] === value) ?? '') ? 'ms' : '';
  const target = targetFromName(name);
  const row: Row = { name, unit, median: value ?? perSec ?? NaN };
  if (perSec !== undefined && value !== undefined && value !== perSec) row.opsPerSec = perSec;
  if (target) row.target = target;
  const peerRatio = num(o.ratio);
  if (peerRatio !== undefined) row.peer = { name: typeof o.peer === 'string' ? o.peer : 'peer', median: NaN, ratio: peerRatio };
  return check(row);
}

async function runExternal(suite: Suite, log: Log): Promise<Row[]> {
  const ext = path.extname(new URL(import.meta.url).pathname);
  const spec = `${suite.external}${ext}`;
  if (!existsSync(new URL(spec, import.meta.url))) throw new NotAvailable(`bench/${suite.name}${ext} does not exist yet`);
  const mod = (await import(spec)) as Record<string, unknown>;
  const pascal = suite.name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
  const fn = (mod[`bench${pascal}`] ?? Object.entries(mod).find(([k, v]) => k.startsWith('bench') && typeof v === 'function')?.[1]) as
    | ((log: Log) => unknown)
    | undefined;
  if (typeof fn !== 'function') throw new NotAvailable(`bench/${suite.name}${ext} exports no bench… function`);
  const out = await fn(log);
  const list = Array.isArray(out) ? out : Array.isArray((out as { rows?: unknown })?.rows) ? (out as { rows: unknown[] }).rows : [out];
  return list.map((x) => adaptResult(suite.name, x));
}

// ---- results file and comparison -----------------------------------------------------------

function resultsDir(): string {
  return path.join(repoRoot(), 'bench', 'results');
}

function writeResults(file: RunFile): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const latest = path.join(dir, 'latest.json');
  if (existsSync(latest)) renameSync(latest, path.join(dir, 'previous.json'));
  writeFileSync(latest, JSON.stringify(file, null, 2) + '\n');
  return latest;
}

function compare(now: RunFile, log: Log): void {
  const prevFile = path.join(resultsDir(), 'previous.json');
  if (!existsSync(prevFile)) {
    log('--compare: no bench/results/previous.json yet (run the suite twice)');
    return;
  }
  const prev = JSON.parse(readFileSync(prevFile, 'utf8')) as RunFile;
  const before = new Map(prev.suites.flatMap((s) => s.rows.map((r) => [`${s.bench}/${r.name}`, r] as const)));
  log(`\nComparison with the run of ${prev.startedAt} (load average then ${prev.loadAverage.join(' ')}, now ${now.loadAverage.join(' ')}):`);
  log(`${'name'.padEnd(62)} ${'before'.padEnd(14)} ${'now'.padEnd(14)} change`);
  for (const s of now.suites) {
    for (const r of s.rows) {
      const b = before.get(`${s.bench}/${r.name}`);
      if (!b) continue;
      const change = b.median ? ((r.median - b.median) / b.median) * 100 : NaN;
      log(`${`${s.bench}/${r.name}`.slice(0, 62).padEnd(62)} ${`${fmt(b.median)} ${b.unit}`.padEnd(14)} ${`${fmt(r.median)} ${r.unit}`.padEnd(14)} ${Number.isFinite(change) ? `${change >= 0 ? '+' : ''}${change.toFixed(1)} %` : '–'}`);
    }
  }
}

// ---- main ----------------------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const names = argv.filter((a) => !a.startsWith('--'));
  const log: Log = (line) => console.log(line);
  if (flags.has('--list') || flags.has('--help')) {
    for (const s of SUITES) log(`${s.name.padEnd(12)} ${s.what}`);
    return 0;
  }
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const chosen = names.length ? SUITES.filter((s) => names.includes(s.name)) : SUITES;
  const runner = import.meta.url.endsWith('.ts') ? 'tsx' : 'dist';
  const started = new Date();
  const t0 = performance.now();
  const m = machine();
  log(`emr-gateway benchmarks — node ${m.node}, ${m.cpus} × ${m.cpuModel}, load average ${m.loadAverage.join(' ')}, via ${runner}`);
  const suites: SuiteResult[] = [];
  for (const suite of chosen) {
    log(`\n== ${suite.name}: ${suite.what}`);
    const s0 = performance.now();
    const indent: Log = (line) => log(`  ${line}`);
    let result: SuiteResult;
    try {
      const rows = suite.run ? await suite.run(indent) : await runExternal(suite, indent);
      result = { bench: suite.name, status: 'ok', seconds: (performance.now() - s0) / 1000, rows };
    } catch (e) {
      const na = e instanceof NotAvailable;
      const reason = e instanceof Error ? (na ? e.message : e.stack ?? e.message) : String(e);
      result = { bench: suite.name, status: na ? 'not available' : 'failed', reason, seconds: (performance.now() - s0) / 1000, rows: [] };
    }
    suites.push(result);
    if (result.rows.length) {
      log(header());
      for (const r of result.rows) log(formatRow(r));
    }
    if (result.status !== 'ok') log(`${result.status.toUpperCase()}: ${result.reason}`);
    log(`(${suite.name}: ${result.seconds.toFixed(0)} s)`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const file: RunFile = { startedAt: started.toISOString(), ...m, runner, seconds, suites };
  const where = writeResults(file);

  log('\n== Targets');
  for (const s of suites) {
    if (s.status !== 'ok') log(`${s.bench.padEnd(12)} ${s.status}`);
    for (const r of s.rows.filter((x) => x.target)) {
      const t = r.target!;
      const v = (t.of ?? (r.opsPerSec !== undefined ? 'opsPerSec' : 'median')) === 'opsPerSec' ? r.opsPerSec : r.median;
      log(`${s.bench.padEnd(12)} ${r.met ? 'met   ' : 'MISSED'} ${r.name.trim().padEnd(50)} ${fmt(v)} ${t.unit} (target ${t.op === '>=' ? '≥' : '≤'} ${fmt(t.value)} ${t.unit})`);
    }
  }
  log(`\nwhole run ${seconds.toFixed(0)} s${seconds > 600 ? ' — OVER the 10-minute budget' : ''}; results in ${path.relative(process.cwd(), where)}`);
  if (flags.has('--compare')) compare(file, log);
  return suites.some((s) => s.status === 'failed') ? 1 : 0;
}

// Benchmarks leave servers and pools behind only on failure; exit explicitly either way.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
