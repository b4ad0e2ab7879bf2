/**
 * Document signatures (issue 4 "Done when"): a hospital-signed Bundle verifies; one changed byte,
 * another hospital's certificate, an expired certificate, an unknown CA, alg none, HMAC and a JWS
 * over non-canonical JSON are each refused with a coded 422; HL7's signed-Bundle cases behave as
 * HL7's validator says.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { GatewayError, ERROR_TABLE } from '../../../src/errors.js';
import type { Bundle } from '../../../src/fhir/types.js';
import { createTrustList, parsePemCertificates, signDocument, verifyDocumentSignature } from '../../../src/trust/index.js';
import { canonicalJson } from '../../../src/fhir/canonical.js';
import { certs, corpusBundle, exampleNow, exampleTrust, forgeSignature, participantKey, readJson, readText, rs384, shared, x5cOf } from './support.js';

async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(GatewayError);
    expect(ERROR_TABLE[(e as GatewayError).code].status).to.equal(422);
    return e as GatewayError;
  }
  throw new Error('expected a refusal');
}

const trust = exampleTrust();
const now = exampleNow;

async function signedBy(clientId: string, bundle: Bundle = corpusBundle()): Promise<Bundle> {
  const { key, chainPem } = participantKey(clientId);
  return signDocument(bundle, { key, chain: parsePemCertificates(chainPem), now });
}

describe('trust/document-signature', () => {
  it('accepts a corpus Bundle signed by the submitting hospital and names the signer', async () => {
    const signed = await signedBy('hospital-shanghai-example');
    const r = await verifyDocumentSignature(signed, { trust, expectedOrganization: 'org-shanghai-example' });
    expect(r.participant?.id).to.equal('hospital-shanghai-example');
    expect(r.organizationId).to.equal('org-shanghai-example');
    expect(r.alg).to.equal('RS384');
    expect(r.documentCanonical, 'the whole Bundle, signature included').to.equal(canonicalJson(signed));
    expect(signed.signature?.sigFormat).to.equal('application/jose');
    expect(signed.signature?.type[0]?.code).to.equal('1.2.840.10065.1.12.1.1');
    expect(signed.signature?.who).to.deep.equal({ type: 'Organization', identifier: { system: 'https://emr-gateway.example.org/fhir/sid/organization', value: 'org-shanghai-example' } });
  });

  it('produces a detached JWS (header..signature) with x5c in base64 data', async () => {
    const signed = await signedBy('hospital-hainan-example');
    const parts = Buffer.from(signed.signature!.data!, 'base64').toString().split('.');
    expect(parts).to.have.length(3);
    expect(parts[1]).to.equal('');
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString());
    expect(header.x5c).to.deep.equal(x5cOf(readText(certs('hospital-hainan-example.cert.pem'))));
  });

  it('refuses the document when one byte of content changed', async () => {
    const signed = await signedBy('hospital-shanghai-example');
    const tampered = JSON.parse(JSON.stringify(signed).replace('2020-12-11T14:30:00+01:00', '2020-12-11T14:30:01+01:00'));
    expect(tampered.timestamp).to.equal('2020-12-11T14:30:01+01:00');
    const e = await refusal(verifyDocumentSignature(tampered, { trust, expectedOrganization: 'org-shanghai-example' }));
    expect(e.code).to.equal('SIGNATURE_INVALID');
    expect(e.details.reason).to.equal('mismatch');
  });

  it("refuses a signature made with another hospital's certificate", async () => {
    const signed = await signedBy('hospital-hainan-example');
    const e = await refusal(verifyDocumentSignature(signed, { trust, expectedOrganization: 'org-shanghai-example' }));
    expect(e.code).to.equal('CERTIFICATE_UNTRUSTED');
    expect(e.details.reason).to.equal('organization-mismatch');
  });

  it('refuses a signature made with an expired certificate', async () => {
    const chain = parsePemCertificates(readText(certs('test-only/hospital-shanghai-expired.cert.pem')));
    const signed = await signDocument(corpusBundle(), { key: readText(certs('test-only/hospital-shanghai-expired.key.pem')), chain, now });
    const e = await refusal(verifyDocumentSignature(signed, { trust, expectedOrganization: 'org-shanghai-example' }));
    expect(e.code).to.equal('CERTIFICATE_UNTRUSTED');
    expect(e.details.reason).to.equal('expired');
  });

  it('refuses a signature whose certificate comes from an unknown CA', async () => {
    const chain = parsePemCertificates(readText(certs('test-only/untrusted-hospital.cert.pem')));
    const signed = await signDocument(corpusBundle(), { key: readText(certs('test-only/untrusted-hospital.key.pem')), chain, now });
    const e = await refusal(verifyDocumentSignature(signed, { trust, expectedOrganization: 'org-shanghai-example' }));
    expect(e.code).to.equal('CERTIFICATE_UNTRUSTED');
    expect(e.details.reason).to.equal('unknown-issuer');
  });

  it('refuses a revoked certificate listed in the trust list', async () => {
    const chain = parsePemCertificates(readText(certs('test-only/hospital-shanghai-revoked.cert.pem')));
    const signed = await signDocument(corpusBundle(), { key: readText(certs('test-only/hospital-shanghai-revoked.key.pem')), chain, now });
    const e = await refusal(verifyDocumentSignature(signed, { trust }));
    expect(e.details.reason).to.equal('revoked');
  });

  it('refuses alg "none"', async () => {
    const x5c = x5cOf(participantKey('hospital-shanghai-example').chainPem);
    const forged = forgeSignature(corpusBundle(), { header: { alg: 'none', x5c }, sign: () => Buffer.from('') });
    // an empty signature part is malformed anyway; also try a non-empty one
    const forged2 = forgeSignature(corpusBundle(), { header: { alg: 'none', x5c }, sign: () => Buffer.from('x') });
    expect((await refusal(verifyDocumentSignature(forged, { trust }))).code).to.equal('SIGNATURE_INVALID');
    const e = await refusal(verifyDocumentSignature(forged2, { trust }));
    expect(e.code).to.equal('SIGNATURE_INVALID');
    expect(e.details.reason).to.equal('algorithm');
  });

  it('refuses an HMAC algorithm (HS256 keyed with the public certificate)', async () => {
    const { chainPem } = participantKey('hospital-shanghai-example');
    const hmacKey = Buffer.from(chainPem); // the classic RS/HS confusion attack
    const forged = forgeSignature(corpusBundle(), {
      header: { alg: 'HS256', x5c: x5cOf(chainPem) },
      sign: (input) => crypto.createHmac('sha256', hmacKey).update(input).digest(),
    });
    const e = await refusal(verifyDocumentSignature(forged, { trust }));
    expect(e.code).to.equal('SIGNATURE_INVALID');
    expect(e.details.reason).to.equal('algorithm');
  });

  it('refuses a valid JWS computed over non-canonical JSON', async () => {
    const { key, chainPem } = participantKey('hospital-shanghai-example');
    const { signature: _s, ...rest } = corpusBundle();
    const forged = forgeSignature(corpusBundle(), {
      header: { alg: 'RS384', x5c: x5cOf(chainPem) },
      payload: JSON.stringify(rest, null, 2),
      sign: rs384(key),
    });
    const e = await refusal(verifyDocumentSignature(forged, { trust, expectedOrganization: 'org-shanghai-example' }));
    expect(e.code).to.equal('SIGNATURE_INVALID');
    expect(e.details.reason).to.equal('mismatch');
    // the same hand-made signature over the canonical form is accepted: the refusal is about canonicalisation
    const canonical = forgeSignature(corpusBundle(), { header: { alg: 'RS384', x5c: x5cOf(chainPem) }, sign: rs384(key) });
    const ok = await verifyDocumentSignature(canonical, { trust, expectedOrganization: 'org-shanghai-example' });
    expect(ok.participant?.id).to.equal('hospital-shanghai-example');
  });

  it('refuses a signature that is not application/jose or not base64', async () => {
    const signed = await signedBy('hospital-shanghai-example');
    const e1 = await refusal(verifyDocumentSignature({ ...signed, signature: { ...signed.signature!, sigFormat: 'application/pkcs7-signature' } }, { trust }));
    expect(e1.details.reason).to.equal('format');
    const e2 = await refusal(verifyDocumentSignature({ ...signed, signature: { ...signed.signature!, data: 'not base64!' } }, { trust }));
    expect(e2.details.reason).to.equal('malformed');
    expect(e2.issues[0]?.expression).to.deep.equal(['Bundle.signature']);
  });

  it('never lets a library message reach the client (cause kept)', async () => {
    const signed = await signedBy('hospital-shanghai-example');
    const tampered = { ...signed, id: 'changed' };
    const e = await refusal(verifyDocumentSignature(tampered, { trust }));
    expect(e.cause).to.be.instanceOf(Error);
    expect(e.message).to.not.include((e.cause as Error).message);
  });

  describe("HL7's signed-Bundle test cases (fhir-test-cases/validator)", () => {
    const dir = 'corpus/fhir-test-cases/validator/';
    const good = readJson<Bundle>(shared(`${dir}bundle-signed-good.json`));
    const hl7Cert = JSON.parse(Buffer.from(Buffer.from(good.signature!.data!, 'base64').toString().split('.')[0]!, 'base64url').toString()).x5c[0];
    const hl7Trust = createTrustList(
      { anchors: [`-----BEGIN CERTIFICATE-----\n${hl7Cert}\n-----END CERTIFICATE-----\n`], participants: [] },
      { now: () => new Date('2025-07-01T07:59:50Z') }, // the case's signing time, inside the certificate's validity
    );

    it('bundle-signed-good.json verifies (payload = JCS of the Bundle without signature)', async () => {
      const r = await verifyDocumentSignature(good, { trust: hl7Trust });
      expect(r.signer.commonName).to.equal('hl7.org');
      expect(r.alg).to.equal('RS256');
      expect(r.signedAt).to.equal('2025-07-01T07:59:50Z');
    });

    it('bundle-signed-good.json is refused once its certificate has expired (today)', async () => {
      const e = await refusal(verifyDocumentSignature(good, { trust: hl7Trust, now: () => new Date('2026-07-01T00:00:00Z') }));
      expect(e.details.reason).to.equal('expired');
    });

    it('bundle-sig-2.json does not verify (attached payload)', async () => {
      const bad = readJson<Bundle>(shared(`${dir}bundle-sig-2.json`));
      const e = await refusal(verifyDocumentSignature(bad, { trust: hl7Trust }));
      expect(e.code).to.equal('SIGNATURE_INVALID');
      expect(e.details.reason).to.equal('not-detached');
    });

    it('bundle-sig-2.json made detached still does not verify (signed over Bundle minus id/meta)', async () => {
      const bad = readJson<Bundle>(shared(`${dir}bundle-sig-2.json`));
      const [h, , s] = Buffer.from(bad.signature!.data!, 'base64').toString().split('.');
      const detached = { ...bad, signature: { ...bad.signature!, data: Buffer.from(`${h}..${s}`).toString('base64') } };
      const e = await refusal(verifyDocumentSignature(detached, { trust: hl7Trust }));
      expect(e.code).to.equal('SIGNATURE_INVALID');
      expect(e.details.reason).to.equal('mismatch');
    });
  });
});
