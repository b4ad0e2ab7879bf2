/**
 * Issue 3 "Done when": bad input (non-JSON, wrong resourceType, 100,000 entries, unknown profile
 * URL) gets a clear OperationOutcome and never a 500 — through the real HTTP server, POST
 * /fhir/$validate. $validate answers 200 with the outcome when it could judge the resource (FHIR
 * R4 resource-operation-validate.html) and a 4xx outcome when it could not read one (ARCHITECTURE
 * "Errors": 400 malformed, 413 too large, 415 media type, 422 not a resource).
 *
 * The 100,000-entry Bundle uses small entries so it fits under the 20 MB body limit; the intake's
 * documented entry limit (MAX_DOCUMENT_ENTRIES, checked right after parsing) answers 413 at
 * Bundle.entry; /healthz requests issued while it is in flight must still be answered.
 */
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/server.js';
import { accessToken, client } from '../../support/clients.js';
import { MAX_DOCUMENT_ENTRIES } from '../../../src/ingest/parse.js';

interface OutcomeIssue {
  severity: string;
  code: string;
  diagnostics?: string;
  expression?: string[];
  details?: { coding?: { code?: string }[] };
}

const ruleOf = (i: OutcomeIssue) => i.details?.coding?.[0]?.code;

/** Asserts a FHIR OperationOutcome with `status` and an error of `code` (and `rule` when given). */
async function expectOutcome(res: Response, status: number, code: string, rule?: string): Promise<OutcomeIssue[]> {
  expect(res.status).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/fhir\+json/);
  const body = (await res.json()) as { resourceType?: string; issue?: OutcomeIssue[] };
  expect(body.resourceType).to.equal('OperationOutcome');
  const errors = (body.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  expect(errors.map((i) => ({ code: i.code, ...(rule ? { rule: ruleOf(i) } : {}) }))).to.deep.include({ code, ...(rule ? { rule } : {}) });
  for (const i of errors) expect(i.diagnostics, 'every error says what is wrong').to.be.a('string').and.not.equal('');
  return errors;
}

describe('$validate with bad input: an OperationOutcome, never a 500', function () {
  let server: TestServer;
  let token: string;
  const post = (body: string, { query = '', contentType = 'application/fhir+json' } = {}) =>
    fetch(`${server.base}/$validate${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });

  before(async function () {
    this.timeout(60_000);
    server = await startTestServer();
    token = await accessToken(server.url, client('provider', 0));
  });
  after(() => server.close());

  it('non-JSON (truncated) → 400 structure', async () => {
    await expectOutcome(await post('{"resourceType": "Bundle", "entry": ['), 400, 'structure');
  });

  it('non-JSON sent as text/plain → 415 not-supported', async () => {
    await expectOutcome(await post('出院小结：胆囊结石', { contentType: 'text/plain' }), 415, 'not-supported');
  });

  it('JSON that is not an object → 422 invalid', async () => {
    await expectOutcome(await post('[{"resourceType":"Patient"}]'), 422, 'invalid');
    await expectOutcome(await post('null'), 422, 'invalid');
  });

  it('an object without resourceType → 422 invalid', async () => {
    await expectOutcome(await post('{"gender":"female"}'), 422, 'invalid');
  });

  it('a wrong resourceType ("Nope") → 200 with a structure error (rule resource-type)', async () => {
    await expectOutcome(await post('{"resourceType":"Nope"}'), 200, 'structure', 'resource-type');
  });

  it('an unknown profile URL in ?profile= → 200 with a not-supported error (rule profile-unknown)', async () => {
    const query = `?profile=${encodeURIComponent('https://example.org/fhir/StructureDefinition/no-such-profile')}`;
    await expectOutcome(await post('{"resourceType":"Patient","gender":"female"}', { query }), 200, 'not-supported', 'profile-unknown');
  });

  it('JSON nested deeper than the parser accepts → 400 structure', async () => {
    await expectOutcome(await post('{"a":'.repeat(5000) + '1' + '}'.repeat(5000)), 400, 'structure');
  });

  it('a __proto__ member → 400 structure', async () => {
    await expectOutcome(await post('{"resourceType":"Patient","__proto__":{"admin":true}}'), 400, 'structure');
  });

  it('a body over the 20 MB limit → 413 too-costly', async () => {
    const body = `{"resourceType":"Patient","text":{"status":"generated","div":"${'x'.repeat(21 * 1024 * 1024)}"}}`;
    await expectOutcome(await post(body), 413, 'too-costly');
  });

  it('a 100,000-entry document Bundle → 413 too-costly at Bundle.entry while /healthz keeps answering', async function () {
    this.timeout(60_000);
    const n = 100_000;
    expect(n).to.be.greaterThan(MAX_DOCUMENT_ENTRIES);
    const uuid = (i: number) => `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const entry = [
      { fullUrl: uuid(0), resource: { resourceType: 'Composition', status: 'final', type: { text: '出院小结' }, date: '2024-10-12', author: [{ display: '医生' }], title: '出院小结' } },
      ...Array.from({ length: n - 1 }, (_, i) => ({ fullUrl: uuid(i + 1), resource: { resourceType: 'Basic', code: { text: 'x' } } })),
    ];
    const body = JSON.stringify({ resourceType: 'Bundle', identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:1' }, type: 'document', timestamp: '2024-10-12T09:15:00+08:00', entry });
    expect(body.length).to.be.below(20 * 1024 * 1024);

    let settled = false;
    const validating = post(body).finally(() => { settled = true; });
    const health: Promise<number>[] = [];
    // Ask /healthz every 100 ms while the big request is in flight (at least once).
    do {
      health.push(fetch(`${server.url}/healthz`).then((r) => r.status));
      await new Promise((r) => setTimeout(r, 100));
    } while (!settled);
    const errors = await expectOutcome(await validating, 413, 'too-costly');
    expect(errors[0]!.expression).to.deep.equal(['Bundle.entry']);
    const statuses = await Promise.all(health);
    expect(statuses.length).to.be.at.least(1);
    expect(statuses.every((s) => s === 200)).to.equal(true);
  });

  it('still answers a valid request after all of the above', async () => {
    const res = await post('{"resourceType":"Patient","gender":"female","birthDate":"1990-01-01"}');
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { issue: OutcomeIssue[] };
    expect(body.issue.filter((i) => i.severity === 'error')).to.deep.equal([]);
  });
});
