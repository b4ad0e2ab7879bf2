/**
 * RFC 8785 JSON Canonicalization Scheme for the browser: the gateway signs
 * base64url(JCS(Bundle without `signature`)) (src/trust/document-signature.ts), so the viewer must
 * rebuild the same bytes to check the signature. Mirrors src/fhir/canonical.ts for the JSON the
 * gateway produces; a unit test compares the two on the fixtures.
 *
 * Invariants (RFC 8785 §3.2): no whitespace; object members sorted by their names' UTF-16 code
 * units (§3.2.3; Array.prototype.sort's default order); strings escaped as ECMAScript
 * JSON.stringify does (§3.2.2.2); numbers in ECMAScript Number.prototype.toString form (§3.2.2.3),
 * non-finite numbers refused; `undefined` members left out as JSON.parse never yields them.
 */

/** @param {unknown} value @returns {string} */
export function canonicalize(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('RFC 8785: non-finite number');
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalize(v))).join(',')}]`;
      const obj = /** @type {Record<string, unknown>} */ (value);
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`RFC 8785: cannot canonicalise a ${typeof value}`);
  }
}
