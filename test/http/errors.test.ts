/**
 * Every failure under /fhir is an OperationOutcome with the right status, an X-Request-Id header,
 * and no stack trace or library message (issue 2).
 */
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/server.js';

function expectOutcome(res: Response, body: any, status: number) {
  expect(res.status).to.equal(status);
  expect(res.headers.get('x-request-id')).to.match(/\S+/);
  expect(res.headers.get('content-type')).to.match(/application\/fhir\+json/);
  expect(body.resourceType).to.equal('OperationOutcome');
  expect(JSON.stringify(body)).to.not.match(/at \w+ \(|node_modules|SyntaxError|Unexpected token/);
}

describe('HTTP foundation', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('serves a CapabilityStatement for FHIR 4.0.1 without a token', async () => {
    const res = await fetch(`${server.base}/metadata`);
    const body = await res.json();
    expect(res.status).to.equal(200);
    expect(body).to.include({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    expect(body.rest[0].resource.map((r: { type: string }) => r.type)).to.include('Bundle');
  });

  it('honours _format=application/json in the response type', async () => {
    const res = await fetch(`${server.base}/metadata?_format=application/json`);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
  });

  it('answers 406 for _format=xml', async () => {
    const res = await fetch(`${server.base}/metadata?_format=xml`);
    expectOutcome(res, await res.json(), 406);
  });

  it('answers an unknown route with a 404 OperationOutcome', async () => {
    const res = await fetch(`${server.base}/Nothing/here`);
    expectOutcome(res, await res.json(), 404);
  });

  it('answers an unsupported method with 405 and Allow', async () => {
    const res = await fetch(`${server.base}/metadata`, { method: 'DELETE' });
    expectOutcome(res, await res.json(), 405);
    expect(res.headers.get('allow')).to.equal('GET');
  });

  it('refuses a submission without a token with 401', async () => {
    const res = await fetch(`${server.base}/Bundle`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{}' });
    expectOutcome(res, await res.json(), 401);
  });

  it('refuses a malformed Authorization header with 401', async () => {
    const res = await fetch(`${server.base}/Bundle/abc`, { headers: { authorization: 'Basic abc' } });
    expectOutcome(res, await res.json(), 401);
  });

  it('keeps a sane client X-Request-Id and replaces an unsafe one', async () => {
    const ok = await fetch(`${server.base}/metadata`, { headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers.get('x-request-id')).to.equal('abc-123');
    const bad = await fetch(`${server.base}/metadata`, { headers: { 'x-request-id': 'a b<script>' } });
    expect(bad.headers.get('x-request-id')).to.not.equal('a b<script>');
  });

  it('sets security headers (helmet)', async () => {
    const res = await fetch(`${server.base}/metadata`);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('content-security-policy')).to.be.a('string');
  });

  it('reports liveness and readiness', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).to.equal(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).to.deep.equal({ status: 'ready' });
  });
});
