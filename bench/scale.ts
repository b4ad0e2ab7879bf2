/**
 * Benchmark `scale`: time and memory for 10 / 100 / 1,000 / 10,000-entry synthetic discharge
 * summaries, (a) through the in-process intake pipeline (parse → document shape → validation as
 * composed by src/compose/validation.ts, when present → RFC 8785 canonical SHA-256, the steps of
 * src/gateway/documents.ts before the store) and (b) through `POST /fhir/Bundle` on a server in
 * its own process (so its memory can be read from /proc and the client never shares its thread).
 *
 * Checks (issue 10): growth is linear — in process, time per entry at 10,000 entries at most 2×
 * that at 1,000 (our reading of "linear" on a noisy machine); over HTTP the same between 100 and
 * the largest accepted document (MAX_DOCUMENT_ENTRIES; above it intake answers 413, which the
 * 10,000-entry POST shows); and while the largest accepted document is being submitted,
 * `GET /healthz` on the same server answers within 1 s (an event loop blocked longer than that
 * takes the server away from every other client).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { canonicalJson } from '../src/fhir/canonical.js';
import type { Bundle } from '../src/fhir/types.js';
import { checkDocumentShape } from '../src/ingest/document.js';
import { MAX_DOCUMENT_ENTRIES } from '../src/ingest/parse.js';
import { parseJsonResource } from '../src/fhir/json.js';
import { check, measure, median, procMemoryMb, repoRoot, type Row } from './harness.js';
import { accessToken, exampleClient } from './http-common.js';
import { spawnServer } from './startup.js';
import { syntheticDischargeSummary } from './synthetic.js';

const SIZES = [10, 100, 1000, 2000, 10_000] as const;
const ROUNDS: Record<number, number> = { 10: 15, 100: 10, 1000: 5, 2000: 3, 10_000: 3 };
/** The largest document intake accepts (src/ingest/parse.ts MAX_DOCUMENT_ENTRIES); above it: 413. */
const LARGEST_ACCEPTED = MAX_DOCUMENT_ENTRIES;

type Validate = (b: Bundle) => unknown;

/** The validator the server composes, if that composition exists in this tree. */
async function composedValidator(log: (line: string) => void): Promise<Validate | undefined> {
  try {
    const spec = '../src/compose/validation.js';
    const mod = (await import(spec)) as { buildValidator?: (dirs: string[]) => { validator: { validateDocument(b: Bundle): unknown } } };
    if (typeof mod.buildValidator !== 'function') throw new TypeError('buildValidator not exported');
    const { validator } = mod.buildValidator([path.join(repoRoot(), 'fhir-profiles')]);
    return (b) => validator.validateDocument(b);
  } catch (e) {
    log(`scale: validation not available in the pipeline (${e instanceof Error ? e.message.split('\n')[0] : e})`);
    return undefined;
  }
}

function withIdentifier(text: string, value: string, next: string): string {
  const parts = text.split(JSON.stringify(value));
  if (parts.length !== 2) throw new TypeError('identifier value not unique in the document text');
  return parts.join(JSON.stringify(next));
}

