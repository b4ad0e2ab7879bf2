/**
 * Incoming document signatures over real HTTP (issue 4 "Done when"): a discharge summary signed by
 * the submitting hospital is accepted; one changed byte, another hospital's certificate, an
 * expired, an unknown-CA and a revoked certificate, `alg: none`, HS256 and a JWS over
 * non-canonical JSON are each refused with 422 and an OperationOutcome issue at `Bundle.signature`
 * whose rule code (issue.details.coding[0].code) is stable; REQUIRE_SIGNATURES=true refuses an
 * unsigned document. The canonical good case is ALSO built with jose + canonicalize only
 * (test/support/jws.ts) to prove the published format, not just agreement with src/trust.
 * HL7's bundle-signed-good.json is covered in test/unit/trust (over HTTP its self-signed
 * certificate is no participant's, so the organisation check would refuse it).
 */
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, repoRoot, type TestServer } from '../support/server.js';
import { accessToken, client } from '../support/clients.js';
import { forgeAlgNone, jcsWithoutSignature, joseSign, privateKeyAt, readCert, type Json } from '../support/jws.js';
import { parsePemCertificates, signDocument } from '../../src/trust/index.js';

const RULE_SYSTEM = 'https://emr-gateway.example.org/fhir/CodeSystem/issue-rule';
const fixture = (): Json => JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/cn-ami-pci.json'), 'utf8'));
/** A copy of the fixture with its own document identifier, so each accepted one is a new document. */
const fixtureAs = (serial: string): Json => ({ ...fixture(), identifier: { system: 'urn:oid:2.16.156.10011.1.1', value: serial } });

/**
 * Signs through the gateway's own trust stage (allowed for producing test documents). Signature.who
 * names the document's custodian entry, as a hospital system would: signDocument's default
 * (`Organization/<id>` of the certificate) does not resolve inside the Bundle, and the validator
 * refuses unresolved references in a document (reference-unresolved at Bundle.signature.who).
 */
async function signAs(bundle: Json, certFile: string, keyFile: string): Promise<Json> {
  const composition = (bundle.entry as { resource: Json }[])[0]!.resource;
  const who = composition.custodian as { reference: string };
  const signed = await signDocument(bundle as never, { key: readCert(keyFile), chain: parsePemCertificates(readCert(certFile)), now: () => new Date(), who });
  return signed as unknown as Json;
}

// Messages of jose / node-forge that must never reach a client (issue 4 item 6).
const LIBRARY_TEXT = /signature verification failed|JWSInvalid|JOSE|forge|ERR_/;

