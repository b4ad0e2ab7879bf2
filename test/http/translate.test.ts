/**
 * Translation over HTTP (issue 5): $translate on a document (query or Parameters form) and
 * ConceptMap $translate for one code.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer, repoRoot, type TestServer } from '../support/server.js';
import { accessToken, client } from '../support/clients.js';

describe('$translate over HTTP', function () {
  let server: TestServer;
  let token: string;
  const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/cn-ami-pci.json'), 'utf8'));
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });

  before(async () => {
    server = await startTestServer();
    token = await accessToken(server.url, client('provider', 0));
  });
  after(() => server.close());

  it('translates a discharge summary to English, keeping every original coding', async () => {
    const res = await post(`${server.base}/Bundle/$translate?target=en`, fixture);
    const params = await res.json();
    expect(res.status).to.equal(200);
    const doc = params.parameter.find((p: any) => p.name === 'document').resource;
    const report = params.parameter.find((p: any) => p.name === 'report').resource;
    expect(report.resourceType).to.equal('OperationOutcome');
    const text = JSON.stringify(doc);
    expect(text).to.include('http://hl7.org/fhir/sid/icd-10');
    expect(text).to.include('I21.001');
    const patient = doc.entry.find((e: any) => e.resource.resourceType === 'Patient').resource;
    expect(JSON.stringify(patient.name)).to.match(/OUYANG/);
  });

  it('takes the Parameters form with target zh-CN', async () => {
    const ips = JSON.parse(
      readFileSync(path.join(repoRoot, '../shared/corpus/ips-uv-1.1.0/package/example/Bundle-IPS-examples-Bundle-01.json'), 'utf8'),
    );
    const res = await post(`${server.base}/Bundle/$translate`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'document', resource: ips },
        { name: 'target', valueCode: 'zh-CN' },
      ],
    });
    expect(res.status).to.equal(200);
    const doc = (await res.json()).parameter[0].resource;
    expect(JSON.stringify(doc)).to.match(/[\u4e00-\u9fff]/);
  });

  it('refuses an unknown target language with 400 at target', async () => {
    const res = await post(`${server.base}/Bundle/$translate?target=fr`, fixture);
    const oo = await res.json();
    expect(res.status).to.equal(400);
    expect(oo.issue[0].expression).to.deep.equal(['target']);
  });

  it('translates one Chinese ICD-10 code to WHO ICD-10 with ConceptMap $translate', async () => {
    const res = await fetch(`${server.base}/ConceptMap/$translate?system=${encodeURIComponent('urn:oid:2.16.156.10011.2.3.3.11')}&code=E11.900&target=en`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const p = await res.json();
    expect(res.status).to.equal(200);
    expect(p.parameter.find((x: any) => x.name === 'result').valueBoolean).to.equal(true);
    const match = p.parameter.find((x: any) => x.name === 'match');
    const concept = match.part.find((x: any) => x.name === 'concept').valueCoding;
    expect(concept).to.include({ system: 'http://hl7.org/fhir/sid/icd-10', code: 'E11.9' });
  });
});
