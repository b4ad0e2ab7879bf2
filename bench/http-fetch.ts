/**
 * Benchmark `http-fetch`: consent-checked fetch of a translated, signed document — an overseas
 * provider's system with its own access token and the consent token in `X-Consent-Token`
 * (issue 6 contract) reads `GET /fhir/Bundle/{id}` with `Accept-Language: en`, 50 autocannon
 * connections for ~10 s. Every request is authenticated, consent-checked, translated (or served
 * from a cache that is safe: per consent and language), signed and audited by the gateway.
 * Targets (issue 10): ≥ 5,000 requests/s, p99 ≤ 25 ms on the embedded store.
 * Peer: express 5 hello-world at 50 connections.
 *
 * Set-up over HTTP as a hospital would: submit a small synthetic discharge summary, then
 * `POST /fhir/Consent/$grant` (Parameters: patient, recipient Organization, purpose TREAT,
 * document, end). When those routes are missing the benchmark reports "not available".
 */
import { pathToFileURL } from 'node:url';
import type { Bundle, Identifier } from '../src/fhir/types.js';
import { check, NotAvailable, type Row } from './harness.js';
import { accessToken, exampleClient, helloWorldPeer, runLoad, serverCost, startBenchServer, statusSummary } from './http-common.js';
import { syntheticDischargeSummary } from './synthetic.js';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

interface Parameters {
  resourceType: 'Parameters';
  parameter?: ({ name: string; valueString?: string } & Record<string, unknown>)[];
}

export async function benchHttpFetch(log: (line: string) => void = console.log): Promise<Row[]> {
  const server = await startBenchServer();
  try {
    const hospital = await accessToken(server.url, exampleClient('hospital', 0));
    const providerClient = exampleClient('provider', 0);
    const provider = await accessToken(server.url, providerClient);
    const doc = syntheticDischargeSummary(5, 21) as Bundle;
    const submitted = await fetch(`${server.base}/Bundle`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hospital}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(doc),
    });
    const created = (await submitted.json()) as Bundle;
    if (submitted.status !== 201) throw new Error(`set-up: submitting the document answered ${submitted.status}: ${JSON.stringify(created).slice(0, 300)}`);
    const patient = doc.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as { identifier?: Identifier[] } | undefined;
    const grant: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', valueIdentifier: patient?.identifier?.[0] },
        { name: 'recipient', valueReference: { reference: `Organization/${providerClient.organization}` } },
        { name: 'purpose', valueCoding: { system: ACT_REASON, code: 'TREAT' } },
        { name: 'document', valueReference: { reference: `Bundle/${created.id}` } },
        { name: 'end', valueDateTime: new Date(Date.now() + 7 * 86_400_000).toISOString() },
      ],
    };
    const granted = await fetch(`${server.base}/Consent/$grant`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hospital}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(grant),
    });
    const answer = (await granted.json()) as Parameters;
    if (granted.status === 404 || granted.status === 405) throw new NotAvailable(`POST /fhir/Consent/$grant answered ${granted.status}: consent wiring not in this tree`);
    if (!granted.ok) throw new Error(`set-up: $grant answered ${granted.status}: ${JSON.stringify(answer).slice(0, 400)}`);
    const consentToken = answer.parameter?.find((p) => p.name === 'token')?.valueString;
    if (!consentToken) throw new NotAvailable('$grant answered without a consent token');
    const headers = { authorization: `Bearer ${provider}`, 'x-consent-token': consentToken, 'accept-language': 'en', accept: 'application/fhir+json' };
    const path = `/fhir/Bundle/${created.id}`;
    const probe = await fetch(`${server.url}${path}`, { headers });
    const body = await probe.text();
    if (probe.status !== 200) throw new NotAvailable(`consent-token read answered ${probe.status}: ${body.slice(0, 300)}`);
    log(`http-fetch: ${(Buffer.byteLength(body) / 1024).toFixed(1)} KB document per response; ${CONNECTIONS} connections for ${SECONDS} s`);

    const peer = await helloWorldPeer(CONNECTIONS);
    await runLoad({ url: server.url, method: 'GET', path, headers, connections: CONNECTIONS, amount: 500, body: { kind: 'none' } });
    const r = await runLoad({ url: server.url, method: 'GET', path, headers, connections: CONNECTIONS, duration: SECONDS, body: { kind: 'none' } });
    const errors = r.non2xx + r.errors + r.timeouts;
    return [
      check({ name: `peer: express hello-world, ${CONNECTIONS} conn`, unit: 'req/s', median: peer.okPerSec, min: peer.perSecond.min, max: peer.perSecond.max }),
      check({
        name: 'consent-checked fetch: requests/s',
        unit: 'req/s',
        median: r.okPerSec,
        min: r.perSecond.min,
        max: r.perSecond.max,
        target: { op: '>=', value: 5000, unit: 'req/s', of: 'median' },
        peer: { name: 'express hello-world', median: peer.okPerSec, ratio: r.okPerSec / peer.okPerSec },
        note: `${r.ok} reads in ${r.seconds.toFixed(1)} s; p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, max ${r.latency.max} ms; ${serverCost(r)}; ${statusSummary(r)}${errors ? ' — ERRORS' : ''}`,
      }),
      check({ name: 'consent-checked fetch: p99 latency', unit: 'ms', median: r.latency.p99, target: { op: '<=', value: 25, unit: 'ms', of: 'median' } }),
    ];
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { header, formatRow } = await import('./harness.js');
  const rows = await benchHttpFetch();
  console.log(header());
  for (const row of rows) console.log(formatRow(row));
}
