/**
 * FHIR $validate over HTTP (issue 3 part 5): 200 with the OperationOutcome, errors included; the
 * resource itself or a Parameters; unknown profile → an error issue; bad input → a coded outcome.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer, repoRoot, type TestServer } from '../support/server.js';
import { accessToken, client } from '../support/clients.js';

describe('$validate over HTTP', function () {
  let server: TestServer;
  let token: string;
  const fixture = () => JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/cn-t2dm-htn.json'), 'utf8'));
  const call = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });

  before(async () => {
    server = await startTestServer();
    token = await accessToken(server.url, client('provider', 0));
  });
  after(() => server.close());

  it('reports no errors for a fixture document', async () => {
    const res = await call(`${server.base}/$validate`, fixture());
    const oo = await res.json();
    expect(res.status).to.equal(200);
    expect(oo.issue.filter((i: any) => i.severity === 'error')).to.deep.equal([]);
  });

  it('answers 200 with the errors and their expressions for an invalid resource', async () => {
    const res = await call(`${server.base}/Patient/$validate`, { resourceType: 'Patient', gender: 'male', birthDate: '1980-13-45' });
    const oo = await res.json();
    expect(res.status).to.equal(200);
    const errors = oo.issue.filter((i: any) => i.severity === 'error');
    expect(errors.length).to.be.greaterThan(0);
    expect(errors.flatMap((i: any) => i.expression ?? [])).to.include('Patient.birthDate');
  });

  it('takes a Parameters with resource and profile; an unknown profile is an error issue', async () => {
    const res = await call(`${server.base}/$validate`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'resource', resource: { resourceType: 'Patient', gender: 'female' } },
        { name: 'profile', valueUri: 'https://example.org/StructureDefinition/nope' },
      ],
    });
    const oo = await res.json();
    expect(res.status).to.equal(200);
    expect(oo.issue.some((i: any) => i.severity === 'error' && i.code === 'not-supported')).to.equal(true);
  });

  it('refuses a resource of another type than the path with 422', async () => {
    const res = await call(`${server.base}/Observation/$validate`, { resourceType: 'Patient' });
    expect(res.status).to.equal(422);
  });

  it('requires a token', async () => {
    const res = await fetch(`${server.base}/$validate`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{"resourceType":"Patient"}' });
    expect(res.status).to.equal(401);
  });
});
