/**
 * FHIR R4 primitive types: the JSON type each must have and the lexical rules of
 * http://hl7.org/fhir/R4/datatypes.html#primitive (regexes as published in the R4 type
 * definitions), plus the range rules for integers (R4 datatypes.html "integer": 32-bit signed).
 *
 * Invariant: `checkPrimitive` is pure and returns at most one problem, so a bad value yields one
 * issue (as HL7's validator reports one).
 */

export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant',
  'integer', 'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[1-2][0-9]|3[0-1])';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const TZ = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';

const RE = {
  date: new RegExp(`^${YEAR}(-${MONTH}(-${DAY})?)?$`),
  dateTime: new RegExp(`^${YEAR}(-${MONTH}(-${DAY}(T${TIME}${TZ})?)?)?$`),
  instant: new RegExp(`^${YEAR}-${MONTH}-${DAY}T${TIME}${TZ}$`),
  time: new RegExp(`^${TIME}$`),
  code: /^[^\s]+( [^\s]+)*$/,
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  oid: /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/,
  uuid: /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  uri: /^\S*$/,
  base64: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
};

/** Days in month check: the regexes accept 2023-02-31; HL7's validator rejects impossible dates. */
// Module constants, not literals in checkPrimitive: a regex literal makes a new RegExp object each
// time it is evaluated, and the string check runs on every string of a document.
const STRING = /^[ \r\n\t\S]+$/;
const DIV_OPEN = /^\s*<div[\s>]/;
const DIV_CLOSE = /<\/div>\s*$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number of the ASCII digits v[from, to) (the regex has checked they are digits). */
function digits(v: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (v.charCodeAt(i) - 48);
  return n;
}

function realDate(v: string): boolean {
  if (v.length < 10) return true;
  // Digits read in place: this runs for every date and dateTime, so no substrings or arrays.
  const y = digits(v, 0, 4);
  const m = digits(v, 5, 7);
  const d = digits(v, 8, 10);
  const dim = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[m - 1]!;
  return d <= dim;
}

export interface PrimitiveProblem {
  code: 'structure' | 'value' | 'invalid';
  message: string;
}

/** Checks one JSON value against a primitive type; undefined when fine. */
export function checkPrimitive(type: string, v: unknown): PrimitiveProblem | undefined {
  switch (type) {
    case 'boolean':
      return typeof v === 'boolean' ? undefined : { code: 'structure', message: `Error parsing JSON: the primitive value must be a boolean` };
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt': {
      if (typeof v !== 'number') return { code: 'structure', message: `Error parsing JSON: the primitive value must be a number` };
      if (!Number.isInteger(v)) return { code: 'invalid', message: `The value '${v}' is not a valid integer` };
      if (v > 2147483647 || v < -2147483648) return { code: 'invalid', message: `The value '${v}' is outside the range of a 32-bit integer` };
      if (type === 'positiveInt' && v < 1) return { code: 'invalid', message: `The value '${v}' must be at least 1` };
      if (type === 'unsignedInt' && v < 0) return { code: 'invalid', message: `The value '${v}' must not be negative` };
      return undefined;
    }
    case 'decimal':
      if (typeof v !== 'number' || !Number.isFinite(v)) return { code: 'structure', message: `Error parsing JSON: the primitive value must be a number` };
      return undefined;
    default:
      break;
  }
  if (typeof v !== 'string') return { code: 'structure', message: `Error parsing JSON: the primitive value must be a string` };
  if (v.length === 0) return { code: 'invalid', message: `@value cannot be empty` };
  switch (type) {
    case 'date':
      return RE.date.test(v) && realDate(v) ? undefined : { code: 'invalid', message: `Not a valid date format: '${v}'` };
    case 'dateTime':
      if (RE.dateTime.test(v) && realDate(v)) return undefined;
      if (/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v)) return { code: 'invalid', message: 'If a date has a time, it must have a timezone' };
      return { code: 'invalid', message: `Not a valid date/time (${v})` };
    case 'instant':
      return RE.instant.test(v) && realDate(v) ? undefined : { code: 'invalid', message: `Not a valid instant (${v})` };
    case 'time':
      return RE.time.test(v) ? undefined : { code: 'invalid', message: `Not a valid time (${v})` };
    case 'code':
      return RE.code.test(v) ? undefined : { code: 'invalid', message: `The code '${v}' is not valid (whitespace rules)` };
    case 'id':
      return RE.id.test(v) ? undefined : { code: 'invalid', message: `Invalid id '${v}'` };
    case 'oid':
      return RE.oid.test(v) ? undefined : { code: 'invalid', message: `Invalid OID '${v}'` };
    case 'uuid':
      return RE.uuid.test(v) ? undefined : { code: 'invalid', message: `Invalid UUID '${v}'` };
    case 'uri':
    case 'url':
    case 'canonical':
      if (!RE.uri.test(v)) return { code: 'invalid', message: `URI values cannot have whitespace ('${v}')` };
      if (v.startsWith('urn:oid:') && !RE.oid.test(v)) return { code: 'invalid', message: `Invalid OID '${v}'` };
      if (v.startsWith('urn:uuid:') && !RE.uuid.test(v.toLowerCase())) return { code: 'invalid', message: `Invalid UUID '${v}'` };
      return undefined;
    case 'base64Binary':
      return RE.base64.test(v.replace(/\s+/g, '')) ? undefined : { code: 'invalid', message: `The value '${v.slice(0, 40)}' is not a valid Base64 value` };
    case 'xhtml':
      return DIV_OPEN.test(v) && DIV_CLOSE.test(v)
        ? undefined
        : { code: 'invalid', message: 'The narrative div must be an XHTML <div> element' };
    default:
      return STRING.test(v) ? undefined : { code: 'invalid', message: 'A string must contain non-whitespace content' };
  }
}
