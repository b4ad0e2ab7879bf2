/**
 * An INDEPENDENT verifier of gateway-signed documents, written only with `jose`, Node's
 * crypto.X509Certificate and the `canonicalize` package (RFC 8785) — it imports nothing from src/,
 * so it checks the gateway's output against the published contract, not against itself:
 * Bundle.signature.data = base64(detached JWS), kid found in the published JWKS, signature over
 * JCS(Bundle without signature), and the JWKS key's x5c chain ending at the CA certificate.
 * Reusable by HTTP tests that fetch a delivered document and /.well-known/jwks.json.
 */
import { X509Certificate } from 'node:crypto';
import canonicalize from 'canonicalize';
import { calculateJwkThumbprint, flattenedVerify, importJWK, type JWK } from 'jose';

export interface IndependentResult {
  kid: string;
  subject: string;
}

export async function verifyIndependently(
  bundle: Record<string, unknown>,
  publishedJwks: { keys: (JWK & { x5c?: string[] })[] },
  caPem: string,
  at: Date,
): Promise<IndependentResult> {
  const sig = bundle.signature as { sigFormat?: string; data?: string } | undefined;
  if (sig?.sigFormat !== 'application/jose' || typeof sig.data !== 'string') throw new Error('no JOSE signature');
  const [protectedB64, payload, signature] = Buffer.from(sig.data, 'base64').toString('utf8').split('.');
  if (payload !== '' || !protectedB64 || !signature) throw new Error('not a detached JWS');
  const header = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8')) as { alg: string; kid?: string; x5c?: string[] };
  const jwk = publishedJwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error('kid not in the published JWKS');
  if (jwk.kid !== (await calculateJwkThumbprint(jwk))) throw new Error('kid is not the RFC 7638 thumbprint');
  if (!jwk.x5c?.length || header.x5c?.[0] !== jwk.x5c[0]) throw new Error('x5c of header and JWKS differ');

  const { signature: _omit, ...unsigned } = bundle;
  const canonical = (canonicalize as unknown as (v: unknown) => string)(unsigned);
  const key = await importJWK(jwk, header.alg);
  await flattenedVerify({ protected: protectedB64, payload: Buffer.from(canonical).toString('base64url'), signature }, key, {
    algorithms: ['RS384', 'ES384', 'PS384'],
  });

  const chain = jwk.x5c.map((c) => new X509Certificate(Buffer.from(c, 'base64')));
  const ca = new X509Certificate(caPem);
  const leafJwk = chain[0]!.publicKey.export({ format: 'jwk' }) as JWK;
  if (leafJwk.n !== jwk.n || leafJwk.e !== jwk.e) throw new Error('JWKS key is not the certificate key');
  const path = [...chain, ca];
  for (let i = 0; i < path.length - 1; i++) {
    const child = path[i]!;
    const parent = path[i + 1]!;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) throw new Error(`link ${i} does not verify`);
    if (i > 0 && !child.ca) throw new Error('intermediate is not a CA');
  }
  for (const c of path) if (at < new Date(c.validFrom) || at > new Date(c.validTo)) throw new Error('certificate not valid now');
  return { kid: jwk.kid, subject: chain[0]!.subject };
}
