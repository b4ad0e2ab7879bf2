/**
 * SMART Health Links in the doctor's browser (HL7 SMART Health Cards and Links IG,
 * links-specification): decode the `shlink:/` payload from the URL fragment, ask the manifest for
 * the files, fetch them and decrypt the JWE with WebCrypto.
 *
 * Invariants: the key only ever leaves the fragment into `crypto.subtle.importKey` — it is never
 * put in a URL, header or body; only `alg: dir` + `enc: A256GCM` is accepted (the spec's one
 * choice), with the protected header's ASCII as AAD (RFC 7516 §5.1 step 14); `zip: DEF` is raw
 * DEFLATE (RFC 1951) inflated with a size ceiling; an unknown, expired or revoked link (404), a
 * wrong passcode (401 + `remainingAttempts`) and a lockout each map to one status the page shows.
 */
import { ascii, b64urlToBytes, fromUtf8 } from './b64.js';

const PREFIX = 'shlink:/';
export const MAX_INFLATED_BYTES = 20 * 1024 * 1024;

export class ShlError extends Error {
  /** @param {'format'|'expired'|'decrypt'|'unsupported'|'network'} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'ShlError';
    this.code = code;
  }
}

/**
 * @typedef {{ url: string, key: string, exp?: number, flag?: string, label?: string, v?: number }} ShlPayload
 * @param {string} text link text, bare or behind a viewer URL (`…#shlink:/…`)
 * @param {number} [nowMs]
 * @returns {ShlPayload}
 */
export function parseShlink(text, nowMs = Date.now()) {
  const s = String(text ?? '').trim();
  const at = s.startsWith(PREFIX) ? 0 : s.indexOf('#' + PREFIX) >= 0 ? s.indexOf('#' + PREFIX) + 1 : -1;
  if (at < 0) throw new ShlError('format', 'no shlink:/ payload');
  let p;
  try {
    p = JSON.parse(fromUtf8(b64urlToBytes(s.slice(at + PREFIX.length))));
  } catch {
    throw new ShlError('format', 'payload is not base64url JSON');
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new ShlError('format', 'payload is not an object');
  if (typeof p.url !== 'string' || !URL.canParse(p.url)) throw new ShlError('format', 'url missing');
  if (typeof p.key !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(p.key)) throw new ShlError('format', 'key is not 43 base64url characters');
  if (p.exp !== undefined && (typeof p.exp !== 'number' || !Number.isFinite(p.exp))) throw new ShlError('format', 'exp is not a number');
  if (p.flag !== undefined && (typeof p.flag !== 'string' || !/^[A-Z]*$/.test(p.flag))) throw new ShlError('format', 'bad flag');
  if (typeof p.v === 'number' && p.v > 1) throw new ShlError('unsupported', 'newer SHL version');
  if (typeof p.exp === 'number' && p.exp * 1000 < nowMs) throw new ShlError('expired', 'link expired');
  return {
    url: p.url,
    key: p.key,
    ...(typeof p.exp === 'number' ? { exp: p.exp } : {}),
    ...(p.flag ? { flag: p.flag } : {}),
    ...(typeof p.label === 'string' ? { label: p.label.slice(0, 80) } : {}),
  };
}

/** @param {ShlPayload} p */
export const needsPasscode = (p) => (p.flag ?? '').includes('P');

/**
 * POSTs the manifest request (spec: JSON {recipient, passcode?}) and classifies the answer.
 * @param {ShlPayload} payload
 * @param {{recipient: string, passcode?: string}} request
 * @param {typeof fetch} [fetchFn]
 * @param {string} [language] Accept-Language: the gateway translates the file into this language
 * @returns {Promise<{status:'ok', files: {contentType: string, location?: string, embedded?: string}[]} | {status:'passcode', remainingAttempts?: number} | {status:'inactive'} | {status:'locked'} | {status:'error', httpStatus: number}>}
 */
export async function requestManifest(payload, request, fetchFn = fetch, language) {
  if ((payload.flag ?? '').includes('U')) {
    // U flag: the url is the one encrypted file itself, fetched with GET ?recipient= (spec).
    const u = new URL(payload.url);
    u.searchParams.set('recipient', request.recipient);
    return { status: 'ok', files: [{ contentType: 'application/fhir+json', location: u.href }] };
  }
  const body = { recipient: request.recipient, ...(request.passcode ? { passcode: request.passcode } : {}) };
  let res;
  try {
    res = await fetchFn(payload.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...(language ? { 'accept-language': language } : {}) }, body: JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ShlError('network', 'manifest unreachable');
  }
  const json = await res.json().catch(() => undefined);
  if (res.status === 200 && json && Array.isArray(json.files)) return { status: 'ok', files: json.files };
  if (res.status === 401) {
    const n = json?.remainingAttempts;
    return typeof n === 'number' && n <= 0 ? { status: 'locked' } : { status: 'passcode', ...(typeof n === 'number' ? { remainingAttempts: n } : {}) };
  }
  if (res.status === 404) return { status: 'inactive' };
  if (res.status === 429) return { status: 'locked' };
  return { status: 'error', httpStatus: res.status };
}

/**
 * The JWE text of one manifest file: `embedded`, or GET its short-lived `location`.
 * @param {{location?: string, embedded?: string}} file @param {typeof fetch} [fetchFn] @param {string} [language]
 */
export async function fetchFile(file, fetchFn = fetch, language) {
  if (typeof file.embedded === 'string') return file.embedded;
  if (typeof file.location !== 'string') throw new ShlError('format', 'manifest file without location');
  const res = await fetchFn(file.location, { credentials: 'omit', cache: 'no-store', ...(language ? { headers: { 'accept-language': language } } : {}) }).catch(() => {
    throw new ShlError('network', 'file unreachable');
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new ShlError('network', `file answered ${res.status}`);
  return (await res.text()).trim();
}

/** Raw DEFLATE inflate with a ceiling (zip bombs). @param {Uint8Array} data */
export async function inflateRaw(data, max = MAX_INFLATED_BYTES) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel();
      throw new ShlError('decrypt', 'inflated content too large');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Decrypts a compact JWE (`dir`, `A256GCM`) with the link key.
 * @param {string} jwe @param {string} key base64url, 32 bytes
 * @param {SubtleCrypto} [subtle]
 * @returns {Promise<{plaintext: Uint8Array, header: Record<string, unknown>}>}
 */
export async function decryptJwe(jwe, key, subtle = globalThis.crypto.subtle) {
  const parts = String(jwe).trim().split('.');
  if (parts.length !== 5) throw new ShlError('decrypt', 'not a compact JWE');
  const [h, ek, ivB64, ctB64, tagB64] = parts;
  let header;
  try {
    header = JSON.parse(fromUtf8(b64urlToBytes(h)));
  } catch {
    throw new ShlError('decrypt', 'unreadable JWE header');
  }
  if (header?.alg !== 'dir' || header?.enc !== 'A256GCM' || ek !== '') throw new ShlError('unsupported', 'only dir + A256GCM');
  if (header.zip !== undefined && header.zip !== 'DEF') throw new ShlError('unsupported', 'unknown zip');
  let plaintext;
  try {
    const raw = b64urlToBytes(key);
    if (raw.length !== 32) throw new TypeError('key length');
    const k = await subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['decrypt']);
    const iv = b64urlToBytes(ivB64);
    const ct = b64urlToBytes(ctB64);
    const tag = b64urlToBytes(tagB64);
    if (iv.length !== 12 || tag.length !== 16) throw new TypeError('iv/tag length');
    const data = new Uint8Array(ct.length + tag.length);
    data.set(ct);
    data.set(tag, ct.length);
    plaintext = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: ascii(h), tagLength: 128 }, k, data));
  } catch {
    throw new ShlError('decrypt', 'the file could not be decrypted with this link');
  }
  if (header.zip === 'DEF') plaintext = await inflateRaw(plaintext);
  return { plaintext, header };
}
