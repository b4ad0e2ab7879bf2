/**
 * The run-time half of the FHIRPath fast path (fastpath.ts): collections, the values and helpers
 * compiled closures share, and the two ways out — `Unsupported` at compile time (the expression
 * is outside the subset) and `Fallback` at run time (the data is outside what the closure decides
 * exactly; the caller then asks fhirpath.js).
 *
 * Invariants: every helper follows FHIRPath N1 semantics on JSON (http://hl7.org/fhirpath/N1):
 * empty collections propagate, a multi-item collection where one item is needed falls back rather
 * than guess; `T`, `F` and `E` are shared results, never to be changed by a caller.
 */
export class Fallback extends Error {}
/** Thrown as is (no per-throw allocation or stack capture: falling back is ordinary control flow). */
export const FALLBACK = new Fallback('fast path does not apply');

/** The expression uses something outside the subset: `compileFast` answers undefined. */
export class Unsupported extends Error {}

export type Coll = unknown[];
export interface FastEnv {
  resource: unknown;
  rootResource: unknown;
}
/** A compiled (sub)expression: input collection, environment, `$this` → output collection. */
export type Fn = (focus: Coll, env: FastEnv, self: Coll) => Coll;

const TYPE_SUFFIX = /^(Base64Binary|Boolean|Canonical|Code|Date|DateTime|Decimal|Id|Instant|Integer|Markdown|Oid|PositiveInt|String|Time|UnsignedInt|Uri|Url|Uuid|Address|Age|Annotation|Attachment|CodeableConcept|Coding|ContactPoint|Count|Distance|Duration|HumanName|Identifier|Money|Period|Quantity|Range|Ratio|Reference|SampledData|Signature|Timing|ContactDetail|Contributor|DataRequirement|Expression|ParameterDefinition|RelatedArtifact|TriggerDefinition|UsageContext|Dosage|Meta)$/;

/**
 * Pushes the values of member `name` of `item` onto `out`, which is made on the first value (most
 * accesses find nothing: no array is allocated for them), and returns it: a choice (`value`)
 * matches its typed JSON name (`valueQuantity`, R4 json.html#choice), and a primitive with only a
 * `_name` sibling yields that sibling (its id/extensions).
 */
export function child(item: unknown, name: string, out: Coll | undefined, uname: string = '_' + name): Coll | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return out;
  const o = item as Record<string, unknown>;
  let v = o[name];
  if (v === undefined) {
    const u = o[uname];
    if (u !== undefined) {
      out ??= [];
      if (Array.isArray(u)) for (const x of u) out.push(x ?? {});
      else out.push(u);
      return out;
    }
    for (const k in o) {
      if (k.length > name.length && k.startsWith(name) && TYPE_SUFFIX.test(k.slice(name.length))) {
        v = o[k];
        break;
      }
    }
  }
  if (v === undefined || v === null) return out;
  out ??= [];
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null) out.push(x);
  } else out.push(v);
  return out;
}

export function single(c: Coll): unknown {
  if (c.length > 1) throw FALLBACK;
  return c[0];
}

export function bool(c: Coll): boolean | undefined {
  if (c.length === 0) return undefined;
  const v = single(c);
  if (typeof v === 'boolean') return v;
  return true; // a single non-boolean value is true in a boolean context (FHIRPath §4.5)
}

export const UCUM: Coll = ['http://unitsofmeasure.org'];
export const T: Coll = [true];
export const F: Coll = [false];
export const E: Coll = [];
export const of = (b: boolean | undefined): Coll => (b === undefined ? E : b ? T : F);

export function equal(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function isPrimitive(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
