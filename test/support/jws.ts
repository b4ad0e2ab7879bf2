/**
 * Builds `Bundle.signature` the way an outside hospital system would, WITHOUT the gateway's code:
 * only `jose`, node:crypto and `canonicalize` (RFC 8785). The format (issue 4, FHIR R4 Signature):
 * `sigFormat` application/jose, `data` = base64 of a detached compact JWS (RFC 7515 Appendix F,
 * `header..signature`) whose protected header carries the signer's chain in `x5c` (RFC 7515
 * §4.1.6, leaf first) and whose payload is the JCS form of the Bundle without `signature`.
 *
 * Invariant: nothing here imports src/, so a test using it proves the published format, not the
 * gateway's agreement with itself. `forge*` variants build what the gateway must refuse.
 */
import crypto, { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { FlattenedSign } from 'jose';
import { repoRoot } from './server.js';

export type Json = Record<string, unknown>;

export const certsDir = path.join(repoRoot, 'certs-example');
export const readCert = (rel: string): string => readFileSync(path.join(certsDir, rel), 'utf8');

/** The base64 DER certificates of a PEM file, in file order (leaf first): a JWS `x5c`. */
export function x5cOfPem(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b).raw.toString('base64'));
}

/** RFC 8785 JSON Canonicalization Scheme of the Bundle without `signature`. */
export function jcsWithoutSignature(bundle: Json): string {
  const { signature: _omit, ...rest } = bundle;
  const out = canonicalize(rest);
  if (out === undefined) throw new TypeError('not canonicalisable');
  return out;
}

function withSignature(bundle: Json, detached: string): Json {
  const { signature: _omit, ...rest } = bundle;
  return {
    ...rest,
    signature: {
      type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" }],
      when: new Date().toISOString(),
      who: { display: 'outside signer' },
      targetFormat: 'application/fhir+json;canonicalization=http://hl7.org/fhir/canonicalization/json',
      sigFormat: 'application/jose',
      data: Buffer.from(detached, 'utf8').toString('base64'),
    },
  };
}

/**
 * Signs with jose: RS384 by default, over `payload` (default: the JCS form). `key` may be a private
 * key (asymmetric algorithms) or a secret (HMAC), so the same path also forges an HS256 signature.
 */
export async function joseSign(
  bundle: Json,
  opts: { key: crypto.KeyObject | Uint8Array; chainPem: string; alg?: string; payload?: string },
): Promise<Json> {
  const payload = opts.payload ?? jcsWithoutSignature(bundle);
  const jws = await new FlattenedSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: opts.alg ?? 'RS384', typ: 'JOSE', x5c: x5cOfPem(opts.chainPem) })
    .sign(opts.key);
  return withSignature(bundle, `${jws.protected}..${jws.signature}`);
}

/**
 * An unsecured JWS (RFC 7515 §A.5: `alg` "none", empty signature) with a real x5c; `signature`
 * puts bytes in the signature part, for verifiers that only look at a non-empty one.
 */
export function forgeAlgNone(bundle: Json, chainPem: string, signature = ''): Json {
  const header = Buffer.from(JSON.stringify({ alg: 'none', x5c: x5cOfPem(chainPem) })).toString('base64url');
  return withSignature(bundle, `${header}..${Buffer.from(signature).toString('base64url')}`);
}

/** A participant's private key from certs-example/ (relative path). */
export const privateKeyAt = (rel: string): crypto.KeyObject => crypto.createPrivateKey(readCert(rel));
