/**
 * Summarises a V8 .cpuprofile by self time: `npx tsx bench/profile-summary.ts <file> [top]`.
 * Prints the top functions (self %, ms, file:line) and the self-time share per source area
 * (src/<dir>, node_modules/<package>, node: internals, GC/idle/program), so a profile taken with
 * BENCH_CPU_PROFILE (bench/http-common.ts) can be read without a browser.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new TypeError('usage: profile-summary <file.cpuprofile> [top]');
const top = Number(topArg ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function area(url: string, fn: string): string {
  if (!url) return `(${fn || 'anonymous'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const src = /\/(src|bench|test)\/([^/]+)/.exec(url);
  if (src) return `${src[1]}/${src[2]!.replace(/\.[jt]s$/, '')}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^.*\//, '');
}

const fns = new Map<string, number>();
const areas = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anon)'} ${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const a = area(url, functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
console.log('-- by area (self) --');
for (const [k, v] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v)} ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
console.log('-- by function (self) --');
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)} ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);

// `--callers NAME`: for functions whose name is NAME, self time split by their caller chain (3 up).
const ci = process.argv.indexOf('--callers');
if (ci > 0) {
  const name = process.argv[ci + 1];
  const parent = new Map<number, number>();
  for (const n of p.nodes as (Node & { children?: number[] })[]) for (const c of n.children ?? []) parent.set(c, n.id);
  const chains = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName !== name) continue;
    const chain: string[] = [];
    for (let up = parent.get(id), k = 0; up !== undefined && k < 4; up = parent.get(up), k++) {
      const f = byId.get(up)!.callFrame;
      chain.push(`${f.functionName || '(anon)'}@${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`);
    }
    const key = chain.join(' < ');
    chains.set(key, (chains.get(key) ?? 0) + us);
  }
  console.log(`-- callers of ${name} --`);
  for (const [k, v] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(v)}  ${k}`);
}
