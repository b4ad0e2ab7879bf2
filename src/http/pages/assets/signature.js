/**
 * Checks the gateway's signature on a delivered document in the browser: `Bundle.signature`
 * (sigFormat application/jose) holds base64 of a detached compact JWS `header..signature` over
 * base64url(RFC 8785 JCS of the Bundle without `signature`) — the rule of
 * src/trust/document-signature.ts (HL7 FHIR R4 Signature; RFC 7515 Appendix F). The key comes
 * from the gateway's own `/.well-known/jwks.json`, matched by `kid`, else by the leaf of `x5c`.
 *
 * Invariants: only RS/PS/ES 256/384/512 are tried (never `none` or HMAC, RFC 8725 §3.1–3.2);
 * any failure (absent, malformed, no matching key, mismatch) is "not verified" with a reason code
 * — a page never shows "verified" unless WebCrypto said so for these exact bytes.
 */
import { ascii, b64ToBytes, b64urlToBytes, bytesToB64url, fromUtf8, utf8 } from './b64.js';
import { canonicalize } from './canonical.js';

const HASH = { 256: 'SHA-256', 384: 'SHA-384', 512: 'SHA-512' };
const CURVE = { 256: 'P-256', 384: 'P-384', 512: 'P-521' };

/** @param {string} alg @returns {{import: any, verify: any} | undefined} */
function algorithm(alg) {
  const m = /^(RS|PS|ES)(256|384|512)$/.exec(alg ?? '');
  if (!m) return undefined;
  const bits = /** @type {256|384|512} */ (Number(m[2]));
  const hash = HASH[bits];
  if (m[1] === 'RS') return { import: { name: 'RSASSA-PKCS1-v1_5', hash }, verify: { name: 'RSASSA-PKCS1-v1_5' } };
  if (m[1] === 'PS') return { import: { name: 'RSA-PSS', hash }, verify: { name: 'RSA-PSS', saltLength: bits / 8 } };
  return { import: { name: 'ECDSA', namedCurve: CURVE[bits] }, verify: { name: 'ECDSA', hash } };
}

/**
 * @param {any} bundle the decrypted document
 * @param {{keys?: any[]}} jwks the gateway's key set
 * @param {SubtleCrypto} [subtle]
 * @returns {Promise<{status: 'verified'|'not-verified', reason?: string, signedAt?: string, kid?: string}>}
 */
export async function verifyBundleSignature(bundle, jwks, subtle = globalThis.crypto.subtle) {
  const sig = bundle?.signature;
  if (!sig || typeof sig !== 'object') return { status: 'not-verified', reason: 'absent' };
  if (sig.sigFormat !== 'application/jose' || typeof sig.data !== 'string') return { status: 'not-verified', reason: 'format' };
  let parts;
  let header;
  try {
    parts = fromUtf8(b64ToBytes(sig.data)).split('.');
    if (parts.length !== 3 || parts[1] !== '' || !parts[0] || !parts[2]) return { status: 'not-verified', reason: 'format' };
    header = JSON.parse(fromUtf8(b64urlToBytes(parts[0])));
  } catch {
    return { status: 'not-verified', reason: 'format' };
  }
  const alg = algorithm(header?.alg);
  if (!alg || header.b64 === false) return { status: 'not-verified', reason: 'algorithm' };
  const keys = Array.isArray(jwks?.keys) ? jwks.keys : [];
  const leaf = Array.isArray(header.x5c) ? header.x5c[0] : undefined;
  const jwk = keys.find((k) => header.kid !== undefined && k.kid === header.kid) ?? keys.find((k) => leaf !== undefined && Array.isArray(k.x5c) && k.x5c[0] === leaf);
  if (!jwk) return { status: 'not-verified', reason: 'unknown-key' };
  const { signature: _omit, ...unsigned } = bundle;
  const payload = bytesToB64url(utf8(canonicalize(unsigned)));
  const signedAt = typeof header.sigT === 'string' ? header.sigT : typeof sig.when === 'string' ? sig.when : undefined;
  try {
    const { kty, n, e, crv, x, y } = jwk;
    const key = await subtle.importKey('jwk', { kty, n, e, crv, x, y, ext: true }, alg.import, false, ['verify']);
    const ok = await subtle.verify(alg.verify, key, b64urlToBytes(parts[2]), ascii(`${parts[0]}.${payload}`));
    return ok ? { status: 'verified', ...(signedAt ? { signedAt } : {}), kid: jwk.kid } : { status: 'not-verified', reason: 'mismatch' };
  } catch {
    return { status: 'not-verified', reason: 'mismatch' };
  }
}
