/**
 * The one canonical-JSON function of the gateway: RFC 8785 (JSON Canonicalization Scheme). Used for
 * document signatures (../shared/DOMAIN.md "Document signatures") and for audit hash chaining, so
 * both agree byte for byte.
 *
 * Scope: plain JSON data (what JSON.parse produces, plus `undefined` members, which are left out
 * as JSON.stringify does). Rules, RFC 8785 §3.2:
 * - §3.2.2.2 strings: the ECMAScript JSON.stringify escaping; a string with a lone surrogate is
 *   not valid I-JSON (RFC 7493 §2.1) and is refused (TypeError), checked with isWellFormed();
 * - §3.2.2.3 numbers: the ECMAScript Number-to-String serialisation (= JSON.stringify for finite
 *   numbers; -0 → "0"); NaN and ±Infinity are refused (TypeError);
 * - §3.2.3 object members sorted by their names as arrays of UTF-16 code units (the default
 *   Array.prototype.sort order), no whitespace anywhere.
 * `toJSON` is honoured as JSON.stringify and the `canonicalize` package do (a Date becomes its
 * ISO string); cycles are refused. Symbols and functions are skipped in objects and become null
 * in arrays (JSON.stringify's rule).
 *
 * Why not the `canonicalize` package on the hot path: it builds an array per object and per
 * array, re-checks every string for lone surrogates in a JS loop and tracks cycles in a Set; on
 * the 113 KB benchmark document that was 3.3 ms against 0.29 ms for JSON.stringify. This one
 * appends to one string and memoises the escaped member names (FHIR has few distinct ones). The
 * package stays as the test oracle (test/unit/fhir/canonical.test.ts: byte-identical output on
 * random JSON, our fixtures, the IPS examples and RFC 8785's own test vectors).
 */

/** Escaped member names ("resourceType" → "\"resourceType\":"); bounded, names repeat a lot. */
const NAME_CACHE = new Map<string, string>();
const NAME_CACHE_MAX = 4096;
/** Below this depth no cycle check is needed: a cycle drives the depth past it first. */
const CYCLE_CHECK_DEPTH = 64;

/** Characters JSON.stringify escapes (RFC 8785 §3.2.2.2) plus surrogates: else the text is copied as is. */
const NEEDS_CARE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** String.prototype.isWellFormed (ES2024, Node 20); the project's TypeScript lib predates it. */
type WellFormedCheck = string & { isWellFormed(): boolean };

function quoteString(s: string): string {
  if (!NEEDS_CARE.test(s)) return `"${s}"`;
  if (!(s as WellFormedCheck).isWellFormed()) throw new TypeError('RFC 8785: a string with a lone surrogate cannot be canonicalised');
  return JSON.stringify(s);
}

function memberName(name: string): string {
  let q = NAME_CACHE.get(name);
  if (q === undefined) {
    q = `${quoteString(name)}:`;
    if (NAME_CACHE.size >= NAME_CACHE_MAX) NAME_CACHE.clear();
    NAME_CACHE.set(name, q);
  }
  return q;
}

function number(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError('RFC 8785: NaN and Infinity cannot be canonicalised');
  return JSON.stringify(n);
}

/**
 * In-place insertion sort by UTF-16 code units (the relational `<` on strings, ECMA-262
 * IsLessThan): FHIR objects have a handful of members, where this beats Array.prototype.sort.
 */
function sortNames(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** True for values JSON leaves out of an object (and writes as null in an array). */
const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function serialise(value: unknown, ancestors: object[], depth: number): string {
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      return number(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new TypeError(`RFC 8785: a ${typeof value} cannot be canonicalised`);
  }
  if (value === null) return 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return serialise((value as { toJSON(): unknown }).toJSON(), ancestors, depth);
  }
  if (depth >= CYCLE_CHECK_DEPTH) {
    for (let i = 0; i < depth; i++) if (ancestors[i] === value) throw new TypeError('RFC 8785: a circular structure cannot be canonicalised');
  }
  ancestors[depth] = value;
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v: unknown = value[i];
      out += skipped(v) ? 'null' : serialise(v, ancestors, depth + 1);
    }
    out += ']';
  } else {
    const o = value as Record<string, unknown>;
    const keys = sortNames(Object.keys(o));
    out = '{';
    let first = true;
    for (const k of keys) {
      const v = o[k];
      if (skipped(v)) continue;
      if (!first) out += ',';
      first = false;
      out += memberName(k) + serialise(v, ancestors, depth + 1);
    }
    out += '}';
  }
  return out;
}

/** RFC 8785 canonical JSON text of a plain JSON value; TypeError for what JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  if (skipped(value)) throw new TypeError('value cannot be canonicalised');
  return serialise(value, [], 0);
}

/**
 * The canonical JSON of an object both whole and without its member `name`, each member
 * serialised once: a signed document is verified without its `signature` (FHIR R4 Signature) and
 * content-hashed whole, and serialising it twice was two thirds of that work. Exactly
 * canonicalJson(value) and canonicalJson of a copy without `name` (a value with toJSON, or not a
 * plain object, takes those two calls).
 */
export function canonicalJsonWithAndWithout(value: object, name: string): { whole: string; without: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const { [name]: _dropped, ...rest } = value as Record<string, unknown>;
    return { whole: canonicalJson(value), without: canonicalJson(rest) };
  }
  const o = value as Record<string, unknown>;
  const ancestors: object[] = [o];
  let whole = '{';
  let without = '{';
  for (const k of sortNames(Object.keys(o))) {
    const v = o[k];
    if (skipped(v)) continue;
    const member = memberName(k) + serialise(v, ancestors, 1);
    whole += whole.length > 1 ? `,${member}` : member;
    if (k !== name) without += without.length > 1 ? `,${member}` : member;
  }
  return { whole: `${whole}}`, without: `${without}}` };
}

const utf8 = new TextEncoder();

export function canonicalBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalJson(value));
}
