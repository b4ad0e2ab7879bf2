/**
 * `emr-gateway sign` then `verify`: the round trip verifies against the configured trust list and
 * against a folder of anchors; a tampered document, another organisation, an untrusted, revoked or
 * expired signer each exit 3 with their stable code and reason; HL7's signed test case verifies at
 * its signing time against its own certificate as anchor (../shared/corpus/fhir-test-cases).
 */
import { expect } from 'chai';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { certs, cli, fixtures, shared, tempDir } from './support.js';

const hl7Dir = path.join(shared, 'corpus/fhir-test-cases/validator');
const doc = path.join(fixtures, 'cn-lap-chole.json');
const key = (name: string) => ['--key', path.join(certs, `${name}.key.pem`), '--cert', path.join(certs, `${name}.cert.pem`)];

describe('cli: emr-gateway sign / verify', function () {
  this.timeout(60_000);
  let dir: string;
  let signed: string;
  const sign = async (signer: string, name: string) => {
    const out = path.join(dir, name);
    const r = await cli(['sign', doc, ...key(signer), '--out', out]);
    expect(r.code, r.err).to.equal(0);
    return out;
  };

  before(async () => {
    dir = tempDir('sign');
    signed = await sign('hospital-hainan-example', 'signed.json');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('signs with RS384: Bundle.signature holds a detached JWS with the x5c chain', async () => {
    const b = JSON.parse(readFileSync(signed, 'utf8'));
    expect(b.signature).to.include({ sigFormat: 'application/jose' });
    expect(b.signature.who).to.deep.equal({ type: 'Organization', identifier: { system: 'https://emr-gateway.example.org/fhir/sid/organization', value: 'org-hainan-boao-example' } });
    const [header, payload] = Buffer.from(b.signature.data, 'base64').toString().split('.');
    expect(payload).to.equal('');
    const h = JSON.parse(Buffer.from(header!, 'base64url').toString());
    expect(h.alg).to.equal('RS384');
    expect(h.x5c).to.have.length(2);
    const { signature: _s, ...unsigned } = b;
    expect(unsigned).to.deep.equal(JSON.parse(readFileSync(doc, 'utf8')));
  });

  it('prints the signed Bundle on stdout without --out', async () => {
    const r = await cli(['sign', doc, ...key('hospital-shanghai-example')]);
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.out).signature.sigFormat).to.equal('application/jose');
  });

  it('verifies against the configured TRUST_LIST (registered participant of the named organisation): exit 0', async () => {
    const r = await cli(['verify', signed]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('participant hospital-hainan-example of org-hainan-boao-example');
  });

  it('verifies against a folder of anchors (no organisation check) and a PEM file: exit 0', async () => {
    const anchors = path.join(dir, 'anchors');
    mkdirSync(anchors);
    copyFileSync(path.join(certs, 'ca.pem'), path.join(anchors, 'root.pem'));
    const r = await cli(['verify', signed, '--trust', anchors]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('organisation not checked');
    expect((await cli(['verify', signed, '--trust', path.join(certs, 'ca.pem')])).code).to.equal(0);
  });

  it('exits 3 with SIGNATURE_INVALID (mismatch) once one character of the document changed', async () => {
    const tampered = path.join(dir, 'tampered.json');
    const b = JSON.parse(readFileSync(signed, 'utf8'));
    b.timestamp = b.timestamp.replace(/:00\+08:00$/, ':01+08:00');
    writeFileSync(tampered, JSON.stringify(b));
    const r = await cli(['verify', tampered]);
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/^NOT VERIFIED: SIGNATURE_INVALID \(mismatch\)/);
  });

  it('exits 3 with CERTIFICATE_UNTRUSTED when the signer belongs to another organisation than required', async () => {
    const r = await cli(['verify', signed, '--organization', 'org-shanghai-example']);
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/^NOT VERIFIED: CERTIFICATE_UNTRUSTED \(organization-mismatch\)/);
  });

  for (const [signer, reason] of [
    ['test-only/untrusted-hospital', 'unknown-issuer'],
    ['test-only/hospital-shanghai-revoked', 'revoked'],
    ['test-only/hospital-shanghai-expired', 'expired'],
  ] as const) {
    it(`exits 3 with CERTIFICATE_UNTRUSTED (${reason}) for a document signed by ${path.basename(signer)}`, async () => {
      const file = await sign(signer, `${path.basename(signer)}.json`);
      const r = await cli(['verify', file]);
      expect(r.code).to.equal(3);
      expect(r.err).to.match(new RegExp(`^NOT VERIFIED: CERTIFICATE_UNTRUSTED \\(${reason}\\)`));
    });
  }

  it('refuses to sign with a key that does not match the certificate: exit 2', async () => {
    const r = await cli(['sign', doc, '--key', path.join(certs, 'hospital-hainan-example.key.pem'), '--cert', path.join(certs, 'hospital-shanghai-example.cert.pem')]);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/^BAD_REQUEST: /);
    expect((await cli(['sign', doc, '--key', path.join(certs, 'hospital-hainan-example.key.pem')])).code).to.equal(2);
  });

  describe("HL7's signed test cases", () => {
    let hl7Anchors: string;
    before(() => {
      const good = JSON.parse(readFileSync(path.join(hl7Dir, 'bundle-signed-good.json'), 'utf8'));
      const x5c = JSON.parse(Buffer.from(Buffer.from(good.signature.data, 'base64').toString().split('.')[0]!, 'base64url').toString()).x5c[0];
      hl7Anchors = path.join(dir, 'hl7-anchors');
      mkdirSync(hl7Anchors);
      writeFileSync(path.join(hl7Anchors, 'hl7.pem'), `-----BEGIN CERTIFICATE-----\n${x5c}\n-----END CERTIFICATE-----\n`);
    });

    it('bundle-signed-good.json verifies at its signing time (exit 0) and not today, its certificate expired (exit 3)', async () => {
      const file = path.join(hl7Dir, 'bundle-signed-good.json');
      const then = await cli(['verify', file, '--trust', hl7Anchors, '--at', '2025-07-01T07:59:50Z']);
      expect(then.code, then.err).to.equal(0);
      expect(then.out).to.contain('RS256');
      const now = await cli(['verify', file, '--trust', hl7Anchors, '--at', '2026-07-01T00:00:00Z']);
      expect(now.code).to.equal(3);
      expect(now.err).to.match(/^NOT VERIFIED: CERTIFICATE_UNTRUSTED \(expired\)/);
    });

    it('bundle-sig-2.json does not verify (attached payload): exit 3', async () => {
      const r = await cli(['verify', path.join(hl7Dir, 'bundle-sig-2.json'), '--trust', hl7Anchors, '--at', '2025-07-01T07:59:50Z']);
      expect(r.code).to.equal(3);
      expect(r.err).to.match(/^NOT VERIFIED: SIGNATURE_INVALID \(not-detached\)/);
    });

    it('the HL7 case is not trusted by our own trust list: exit 3', async () => {
      const r = await cli(['verify', path.join(hl7Dir, 'bundle-signed-good.json'), '--at', '2025-07-01T07:59:50Z']);
      expect(r.code).to.equal(3);
      expect(r.err).to.match(/^NOT VERIFIED: CERTIFICATE_UNTRUSTED/);
    });
  });
});
