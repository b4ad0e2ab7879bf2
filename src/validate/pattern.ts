/**
 * `fixed[x]` and `pattern[x]` matching (FHIR R4 elementdefinition-definitions.html
 * #ElementDefinition.fixed_x_ and #ElementDefinition.pattern_x_).
 *
 * fixed: the instance must be exactly equal (every element, no extra elements).
 * pattern: every element present in the pattern must be present with the same value; arrays in a
 * pattern match when each pattern item matches some instance item. Pure, iterative depth bounded
 * by the pattern (which is trusted profile data), so hostile instances cannot make it recurse.
 */

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns the first mismatching sub-path ('' for the element itself) or undefined on a match. */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (!isObj(pattern) && !Array.isArray(pattern)) return pattern === value;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value)) return pattern.length === 1 && matchesPattern(pattern[0], value);
    // Loops, not every/some: no closures per call (patterns are checked on every coded element).
    for (const p of pattern) {
      let found = false;
      for (const v of value) {
        if (matchesPattern(p, v)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  if (!isObj(value)) return false;
  for (const k in pattern) {
    if (!(k in value)) return false;
    if (!matchesPattern(pattern[k], value[k])) return false;
  }
  return true;
}

export function matchesFixed(fixed: unknown, value: unknown): boolean {
  if (!isObj(fixed) && !Array.isArray(fixed)) return fixed === value;
  if (Array.isArray(fixed)) {
    return Array.isArray(value) && value.length === fixed.length && fixed.every((f, i) => matchesFixed(f, value[i]));
  }
  if (!isObj(value)) return false;
  const fk = Object.keys(fixed).filter((k) => k !== 'id');
  const vk = Object.keys(value).filter((k) => k !== 'id' && k !== 'extension');
  if (vk.some((k) => !(k in fixed))) return false;
  return fk.every((k) => matchesFixed(fixed[k], value[k]));
}

/** JSON-ish rendering of a fixed/pattern value for messages (short). */
export function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 120 ? s.slice(0, 117) + '...' : s;
}
