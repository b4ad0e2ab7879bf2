/**
 * Issue 4 "Done when": a document signed by the gateway verifies with an independent check
 * written only with jose, the published JWKS and the chain to the CA. This file imports nothing
 * from src/: the gateway signs in a child process (sign-as-gateway.ts), the check is
 * independent-verifier.ts.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { verifyIndependently } from './independent-verifier.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const corpusBundle = path.join(path.resolve(repoRoot, '../shared'), 'corpus/ips-uv-2.0.0/package/example/Bundle-bundle-minimal.json');
const caPem = fs.readFileSync(path.join(repoRoot, 'certs-example/ca.pem'), 'utf8');

describe('trust: independent verification of a gateway-signed document (jose + JWKS + CA only)', () => {
  // a fixed instant inside the example certificates' validity (they start the day before generation)
  const at = new Date(new Date(new X509Certificate(caPem).validFrom).getTime() + 30 * 24 * 3600 * 1000);
  let signed: { bundle: Record<string, unknown>; jwks: { keys: never[] } };

  before(function () {
    this.timeout(60000);
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'sign-as-gateway.ts'), corpusBundle, at.toISOString()], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    signed = JSON.parse(out);
  });

  it('verifies the signature, the JWKS kid and the x5c chain to certs-example/ca.pem', async () => {
    const r = await verifyIndependently(signed.bundle, signed.jwks, caPem, at);
    expect(r.subject).to.include('CN=emr-gateway-example');
    const sig = signed.bundle.signature as { type: { code: string }[]; targetFormat: string };
    expect(sig.type[0]!.code).to.equal('1.2.840.10065.1.12.1.5');
    expect(sig.targetFormat).to.match(/^application\/fhir\+json/);
  });

  it('the same independent check refuses a tampered document', async () => {
    const tampered = { ...signed.bundle, timestamp: '2000-01-01T00:00:00Z' };
    let failed = false;
    await verifyIndependently(tampered, signed.jwks, caPem, at).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });

  it('the same independent check refuses a chain that does not end at the given CA', async () => {
    const otherCa = fs.readFileSync(path.join(repoRoot, 'certs-example/test-only/untrusted-ca.pem'), 'utf8');
    let failed = false;
    await verifyIndependently(signed.bundle, signed.jwks, otherCa, at).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});
