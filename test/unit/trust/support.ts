/**
 * Shared test helpers for the trust stage: locations of certs-example/ and the shared corpus,
 * the example trust list, and a detached-JWS builder used to forge bad signatures.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import { createTrustList, readTrustListFile, parsePemCertificates, type TrustList } from '../../../src/trust/index.js';
import type { Bundle } from '../../../src/fhir/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const certs = (rel: string) => path.join(repoRoot, 'certs-example', rel);
export const shared = (rel: string) => path.join(path.resolve(repoRoot, '../shared'), rel);
export const readText = (p: string) => fs.readFileSync(p, 'utf8');
export const readJson = <T = unknown>(p: string): T => JSON.parse(readText(p)) as T;

/** A fixed instant inside the example certificates' validity (they start the day before generation). */
export function exampleNow(): Date {
  const leaf = parsePemCertificates(readText(certs('hospital-shanghai-example.cert.pem')))[0]!.info;
  return new Date(leaf.notBefore.getTime() + 30 * 24 * 3600 * 1000);
}

export function exampleTrust(now: () => Date = exampleNow): TrustList {
  return createTrustList(readTrustListFile(certs('trust-list.json'), readText), { now });
}

export function participantKey(clientId: string): { key: string; chainPem: string } {
  return { key: readText(certs(`${clientId}.key.pem`)), chainPem: readText(certs(`${clientId}.cert.pem`)) };
}

/** The IPS 2.0.0 minimal document Bundle from the shared corpus (HL7 data, not ours). */
export function corpusBundle(): Bundle {
  return readJson<Bundle>(shared('corpus/ips-uv-2.0.0/package/example/Bundle-bundle-minimal.json'));
}

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * Builds Bundle.signature by hand (no gateway code), so tests can forge what the gateway must
 * refuse: any header, any payload bytes, any key (or none).
 */
export function forgeSignature(
  bundle: Bundle,
  opts: { header: Record<string, unknown>; payload?: string; sign: (input: string) => Buffer },
): Bundle {
  const { signature: _s, ...rest } = bundle;
  const payload = opts.payload ?? (canonicalize as unknown as (v: unknown) => string)(rest);
  const h = b64u(JSON.stringify(opts.header));
  const sig = opts.sign(`${h}.${b64u(payload)}`);
  const data = Buffer.from(`${h}..${b64u(sig)}`).toString('base64');
  return {
    ...(rest as Bundle),
    signature: {
      type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1' }],
      when: '2026-01-01T00:00:00Z',
      who: { display: 'test' },
      sigFormat: 'application/jose',
      data,
    },
  };
}

export const rs384 = (keyPem: string) => (input: string) => crypto.sign('sha384', Buffer.from(input), keyPem);
export const x5cOf = (pem: string) => parsePemCertificates(pem).map((c) => c.info.derBase64);
