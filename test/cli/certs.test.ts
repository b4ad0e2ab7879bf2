/**
 * `emr-gateway certs show` and `certs verify`: the fields an operator checks (compared with Node's
 * own X509Certificate reading of the same file), and chain validation with its reason.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { keyUsageOf } from '../../src/cli/certs.js';
import { certs, cli, tempDir } from './support.js';

const pem = (f: string) => path.join(certs, f);

describe('cli: emr-gateway certs', function () {
  this.timeout(60_000);

  it('show prints subject, issuer, serial, validity, key usage and SAN of each certificate of a chain', async () => {
    const file = pem('hospital-shanghai-example.cert.pem');
    const leaf = new X509Certificate(readFileSync(file));
    const r = await cli(['certs', 'show', file]);
    expect(r.code).to.equal(0);
    expect(r.out).to.contain('certificate 1 of 2');
    expect(r.out).to.contain('certificate 2 of 2');
    expect(r.out).to.contain(`serial       ${leaf.serialNumber.toLowerCase().replace(/^0+/, '')}`);
    expect(r.out).to.contain('CN=hospital-shanghai-example');
    expect(r.out).to.contain('key usage    digitalSignature, nonRepudiation (critical)');
    expect(r.out).to.contain('SAN          URI:https://emr-gateway.example.org/fhir/Organization/org-shanghai-example');
    expect(r.out).to.contain(`${new Date(leaf.validTo).toISOString()} (valid at`);
  });

  it('show reports an expired certificate as EXPIRED', async () => {
    const r = await cli(['certs', 'show', pem('test-only/hospital-shanghai-expired.cert.pem')]);
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/validity .*\(EXPIRED at /);
  });

  it('keyUsageOf decodes the keyUsage bits of a CA (keyCertSign, cRLSign) and of a leaf', () => {
    const der = (f: string) => new X509Certificate(readFileSync(pem(f))).raw;
    expect(keyUsageOf(der('ca.pem'))?.usages).to.include.members(['keyCertSign', 'cRLSign']);
    expect(keyUsageOf(der('ca.pem'))?.usages).to.not.include('digitalSignature');
    expect(keyUsageOf(der('gateway.cert.pem'))?.usages).to.include('digitalSignature');
  });

  it('verify: a registered participant chain is valid against the configured trust list (exit 0)', async () => {
    const r = await cli(['certs', 'verify', pem('hospital-hainan-example.cert.pem')]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('registered participant hospital-hainan-example (hospital) of org-hainan-boao-example');
  });

  for (const [file, reason] of [
    ['test-only/hospital-shanghai-revoked.cert.pem', 'revoked'],
    ['test-only/hospital-shanghai-expired.cert.pem', 'expired'],
    ['test-only/untrusted-hospital.cert.pem', 'unknown-issuer'],
  ] as const) {
    it(`verify: ${path.basename(file)} exits 3 with CERTIFICATE_UNTRUSTED (${reason})`, async () => {
      const r = await cli(['certs', 'verify', pem(file)]);
      expect(r.code).to.equal(3);
      expect(r.err).to.match(new RegExp(`^NOT VERIFIED: CERTIFICATE_UNTRUSTED \\(${reason}\\)`));
    });
  }

  it('verify: --trust with the untrusted CA accepts its hospital, --at before issuance refuses it', async () => {
    const chain = pem('test-only/untrusted-hospital.cert.pem');
    expect((await cli(['certs', 'verify', chain, '--trust', pem('test-only/untrusted-ca.pem')])).code).to.equal(0);
    const early = await cli(['certs', 'verify', chain, '--trust', pem('test-only/untrusted-ca.pem'), '--at', '2000-01-01']);
    expect(early.code).to.equal(3);
    expect(early.err).to.match(/^NOT VERIFIED: CERTIFICATE_UNTRUSTED \(not-yet-valid\)/);
  });

  it('exits 2 for a file without a certificate, and for a bad --at', async () => {
    const dir = tempDir('certs');
    try {
      const file = path.join(dir, 'empty.pem');
      writeFileSync(file, 'no certificate here\n');
      expect((await cli(['certs', 'show', file])).code).to.equal(2);
      expect((await cli(['certs', 'verify', file])).code).to.equal(2);
      expect((await cli(['certs', 'verify', pem('ca.pem'), '--at', 'yesterday'])).code).to.equal(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
