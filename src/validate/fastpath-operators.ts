/**
 * The binary operators of the FHIRPath fast path (fastpath.ts), as closures over their compiled
 * operands: `and or xor implies` (three-valued logic, FHIRPath N1 §6.5), `= != < <= > >= in`
 * (§6.1–6.4), `|` (union, §6.4) and `+` on integers (§6.6).
 *
 * Invariants: empty operands give the empty result the specification gives; anything whose answer
 * needs type information (ordering or adding non-numbers, `in` on complex values, multi-item
 * operands where one item is needed) throws FALLBACK, so results always equal fhirpath.js's.
 */
import { bool, E, equal, F, FALLBACK, type Fn, isPrimitive, of, single, T } from './fastpath-runtime.js';

export type Binary = (op: string, a: Fn, b: Fn) => Fn;

export const logic: Binary = (op, a, b) => (f, env, self) => {
  const x = bool(a(f, env, self));
  if (op === 'and') {
    if (x === false) return F;
    const y = bool(b(f, env, self));
    return x === true && y === true ? T : y === false ? F : E;
  }
  if (op === 'or') {
    if (x === true) return T;
    const y = bool(b(f, env, self));
    return y === true ? T : x === false && y === false ? F : E;
  }
  if (op === 'implies') {
    if (x === false) return T;
    const y = bool(b(f, env, self));
    return y === true ? T : x === true && y === false ? F : E;
  }
  const y = bool(b(f, env, self)); // xor
  return x === undefined || y === undefined ? E : of(x !== y);
};

export const compare: Binary = (op, a, b) => (f, env, self) => {
  const x = a(f, env, self);
  const y = b(f, env, self);
  if (op === 'in') {
    if (x.length === 0) return E;
    const v = single(x);
    if (!isPrimitive(v)) throw FALLBACK;
    return of(y.some((z) => z === v));
  }
  if (x.length === 0 || y.length === 0) return E;
  if (op === '=' || op === '!=') {
    if (x.length !== y.length) return of(op === '!=');
    const eq = x.every((v, i) => equal(v, y[i]));
    return of(op === '=' ? eq : !eq);
  }
  const u = single(x);
  const w = single(y);
  if (typeof u !== 'number' || typeof w !== 'number') throw FALLBACK;
  return of(op === '<' ? u < w : op === '<=' ? u <= w : op === '>' ? u > w : u >= w);
};

export const union: Binary = (_op, a, b) => (f, env, self) => {
  const out = [...a(f, env, self)];
  for (const v of b(f, env, self)) if (!out.some((x) => equal(x, v))) out.push(v);
  return out;
};

export const add: Binary = (_op, a, b) => (f, env, self) => {
  const x = a(f, env, self);
  const y = b(f, env, self);
  if (x.length === 0 || y.length === 0) return E;
  const u = single(x);
  const w = single(y);
  if (typeof u !== 'number' || typeof w !== 'number') throw FALLBACK;
  return [u + w];
};
