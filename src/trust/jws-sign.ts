/**
 * Detached JWS signing (RFC 7515 §5.1 with the payload left out per Appendix F) over node:crypto,
 * for the large document payloads of signDocument. Verification stays with jose (it parses what
 * others send: crit, b64, key/algorithm checks).
 *
 * Why not jose here: jose 6 is the web-API build, so it base64url-encodes a 150 KB payload with
 * String.fromCharCode + btoa and re-encodes the signing input with TextEncoder — measured 0.9 ms
 * per 113 KB document, more than half the RSA-3072 private-key operation itself (1.5 ms). Buffer
 * does the same in native code.
 *
 * Invariants: the signing input is exactly ASCII(BASE64URL(UTF8(protected header)) || '.' ||
 * BASE64URL(payload)) (RFC 7515 §5.1 step 5); algorithms and their parameters are those of
 * RFC 7518 §3.3 (RS*: RSASSA-PKCS1-v1_5), §3.5 (PS*: RSASSA-PSS, MGF1 with the same hash, salt =
 * hash length) and §3.4 (ES*: ECDSA, signature as R||S); a key that does not fit the algorithm
 * (type, RSA < 2048 bits, wrong curve) is our own misuse → TypeError. The private-key operation
 * runs on the libuv thread pool (async crypto.sign), off the event loop.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const signAsync = promisify(crypto.sign) as (
  algorithm: string, data: Uint8Array, key: crypto.SignKeyObjectInput | crypto.SignPrivateKeyInput,
) => Promise<Buffer>;

type Family = 'RS' | 'PS' | 'ES';
const CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

function keyFor(alg: string, key: crypto.KeyObject): crypto.SignKeyObjectInput {
  const family = alg.slice(0, 2) as Family;
  const type = key.asymmetricKeyType;
  if (key.type !== 'private') throw new TypeError('a private key is needed to sign');
  if (family === 'ES') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (type !== 'ec' || curve !== CURVES[alg]) throw new TypeError(`${alg} needs an EC key on ${CURVES[alg]}`);
    return { key, dsaEncoding: 'ieee-p1363' };
  }
  if (type !== 'rsa' && !(family === 'PS' && type === 'rsa-pss')) throw new TypeError(`${alg} needs an RSA key`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new TypeError(`${alg} needs an RSA key of at least 2048 bits`);
  return family === 'RS'
    ? { key, padding: crypto.constants.RSA_PKCS1_PADDING }
    : { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST };
}

/**
 * Signs `payload` (already the exact bytes or text to sign; a string is taken as UTF-8) under
 * `header` and returns the detached compact serialisation `protected..signature`.
 */
export async function signDetachedJws(header: Record<string, unknown> & { alg: string }, payload: string | Uint8Array, key: crypto.KeyObject): Promise<string> {
  if (!/^(RS|PS|ES)(256|384|512)$/.test(header.alg)) throw new TypeError(`unsupported JWS algorithm ${header.alg}`);
  const params = keyFor(header.alg, key);
  const protectedB64 = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const payloadB64 = (typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)).toString('base64url');
  const input = Buffer.from(`${protectedB64}.${payloadB64}`, 'latin1');
  const signature = await signAsync(`sha${header.alg.slice(2)}`, input, params);
  return `${protectedB64}..${signature.toString('base64url')}`;
}