export async function benchScale(log: (line: string) => void = console.log): Promise<Row[]> {
  const docs = new Map<number, { text: string; value: string }>();
  for (const n of SIZES) {
    const doc = syntheticDischargeSummary(n, 3) as Bundle & { identifier: { value: string } };
    docs.set(n, { text: JSON.stringify(doc), value: doc.identifier.value });
  }
  const rows: Row[] = [];

  // (a) In-process pipeline.
  const validate = await composedValidator(log);
  const perEntry = new Map<number, number>();
  for (const n of SIZES) {
    const { text } = docs.get(n)!;
    const m = await measure(`pipeline ${n}`, () => {
      // parseJsonResource, not the intake's parser: the pipeline's growth is measured beyond the
      // intake's documented entry limit (MAX_DOCUMENT_ENTRIES), which HTTP enforces below.
      const { bundle } = checkDocumentShape(parseJsonResource(text));
      validate?.(bundle);
      return createHash('sha256').update(canonicalJson(bundle)).digest('hex');
    }, { warmup: n >= 10_000 ? 1 : 3, rounds: Math.min(ROUNDS[n]!, 5), perRound: n >= 1000 ? 1 : 5 });
    perEntry.set(n, m.median / n);
    rows.push(
      check({
        name: `pipeline ${n.toLocaleString('en-US')} entries (${(text.length / 1024).toFixed(0)} KB)`,
        unit: 'ms',
        median: m.median,
        min: m.min,
        max: m.max,
        opsPerSec: m.opsPerSec,
        note: `${((m.median / n) * 1000).toFixed(0)} µs/entry; parse + shape + ${validate ? 'validate + ' : ''}canonical hash`,
      }),
    );
  }
  rows.push(linearity('pipeline', perEntry));

  // (b) HTTP on a server in its own process.
  const server = await spawnServer();
  try {
    const token = await accessToken(server.url, exampleClient('hospital', 0));
    const base = await procMemoryMb(server.pid);
    const post = async (body: string) => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${server.url}/fhir/Bundle`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
          body,
        });
        await res.arrayBuffer();
        return { ms: performance.now() - t0, status: res.status };
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const alive = server.child.exitCode === null && server.child.signalCode === null;
        throw new Error(`POST of ${(body.length / 1024).toFixed(0)} KB failed after ${(performance.now() - t0).toFixed(0)} ms: ${cause?.code ?? ''} ${cause?.message ?? e}; server ${alive ? 'still running' : `exited (${server.child.exitCode ?? server.child.signalCode})`}`);
      }
    };
    const httpPerEntry = new Map<number, number>();
    let k = 0;
    let healthMax = 0;
    let healthCount = 0;
    for (const n of SIZES) {
      const { text, value } = docs.get(n)!;
      await post(withIdentifier(text, value, `${value}-warm-${k++}`));
      const times: number[] = [];
      const statuses = new Set<number>();
      for (let r = 0; r < ROUNDS[n]!; r++) {
        const body = withIdentifier(text, value, `${value}-scale-${k++}`);
        if (n === LARGEST_ACCEPTED) {
          // Poll /healthz for as long as the big submission runs; keep the slowest answer.
          let running = true;
          const poller = (async () => {
            while (running) {
              const t0 = performance.now();
              await (await fetch(`${server.url}/healthz`)).arrayBuffer();
              healthMax = Math.max(healthMax, performance.now() - t0);
              healthCount++;
              await new Promise((res) => setTimeout(res, 20));
            }
          })();
          const r1 = await post(body);
          running = false;
          await poller;
          times.push(r1.ms);
          statuses.add(r1.status);
        } else {
          const r1 = await post(body);
          times.push(r1.ms);
          statuses.add(r1.status);
        }
      }
      const mem = await procMemoryMb(server.pid);
      const med = median(times);
      httpPerEntry.set(n, med / n);
      rows.push(
        check({
          name: `POST ${n.toLocaleString('en-US')} entries`,
          unit: 'ms',
          median: med,
          min: Math.min(...times),
          max: Math.max(...times),
          note:
            `${((med / n) * 1000).toFixed(0)} µs/entry; status ${[...statuses].join('/')}; server RSS ${mem?.rss.toFixed(0)} MB, ` +
            `peak ${mem?.hwm.toFixed(0)} MB (after start: ${base?.rss.toFixed(0)} MB)`,
        }),
      );
      log(`scale: POST ${n} entries median ${med.toFixed(0)} ms, status ${[...statuses].join('/')}`);
    }
    rows.push(linearity('POST', httpPerEntry, LARGEST_ACCEPTED, 100));
    rows.push(
      check({
        name: `slowest /healthz during a ${LARGEST_ACCEPTED.toLocaleString('en-US')}-entry POST (larger: 413)`,
        unit: 'ms',
        median: healthMax,
        target: { op: '<=', value: 1000, unit: 'ms', of: 'median' },
        note: `${healthCount} health checks while ${ROUNDS[LARGEST_ACCEPTED]} big documents were submitted`,
      }),
    );
  } finally {
    await server.stop();
  }
  return rows;
}

/** Time per entry at `big` ÷ at `small`: 1 is perfectly linear, above 2 we call it super-linear. */
function linearity(label: string, perEntry: Map<number, number>, big = 10_000, small = 1000): Row {
  const r = perEntry.get(big)! / perEntry.get(small)!;
  return check({
    name: `${label}: time/entry ${big.toLocaleString('en-US')} ÷ ${small.toLocaleString('en-US')}`,
    unit: '×',
    median: r,
    target: { op: '<=', value: 2, unit: '×', of: 'median' },
    note: `µs/entry: ${[...perEntry].map(([n, t]) => `${n}: ${(t * 1000).toFixed(0)}`).join(', ')}`,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { header, formatRow } = await import('./harness.js');
  const rows = await benchScale();
  console.log(header());
  for (const row of rows) console.log(formatRow(row));
}
