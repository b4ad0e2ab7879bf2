/**
 * Load generator child of the HTTP benchmarks (forked by bench/http-common.ts `runLoad`): receives
 * a LoadSpec over IPC, prepares the request bodies, runs autocannon and sends back a LoadResult.
 *
 * Invariant: every intake request carries a different Bundle.identifier (a resubmission of the
 * same identifier and content is an idempotent 200 that skips the store, and would flatter us).
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Bundle } from '../src/fhir/types.js';
import { parsePemCertificates, signDocument } from '../src/trust/index.js';
import { repoRoot } from './harness.js';
import type { BodySpec, LoadResult, LoadSpec } from './http-common.js';
import { syntheticDischargeSummary } from './synthetic.js';

type NextBody = (() => string) | undefined;

async function bodies(spec: BodySpec, amount: number | undefined): Promise<NextBody> {
  if (spec.kind === 'none') return undefined;
  const doc = syntheticDischargeSummary(spec.entries, spec.seed) as Bundle & { identifier: { system: string; value: string } };
  const value = doc.identifier.value;
  if (!spec.signed) {
    const parts = JSON.stringify(doc).split(JSON.stringify(value));
    if (parts.length !== 2) throw new TypeError('the synthetic identifier value is not unique in the document text');
    let i = 0;
    return () => parts.join(JSON.stringify(`${value}-${spec.prefix}-${i++}`));
  }
  if (!spec.signer || !amount) throw new TypeError('a signed body pool needs the signer and an amount');
  const dir = path.join(repoRoot(), 'certs-example');
  const key = createPrivateKey(readFileSync(path.join(dir, spec.signer.private_key), 'utf8'));
  const chain = parsePemCertificates(readFileSync(path.join(dir, spec.signer.certificate), 'utf8'));
  // Signature.who names the Organization entry of the document itself: the default (the
  // certificate's Organization/{id}) is not in the Bundle, and the validator refuses unresolved
  // references in a document (FHIR R4 documents.html: references resolve inside the Bundle).
  const org = doc.entry?.find((e) => e.resource?.resourceType === 'Organization')?.fullUrl;
  const who = org ? { reference: org } : undefined;
  const pool: string[] = [];
  for (let i = 0; i < amount; i++) {
    const copy = { ...doc, identifier: { ...doc.identifier, value: `${value}-${spec.prefix}-${i}` } };
    pool.push(JSON.stringify(await signDocument(copy, { key, chain, alg: 'RS384', now: () => new Date(), ...(who ? { who } : {}) })));
  }
  let i = 0;
  return () => pool[i++ % pool.length]!;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const t0 = performance.now();
  const next = await bodies(spec.body, spec.amount);
  const prepareSeconds = (performance.now() - t0) / 1000;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 10 }),
    timeout: 30,
    requests: [
      {
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        ...(next ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: next() }) } : {}),
      },
    ],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (v as { count: number }).count;
  const ok = result['2xx'];
  return {
    seconds: result.duration,
    okPerSec: ok / result.duration,
    perSecond: { p50: result.requests.p50, min: result.requests.min, max: result.requests.max },
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    prepareSeconds,
  };
}

process.once('message', (spec: LoadSpec) => {
  run(spec).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (e: unknown) => process.send!({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }, () => process.exit(1)),
  );
});
