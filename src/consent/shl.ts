/**
 * SMART Health Links (HL7 SMART Health Cards and Links IG, links-specification): the `shlink:/`
 * payload, the manifest request and response, file encryption, and the protocol's error answers.
 *
 * Invariants, each from the spec: payload = minified JSON, base64url, prefixed `shlink:/`,
 * optionally behind a viewer URL ending in `#`; `url` ≤ 128 characters; `key` = 43 base64url
 * characters of 32 random bytes; `exp` epoch seconds (a number); `flag` single letters in
 * alphabetical order, `U` never with `P`; `label` ≤ 80 characters; unknown properties ignored.
 * Files are compact JWE `alg: dir`, `enc: A256GCM`, with `cty`, optional `zip: DEF` (raw
 * DEFLATE); the JWE `kid` is the RFC 7638 thumbprint of the key (as in the corpus vectors).
 * Manifest entries carry exactly one of `location` / `embedded`. An inactive, unknown, expired or
 * revoked link answers 404 alike; a wrong passcode answers 401 with `remainingAttempts`.
 */
import { CompactEncrypt, calculateJwkThumbprint, compactDecrypt } from 'jose';
import { GatewayError, type Issue } from '../errors.js';
import { isObject } from '../fhir/types.js';

export interface ShlPayload {
  url: string;
  key: string;
  exp?: number;
  flag?: string;
  label?: string;
  v?: number;
}

export type ShlContentType = 'application/smart-health-card' | 'application/smart-api-access' | 'application/fhir+json';
export const SHL_CONTENT_TYPES: readonly ShlContentType[] = ['application/smart-health-card', 'application/smart-api-access', 'application/fhir+json'];

export interface ShlManifestFile {
  contentType: ShlContentType;
  location?: string;
  embedded?: string;
  lastUpdated?: string;
  status?: 'finalized' | 'can-change' | 'entered-in-error' | 'no-longer-valid' | 'retracted';
  fhirVersion?: string;
}