describe('document signatures over HTTP', function () {
  let server: TestServer;
  let shanghai: string;
  const post = (token: string, body: string) =>
    fetch(`${server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body });

  async function expectRefused(res: Response, rule: string): Promise<void> {
    const body = await res.json();
    expect(res.status, JSON.stringify(body).slice(0, 400)).to.equal(422);
    expect(body.resourceType).to.equal('OperationOutcome');
    const issue = body.issue.find((i: any) => (i.expression ?? []).includes('Bundle.signature'));
    expect(issue, JSON.stringify(body.issue)).to.not.equal(undefined);
    expect(issue.severity).to.equal('error');
    expect(issue.code).to.equal('security');
    expect(issue.details?.coding?.[0]).to.deep.include({ system: RULE_SYSTEM, code: rule });
    expect(issue.diagnostics).to.not.match(LIBRARY_TEXT);
  }

  before(async () => {
    server = await startTestServer();
    shanghai = await accessToken(server.url, client('hospital', 0));
  });
  after(() => server.close());

  it('accepts the fixture signed with the submitting hospital certificate (201) and keeps the signature', async () => {
    const signed = await signAs(fixture(), 'hospital-shanghai-example.cert.pem', 'hospital-shanghai-example.key.pem');
    const res = await post(shanghai, JSON.stringify(signed));
    const body = await res.json();
    expect(res.status, JSON.stringify(body).slice(0, 400)).to.equal(201);
    const read = await (await fetch(`${server.base}/Bundle/${body.id}`, { headers: { authorization: `Bearer ${shanghai}` } })).json();
    expect(read.signature.data).to.equal((signed.signature as Json).data);
  });

  it('accepts a signature built independently with jose + canonicalize (the published format)', async () => {
    const doc = fixtureAs('SJYY-CYXJ-SIG-JOSE-1');
    const signed = await joseSign(doc, { key: privateKeyAt('hospital-shanghai-example.key.pem'), chainPem: readCert('hospital-shanghai-example.cert.pem') });
    // the payload really is JCS: sorted keys, no whitespace
    expect(jcsWithoutSignature(signed)).to.equal(jcsWithoutSignature(doc));
    expect(jcsWithoutSignature(doc)).to.not.equal(JSON.stringify(doc));
    const res = await post(shanghai, JSON.stringify(signed));
    expect(res.status, JSON.stringify(await res.clone().json()).slice(0, 400)).to.equal(201);
  });

  it('refuses the document when one byte changed after signing (signature-mismatch)', async () => {
    const signed = await signAs(fixtureAs('SJYY-CYXJ-SIG-BYTE-1'), 'hospital-shanghai-example.cert.pem', 'hospital-shanghai-example.key.pem');
    const text = JSON.stringify(signed);
    const changed = text.replace('"timestamp":"2024-05-13T10:10:00+08:00"', '"timestamp":"2024-05-13T10:10:01+08:00"');
    const a = Buffer.from(text);
    const b = Buffer.from(changed);
    expect(b.length).to.equal(a.length);
    expect([...a].filter((x, i) => x !== b[i]).length, 'exactly one byte differs').to.equal(1);
    await expectRefused(await post(shanghai, changed), 'signature-mismatch');
  });

  it("refuses a document signed with the other hospital's certificate but submitted by Shanghai", async () => {
    const signed = await signAs(fixtureAs('SJYY-CYXJ-SIG-HAINAN-1'), 'hospital-hainan-example.cert.pem', 'hospital-hainan-example.key.pem');
    await expectRefused(await post(shanghai, JSON.stringify(signed)), 'certificate-organization-mismatch');
  });

  it('refuses an expired certificate', async () => {
    const signed = await signAs(fixtureAs('SJYY-CYXJ-SIG-EXP-1'), 'test-only/hospital-shanghai-expired.cert.pem', 'test-only/hospital-shanghai-expired.key.pem');
    await expectRefused(await post(shanghai, JSON.stringify(signed)), 'certificate-expired');
  });

  it('refuses a certificate from an unknown CA', async () => {
    const signed = await signAs(fixtureAs('SJYY-CYXJ-SIG-CA-1'), 'test-only/untrusted-hospital.cert.pem', 'test-only/untrusted-hospital.key.pem');
    await expectRefused(await post(shanghai, JSON.stringify(signed)), 'certificate-unknown-issuer');
  });

  it('refuses a revoked certificate (serial listed in the trust list)', async () => {
    const signed = await signAs(fixtureAs('SJYY-CYXJ-SIG-REV-1'), 'test-only/hospital-shanghai-revoked.cert.pem', 'test-only/hospital-shanghai-revoked.key.pem');
    await expectRefused(await post(shanghai, JSON.stringify(signed)), 'certificate-revoked');
  });

  it('refuses alg "none" (empty signature part: malformed; with bytes in it: algorithm)', async () => {
    const chainPem = readCert('hospital-shanghai-example.cert.pem');
    const unsecured = forgeAlgNone(fixtureAs('SJYY-CYXJ-SIG-NONE-1'), chainPem);
    await expectRefused(await post(shanghai, JSON.stringify(unsecured)), 'signature-malformed');
    const padded = forgeAlgNone(fixtureAs('SJYY-CYXJ-SIG-NONE-2'), chainPem, 'x');
    await expectRefused(await post(shanghai, JSON.stringify(padded)), 'signature-algorithm');
  });

  it('refuses HS256 keyed with the public certificate (RS/HS confusion)', async () => {
    const chainPem = readCert('hospital-shanghai-example.cert.pem');
    const forged = await joseSign(fixtureAs('SJYY-CYXJ-SIG-HMAC-1'), { key: new TextEncoder().encode(chainPem), chainPem, alg: 'HS256' });
    await expectRefused(await post(shanghai, JSON.stringify(forged)), 'signature-algorithm');
  });

  it('refuses a valid RS384 JWS over non-canonical JSON (whitespace, or unsorted keys)', async () => {
    const doc = fixtureAs('SJYY-CYXJ-SIG-NONCANON-1');
    const key = privateKeyAt('hospital-shanghai-example.key.pem');
    const chainPem = readCert('hospital-shanghai-example.cert.pem');
    const { signature: _s, ...unsigned } = doc;
    const spaced = await joseSign(doc, { key, chainPem, payload: JSON.stringify(unsigned, null, 2) });
    await expectRefused(await post(shanghai, JSON.stringify(spaced)), 'signature-mismatch');
    const compactUnsorted = JSON.stringify(unsigned); // fixture key order: resourceType first, not JCS order
    expect(compactUnsorted).to.not.equal(jcsWithoutSignature(doc));
    const unsorted = await joseSign(doc, { key, chainPem, payload: compactUnsorted });
    await expectRefused(await post(shanghai, JSON.stringify(unsorted)), 'signature-mismatch');
  });

  it('refuses a signature by a key that does not match the x5c certificate', async () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await joseSign(fixtureAs('SJYY-CYXJ-SIG-KEY-1'), { key: privateKey, chainPem: readCert('hospital-shanghai-example.cert.pem') });
    await expectRefused(await post(shanghai, JSON.stringify(forged)), 'signature-mismatch');
  });

  it('stores none of the refused documents', async () => {
    const res = await fetch(`${server.base}/Bundle?identifier=${encodeURIComponent('urn:oid:2.16.156.10011.1.1|SJYY-CYXJ-SIG-HAINAN-1')}`, {
      headers: { authorization: `Bearer ${shanghai}` },
    });
    expect(res.status).to.equal(200);
    expect((await res.json()).total).to.equal(0);
  });

  describe('with REQUIRE_SIGNATURES=true', () => {
    let strict: TestServer;
    let token: string;
    before(async () => {
      strict = await startTestServer({ REQUIRE_SIGNATURES: 'true' });
      token = await accessToken(strict.url, client('hospital', 0));
    });
    after(() => strict.close());
    const postStrict = (body: string) =>
      fetch(`${strict.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body });

    it('refuses an unsigned document with 422 at Bundle.signature', async () => {
      await expectRefused(await postStrict(JSON.stringify(fixture())), 'signature-missing');
    });

    it('accepts the same document signed by the hospital', async () => {
      const signed = await joseSign(fixture(), { key: privateKeyAt('hospital-shanghai-example.key.pem'), chainPem: readCert('hospital-shanghai-example.cert.pem') });
      expect((await postStrict(JSON.stringify(signed))).status).to.equal(201);
    });
  });
});
