/**
 * base64url (RFC 4648 §5) and base64 helpers for the browser pages, without padding on output.
 * Plain ES module: runs in the browser and under Node (unit tests) alike.
 * Invariant: a string with characters outside the alphabet is refused (TypeError), never guessed.
 */
const B64URL = /^[A-Za-z0-9_-]*$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** @param {string} s @returns {Uint8Array} */
export function b64urlToBytes(s) {
  if (typeof s !== 'string' || !B64URL.test(s) || s.length % 4 === 1) throw new TypeError('not base64url');
  return b64ToBytes(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
}

/** @param {string} s @returns {Uint8Array} */
export function b64ToBytes(s) {
  if (typeof s !== 'string' || !B64.test(s)) throw new TypeError('not base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** @param {Uint8Array} bytes @returns {string} */
export function bytesToB64url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {string} s */
export const utf8 = (s) => new TextEncoder().encode(s);
/** @param {Uint8Array} b */
export const fromUtf8 = (b) => new TextDecoder('utf-8', { fatal: true }).decode(b);
/** ASCII bytes of a string already known to be ASCII (JWS/JWE signing input). @param {string} s */
export const ascii = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f);