export interface ShlManifestRequest {
  recipient: string;
  passcode?: string;
  embeddedLengthMax?: number;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const PREFIX = 'shlink:/';

function issue(rule: string, diagnostics: string, expression: string, severity: Issue['severity'] = 'error'): Issue {
  return { severity, code: 'value', diagnostics, expression: [expression], rule };
}

/** True for a 43-character base64url string that decodes to 32 bytes (canonical encoding). */
export function isShlKey(key: unknown): key is string {
  return typeof key === 'string' && key.length === 43 && B64URL.test(key) && Buffer.from(key, 'base64url').toString('base64url') === key;
}

/** Checks a payload object against the spec; returns issues (errors and warnings). */
export function checkShlPayload(p: unknown, options: { requireHttps?: boolean } = {}): Issue[] {
  const out: Issue[] = [];
  if (!isObject(p)) return [issue('SHLINK_FORMAT', 'The SHL payload is not a JSON object.', 'shlink')];
  if (typeof p.url !== 'string' || !URL.canParse(p.url)) out.push(issue('SHLINK_URL', 'url must be an absolute URL.', 'shlink.url'));
  else {
    if (p.url.length > 128) out.push(issue('SHLINK_URL_TOO_LONG', 'url must not exceed 128 characters.', 'shlink.url'));
    if ((options.requireHttps ?? true) && new URL(p.url).protocol !== 'https:') {
      out.push(issue('SHLINK_NOT_HTTPS_URL', 'The manifest url must use https.', 'shlink.url'));
    }
  }
  if (!isShlKey(p.key)) out.push(issue('SHLINK_KEY', 'key must be 43 base64url characters encoding 32 bytes.', 'shlink.key'));
  if (p.exp !== undefined && (typeof p.exp !== 'number' || !Number.isFinite(p.exp) || p.exp < 0)) {
    out.push(issue('SHLINK_EXP', 'exp must be a number of epoch seconds.', 'shlink.exp'));
  }
  if (p.flag !== undefined) {
    const f = p.flag;
    if (typeof f !== 'string' || !/^[A-Z]*$/.test(f) || [...f].sort().join('') !== f || new Set(f).size !== f.length) {
      out.push(issue('SHLINK_FLAG', 'flag must be single upper-case letters in alphabetical order.', 'shlink.flag'));
    } else if (f.includes('U') && f.includes('P')) {
      out.push(issue('SHLINK_FLAG', 'flag U SHALL NOT be combined with P.', 'shlink.flag'));
    }
  }
  if (p.label !== undefined && (typeof p.label !== 'string' || p.label.length > 80)) {
    out.push(issue('SHLINK_LABEL', 'label must be a string of at most 80 characters.', 'shlink.label'));
  }
  if (p.v !== undefined && (typeof p.v !== 'number' || !Number.isInteger(p.v) || p.v < 1)) {
    out.push(issue('SHLINK_VERSION', 'v must be a positive integer.', 'shlink.v'));
  } else if (typeof p.v === 'number' && p.v > 1) {
    out.push(issue('SHLINK_VERSION', `Version ${p.v} is newer than the supported version 1.`, 'shlink.v'));
  }
  return out;
}

/** Builds the link text: `shlink:/…`, behind `viewerUrl#` when given. Throws TypeError on our own bad payload. */
export function encodeShlink(payload: ShlPayload, viewerUrl?: string): string {
  const problems = checkShlPayload(payload, { requireHttps: !payload.url.startsWith('http://localhost') && !payload.url.startsWith('http://127.0.0.1') });
  if (problems.some((i) => i.severity === 'error')) throw new TypeError(`bad SHL payload: ${problems.map((i) => i.rule).join(', ')}`);
  // Minified JSON with known members only, in spec order.
  const json = JSON.stringify({
    url: payload.url,
    key: payload.key,
    ...(payload.exp !== undefined ? { exp: Math.floor(payload.exp) } : {}),
    ...(payload.flag ? { flag: payload.flag } : {}),
    ...(payload.label !== undefined ? { label: payload.label } : {}),
    ...(payload.v !== undefined ? { v: payload.v } : {}),
  });
  const bare = PREFIX + Buffer.from(json, 'utf8').toString('base64url');
  if (viewerUrl === undefined) return bare;
  const base = viewerUrl.replace(/#.*$/, '');
  return `${base}#${bare}`;
}

/** Decodes a link (bare or behind a viewer URL) and reports every spec violation as an issue. */
export function decodeShlink(text: string, options: { requireHttps?: boolean } = {}): { payload?: ShlPayload; issues: Issue[] } {
  const s = typeof text === 'string' ? text.trim() : '';
  const at = s.startsWith(PREFIX) ? 0 : s.indexOf('#' + PREFIX) >= 0 ? s.indexOf('#' + PREFIX) + 1 : -1;
  if (at < 0) return { issues: [issue('SHLINK_FORMAT', 'Not a SMART Health Link (no "shlink:/").', 'shlink')] };
  const encoded = s.slice(at + PREFIX.length);
  if (!encoded || !B64URL.test(encoded)) return { issues: [issue('SHLINK_FORMAT', 'The payload is not base64url.', 'shlink')] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { issues: [issue('SHLINK_FORMAT', 'The payload is not JSON.', 'shlink')] };
  }
  const issues = checkShlPayload(parsed, options);
  return { ...(isObject(parsed) ? { payload: parsed as unknown as ShlPayload } : {}), issues };
}

/** Like decodeShlink but throws GatewayError INVALID_PARAMETER when any error was found. */
export function parseShlink(text: string, options: { requireHttps?: boolean } = {}): ShlPayload {
  const { payload, issues } = decodeShlink(text, options);
  if (!payload || issues.some((i) => i.severity === 'error')) {
    throw new GatewayError('INVALID_PARAMETER', 'The SMART Health Link is not valid.', { issues });
  }
  return payload;
}

/** Validates the manifest POST body (spec: recipient required, passcode conditional, embeddedLengthMax optional). */
export function parseManifestRequest(body: unknown): ShlManifestRequest {
  if (!isObject(body)) throw new GatewayError('BAD_REQUEST', 'The manifest request body must be a JSON object.');
  const { recipient, passcode, embeddedLengthMax } = body;
  if (typeof recipient !== 'string' || recipient.trim() === '' || recipient.length > 500) {
    throw new GatewayError('BAD_REQUEST', 'The manifest request needs "recipient" (1 to 500 characters).', { expression: 'recipient' });
  }
  if (passcode !== undefined && typeof passcode !== 'string') {
    throw new GatewayError('BAD_REQUEST', '"passcode" must be a string.', { expression: 'passcode' });
  }
  if (embeddedLengthMax !== undefined && !(typeof embeddedLengthMax === 'number' && Number.isInteger(embeddedLengthMax) && embeddedLengthMax >= 0)) {
    throw new GatewayError('BAD_REQUEST', '"embeddedLengthMax" must be a non-negative integer.', { expression: 'embeddedLengthMax' });
  }
  return {
    recipient: recipient.trim(),
    ...(passcode !== undefined ? { passcode } : {}),
    ...(embeddedLengthMax !== undefined ? { embeddedLengthMax } : {}),
  };
}

/**
 * Builds the manifest: each file gets `embedded` when the JWE fits `embeddedLengthMax`, otherwise
 * its short-lived `location` (the caller created it valid ≤ 1 hour and single-use).
 */
export function buildManifest(
  files: { contentType: ShlContentType; jwe?: string; location?: string; lastUpdated?: string; status?: ShlManifestFile['status'] }[],
  embeddedLengthMax?: number,
): { files: ShlManifestFile[] } {
  return {
    files: files.map((f) => {
      if (!SHL_CONTENT_TYPES.includes(f.contentType)) throw new TypeError(`bad SHL content type ${f.contentType}`);
      const embed = f.jwe !== undefined && embeddedLengthMax !== undefined && f.jwe.length <= embeddedLengthMax;
      if (!embed && !f.location) throw new TypeError('an SHL manifest file needs a location when it is not embedded');
      return {
        contentType: f.contentType,
        ...(embed ? { embedded: f.jwe } : { location: f.location }),
        ...(f.lastUpdated ? { lastUpdated: f.lastUpdated } : {}),
        ...(f.status ? { status: f.status } : {}),
        ...(f.contentType === 'application/fhir+json' ? { fhirVersion: '4.0.1' } : {}),
      };
    }),
  };
}

function keyBytes(key: string): Uint8Array {
  if (!isShlKey(key)) throw new TypeError('an SHL key is 43 base64url characters of 32 bytes');
  return new Uint8Array(Buffer.from(key, 'base64url'));
}

/** RFC 7638 thumbprint of the symmetric key: the `kid` the corpus vectors carry. */
export function shlKeyId(key: string): Promise<string> {
  keyBytes(key);
  return calculateJwkThumbprint({ kty: 'oct', k: key });
}

/** Encrypts one file as compact JWE (dir, A256GCM, cty, kid; zip DEF when asked). Fresh IV per call. */
export async function encryptShlFile(
  plaintext: Uint8Array | string,
  key: string,
  options: { contentType: ShlContentType; zip?: boolean },
): Promise<string> {
  const data = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  return new CompactEncrypt(data)
    .setProtectedHeader({
      alg: 'dir',
      enc: 'A256GCM',
      cty: options.contentType,
      kid: await shlKeyId(key),
      ...(options.zip ? { zip: 'DEF' } : {}),
    })
    .encrypt(keyBytes(key));
}

/** Decrypts a file; a wrong key, tampered data or a non-SHL header → GatewayError INVALID_RESOURCE. */
export async function decryptShlFile(
  jwe: string,
  key: string,
  options: { maxDecompressedLength?: number } = {},
): Promise<{ plaintext: Uint8Array; contentType?: string; kid?: string }> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe.trim(), keyBytes(key), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      maxDecompressedLength: options.maxDecompressedLength ?? 20 * 1024 * 1024,
    });
    return {
      plaintext,
      ...(typeof protectedHeader.cty === 'string' ? { contentType: protectedHeader.cty } : {}),
      ...(typeof protectedHeader.kid === 'string' ? { kid: protectedHeader.kid } : {}),
    };
  } catch (cause) {
    if (cause instanceof TypeError && String(cause.message).startsWith('an SHL key')) throw cause;
    throw new GatewayError('INVALID_RESOURCE', 'The encrypted SMART Health Link file could not be decrypted.', { cause });
  }
}

/** Unknown, expired, revoked or inactive links answer alike (spec: 404 when no longer active). */
export function shlNotActive(): GatewayError {
  return new GatewayError('NOT_FOUND', 'This link is not active.');
}

/** Spec: 401 with a JSON body carrying `remainingAttempts`. */
export function shlWrongPasscode(remainingAttempts: number): GatewayError {
  return new GatewayError('PASSCODE_WRONG', 'The passcode is not correct.', { details: { remainingAttempts: Math.max(0, remainingAttempts) } });
}
