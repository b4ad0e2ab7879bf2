/**
 * The one canonical-JSON function of the gateway: RFC 8785 (JSON Canonicalization Scheme) via the
 * `canonicalize` package. Used for document signatures (../shared/DOMAIN.md "Document signatures")
 * and for audit hash chaining, so both agree byte for byte.
 */
import canonicalizeImpl from 'canonicalize';

const canonicalizeFn = canonicalizeImpl as unknown as (value: unknown) => string | undefined;

export function canonicalJson(value: unknown): string {
  const out = canonicalizeFn(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalised');
  return out;
}

export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
