/**
 * Document intake over real HTTP: fixtures round-trip, resubmission, search, authorization and the
 * malformed inputs of issue 2 (none of which may produce a 500).
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startTestServer, repoRoot, type TestServer } from '../support/server.js';
import { accessToken, client, gatewayWithToken } from '../support/clients.js';
import { createPrivateKey } from 'node:crypto';
import { parsePemCertificates, signDocument } from '../../src/trust/index.js';

const fixturesDir = path.join(repoRoot, 'test/fixtures');
const fixtureFiles = readdirSync(fixturesDir).filter((f) => f.endsWith('.json'));
const load = (f: string) => JSON.parse(readFileSync(path.join(fixturesDir, f), 'utf8'));

function withoutServerMeta(b: any) {
  const { id: _id, meta, ...rest } = b;
  const { versionId: _v, lastUpdated: _l, ...m } = meta ?? {};
  return Object.keys(m).length ? { ...rest, meta: m } : rest;
}

describe('document intake over HTTP', function () {
  let server: TestServer;
  let hospitalA: string;
  let hospitalB: string;
  let provider: string;
  const post = (token: string, body: string, type = 'application/fhir+json') =>
    fetch(`${server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

  before(async () => {
    server = await startTestServer();
    hospitalA = await accessToken(server.url, client('hospital', 0));
    hospitalB = await accessToken(server.url, client('hospital', 1));
    provider = await accessToken(server.url, client('provider', 0));
  });
  after(() => server.close());

  for (const f of fixtureFiles) {
    it(`round-trips ${f} unchanged in content`, async () => {
      const original = load(f);
      const res = await post(hospitalA, JSON.stringify(original));
      const createdText = await res.text();
      const created = JSON.parse(createdText);
      expect(res.status, createdText.slice(0, 500)).to.equal(201);
      expect(res.headers.get('location')).to.match(new RegExp(`/fhir/Bundle/${created.id}/_history/1$`));
      expect(created.meta.versionId).to.equal('1');
      const read = await fetch(`${server.base}/Bundle/${created.id}`, { headers: { authorization: `Bearer ${hospitalA}` } });
      expect(read.status).to.equal(200);
      const readText = await read.text();
      expect(withoutServerMeta(JSON.parse(readText))).to.deep.equal(withoutServerMeta(original));
      // The 201 answer sends the text the store wrote: byte for byte what a later read serialises.
      expect(createdText, 'the 201 body is the stored document').to.equal(readText);
    });
  }

  it('treats an identical resubmission as a retry and changed content as a new version', async () => {
    const doc = load(fixtureFiles[0]!);
    doc.identifier = { system: 'urn:oid:2.16.156.10011.1.1', value: 'RESUBMIT-1' };
    const first = await (await post(hospitalA, JSON.stringify(doc))).json();
    const again = await post(hospitalA, JSON.stringify(doc));
    expect(again.status).to.equal(200);
    expect((await again.json()).id).to.equal(first.id);
    doc.timestamp = '2026-11-20T10:00:00+08:00';
    const changed = await post(hospitalA, JSON.stringify(doc));
    expect(changed.status).to.equal(201);
    const v2 = await changed.json();
    expect(v2.id).to.equal(first.id);
    expect(v2.meta.versionId).to.equal('2');
  });

  it('refuses another hospital reusing an identifier with 409', async () => {
    const doc = load(fixtureFiles[0]!);
    doc.identifier = { system: 'urn:oid:2.16.156.10011.1.1', value: 'OWNED-BY-A' };
    expect((await post(hospitalA, JSON.stringify(doc))).status).to.equal(201);
    const res = await post(hospitalB, JSON.stringify(doc));
    expect(res.status).to.equal(409);
  });

  it('searches by patient identifier and by Bundle identifier, own documents only', async () => {
    const doc = load(fixtureFiles[0]!);
    doc.identifier = { system: 'urn:oid:2.16.156.10011.1.1', value: 'SEARCH-1' };
    const created = await (await post(hospitalA, JSON.stringify(doc))).json();
    const q = encodeURIComponent('urn:oid:2.16.156.10011.1.1|SEARCH-1');
    const mine = await (await fetch(`${server.base}/Bundle?identifier=${q}`, { headers: { authorization: `Bearer ${hospitalA}` } })).json();
    expect(mine).to.include({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(mine.entry[0].resource.id).to.equal(created.id);
    const theirs = await (await fetch(`${server.base}/Bundle?identifier=${q}`, { headers: { authorization: `Bearer ${hospitalB}` } })).json();
    expect(theirs.total).to.equal(0);
    const patient = doc.entry.find((e: any) => e.resource.resourceType === 'Patient').resource.identifier[0];
    const p = encodeURIComponent(`${patient.system}|${patient.value}`);
    const byPatient = await (await fetch(`${server.base}/Bundle?composition.patient.identifier=${p}`, { headers: { authorization: `Bearer ${hospitalA}` } })).json();
    expect(byPatient.total).to.be.at.least(1);
  });

  it("hides hospital A's document from hospital B with 404", async () => {
    const doc = load(fixtureFiles[1]!);
    doc.identifier = { system: 'urn:oid:2.16.156.10011.1.1', value: 'HIDDEN-1' };
    const created = await (await post(hospitalA, JSON.stringify(doc))).json();
    const res = await fetch(`${server.base}/Bundle/${created.id}`, { headers: { authorization: `Bearer ${hospitalB}` } });
    expect(res.status).to.equal(404);
  });

  it('refuses a submission from a provider with 403', async () => {
    const res = await post(provider, JSON.stringify(load(fixtureFiles[0]!)));
    expect(res.status).to.equal(403);
  });

  const malformed: [string, () => { body: string | Buffer; type?: string }, number, string?][] = [
    ['truncated JSON', () => ({ body: '{"resourceType":"Bundle","type":"docu' }), 400],
    ['a wrong content type', () => ({ body: 'resourceType=Bundle', type: 'text/plain' }), 415],
    ['a non-CDA XML document', () => ({ body: '<Bundle xmlns="http://hl7.org/fhir"/>', type: 'application/xml' }), 422],
    ['a JSON array', () => ({ body: '[{"resourceType":"Bundle"}]' }), 422, '$this'],
    ['10,000 levels of nesting', () => ({ body: '{"resourceType":"Bundle","x":' + '['.repeat(10000) + ']'.repeat(10000) + '}' }), 400],
    ['a __proto__ key', () => ({ body: '{"resourceType":"Bundle","__proto__":{"polluted":true}}' }), 400],
    ['a non-Bundle resource', () => ({ body: '{"resourceType":"Patient"}' }), 422, 'resourceType'],
    ['a collection Bundle', () => ({ body: JSON.stringify({ ...load(fixtureFiles[0]!), type: 'collection' }) }), 422, 'Bundle.type'],
    ['a 25 MB body', () => ({ body: Buffer.alloc(25 * 1024 * 1024, 0x20) }), 413],
  ];
  for (const [name, make, status, expression] of malformed) {
    it(`answers ${name} with ${status} and an OperationOutcome`, async () => {
      const { body, type } = make();
      const res = await post(hospitalA, body as string, type);
      const oo = await res.json();
      expect(res.status).to.equal(status);
      expect(oo.resourceType).to.equal('OperationOutcome');
      if (expression) expect(oo.issue.flatMap((i: any) => i.expression ?? [])).to.include(expression);
      expect(({} as any).polluted).to.equal(undefined);
    });
  }
});

describe('document checks on intake', function () {
  const gw = gatewayWithToken('hospital');
  const post = (body: unknown) =>
    fetch(`${gw.server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });

  it('refuses a discharge summary with a bad resident ID checksum with 422 at the identifier', async () => {
    const doc = load('cn-ami-pci.json');
    const idx = doc.entry.findIndex((e: any) => e.resource.resourceType === 'Patient');
    const patient = doc.entry[idx].resource;
    const i = patient.identifier.findIndex((x: any) => x.system === 'urn:oid:2.16.156.10011.1.3');
    const v: string = patient.identifier[i].value;
    patient.identifier[i].value = v.slice(0, 17) + (v[17] === '0' ? '1' : '0');
    const res = await post(doc);
    const oo = await res.json();
    expect(res.status).to.equal(422);
    const errors = oo.issue.filter((x: any) => x.severity === 'error');
    expect(errors.map((x: any) => x.expression?.[0])).to.include(`Bundle.entry[${idx}].resource.identifier[${i}].value`);
  });

  it('accepts a fixture signed with the default signer reference (logical Organization identifier)', async () => {
    const dir = path.join(repoRoot, 'certs-example');
    const c = client('hospital', 0);
    const signed = await signDocument(load('cn-t2dm-htn.json'), {
      key: createPrivateKey(readFileSync(path.join(dir, c.private_key), 'utf8')),
      chain: parsePemCertificates(readFileSync(path.join(dir, c.certificate), 'utf8')),
      now: () => new Date(),
    });
    const res = await post(signed);
    const body = await res.json();
    expect(res.status, JSON.stringify(body).slice(0, 400)).to.equal(201);
  });
});
