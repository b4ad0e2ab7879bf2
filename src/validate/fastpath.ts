/**
 * A compiler for the small FHIRPath subset most R4 invariants use (http://hl7.org/fhirpath/N1):
 * paths, `empty() exists() not() hasValue() count() first() where() select() all() exists(criteria)
 * allTrue() allFalse() intersect() contains() startsWith() is() ofType()`, `= != < <= > >=`,
 * `and or xor implies`, `|`, `+`, `in`, literals, `$this`, `%resource`, `%rootResource`, `%ucum`.
 * It turns an expression into a JS closure so the common invariants cost nanoseconds instead of a
 * fhirpath.js evaluation. The pieces: fastpath-tokens.ts (tokenizer), fastpath-parse.ts
 * (parser/compiler), fastpath-operators.ts and fastpath-functions.ts (what compiled closures do),
 * fastpath-runtime.ts (collections and shared helpers).
 *
 * Invariants: `compileFast` returns undefined for anything outside the subset (the caller then uses
 * fhirpath.js), and a compiled closure throws `Fallback` at run time when data falls outside what it
 * handles exactly (e.g. ordering of dates), so results always equal fhirpath.js's.
 */
import { type Coll, type FastEnv, type Fn, Unsupported } from './fastpath-runtime.js';
import { parse } from './fastpath-parse.js';
import { tokenize } from './fastpath-tokens.js';

export { Fallback } from './fastpath-runtime.js';

/** Compiles `expression` to a closure over (context value, env), or undefined when out of the subset. */
export function compileFast(expression: string): ((value: unknown, env: FastEnv) => Coll) | undefined {
  const toks = tokenize(expression);
  if (!toks) return undefined;
  let fn: Fn;
  try {
    fn = parse(toks);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  return (value, env) => fn([value], env, [value]);
}
