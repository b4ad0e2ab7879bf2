/**
 * The function table of the FHIRPath fast path (fastpath.ts): member access, `is()`/`ofType()`
 * on resources and choice elements, and `empty() exists() not() hasValue() count() first()
 * allTrue() allFalse() where() all() select() intersect() contains() startsWith()`
 * (FHIRPath N1 §5), each as a closure applied to the collection its source yields.
 *
 * Invariants: a function outside the table, or with another arity, throws Unsupported at compile
 * time; a type test on something that is not a resource (a data type needs type information)
 * throws FALLBACK at run time; criteria and projections see each item as both focus and `$this`.
 */
import { bool, child, type Coll, E, equal, FALLBACK, type FastEnv, type Fn, isPrimitive, of, single, Unsupported } from './fastpath-runtime.js';

/** `name` of every item of the collection `src` yields, or of the input collection when no `src`. */
export function memberAccess(name: string, src: Fn | undefined): Fn {
  // The `_name` sibling key, made once per compiled access rather than per item looked at.
  const uname = '_' + name;
  if (!src) {
    return (f) => {
      let out: Coll | undefined;
      for (const x of f) out = child(x, name, out, uname);
      return out ?? E; // E is shared and never changed (fastpath-runtime.ts)
    };
  }
  return (f, env, self) => {
    let out: Coll | undefined;
    for (const x of src(f, env, self)) out = child(x, name, out, uname);
    return out ?? E;
  };
}

/** `is(Type)` / `ofType(Type)` on resources only: decided by resourceType (R4 resource names). */
export function typeTest(name: 'is' | 'ofType', type: string, src: Fn): Fn {
  const test = (x: unknown): boolean => {
    if (typeof x !== 'object' || x === null || typeof (x as Record<string, unknown>).resourceType !== 'string') throw FALLBACK;
    return (x as Record<string, unknown>).resourceType === type;
  };
  if (name === 'ofType') return (f, env, self) => src(f, env, self).filter(test);
  return (f, env, self) => {
    const c = src(f, env, self);
    if (c.length === 0) return E;
    return of(test(single(c)));
  };
}

/**
 * `name.ofType(T)` on a choice element reads the JSON property `nameT` (R4 json.html#choice); a
 * member holding resources (`contained`, `resource`) is filtered by resourceType; anything else
 * needs type information: FALLBACK.
 */
export function choiceOfType(name: string, type: string, src: Fn): Fn {
  const key = name + type.charAt(0).toUpperCase() + type.slice(1);
  return (f, env, self) => {
    const out: Coll = [];
    for (const x of src(f, env, self)) {
      if (typeof x !== 'object' || x === null || Array.isArray(x)) continue;
      const o = x as Record<string, unknown>;
      const v = o[key];
      if (v !== undefined && v !== null) {
        if (Array.isArray(v)) for (const y of v) (y !== null ? out.push(y) : 0);
        else out.push(v);
      } else if (o[name] !== undefined) {
        const items = Array.isArray(o[name]) ? (o[name] as unknown[]) : [o[name]];
        for (const y of items) {
          if (typeof y !== 'object' || y === null || typeof (y as Record<string, unknown>).resourceType !== 'string') throw FALLBACK;
          if ((y as Record<string, unknown>).resourceType === type) out.push(y);
        }
      }
    }
    return out;
  };
}

/** Whether `crit` is true for each item, each item as focus and `$this`. */
function perItem(crit: Fn, f: Coll, env: FastEnv): boolean[] {
  return f.map((x) => bool(crit([x], env, [x])) === true);
}

/** Function `name` with compiled arguments `a`, applied to the collection `src` yields. */
export function callFunction(name: string, src: Fn, a: Fn[]): Fn {
  const arity = (n: number): void => {
    if (a.length !== n) throw new Unsupported(`${name} arity`);
  };
  switch (name) {
    case 'empty':
      arity(0);
      return (f, env, self) => of(src(f, env, self).length === 0);
    case 'exists':
      if (a.length === 1) {
        const crit = a[0]!;
        return (f, env, self) => of(perItem(crit, src(f, env, self), env).some(Boolean));
      }
      arity(0);
      return (f, env, self) => of(src(f, env, self).length > 0);
    case 'not':
      arity(0);
      return (f, env, self) => {
        const b = bool(src(f, env, self));
        return b === undefined ? E : of(!b);
      };
    case 'hasValue':
      arity(0);
      return (f, env, self) => {
        const c = src(f, env, self);
        return of(c.length === 1 && isPrimitive(c[0]));
      };
    case 'count':
      arity(0);
      return (f, env, self) => [src(f, env, self).length];
    case 'first':
      arity(0);
      return (f, env, self) => src(f, env, self).slice(0, 1);
    case 'allTrue':
      arity(0);
      return (f, env, self) => of(src(f, env, self).every((x) => x === true));
    case 'allFalse':
      arity(0);
      return (f, env, self) => of(src(f, env, self).every((x) => x === false));
    case 'where': {
      arity(1);
      const crit = a[0]!;
      return (f, env, self) => {
        const c = src(f, env, self);
        const keep = perItem(crit, c, env);
        return c.filter((_, i) => keep[i]);
      };
    }
    case 'all': {
      arity(1);
      const crit = a[0]!;
      return (f, env, self) => of(perItem(crit, src(f, env, self), env).every(Boolean));
    }
    case 'select': {
      arity(1);
      const proj = a[0]!;
      return (f, env, self) => src(f, env, self).flatMap((x) => proj([x], env, [x]));
    }
    case 'intersect': {
      arity(1);
      const other = a[0]!;
      return (f, env, self) => {
        const x = src(f, env, self);
        const y = other(f, env, self);
        const out: Coll = [];
        for (const v of x) if (y.some((w) => equal(v, w)) && !out.some((w) => equal(v, w))) out.push(v);
        return out;
      };
    }
    case 'contains':
    case 'startsWith': {
      arity(1);
      const arg = a[0]!;
      return (f, env, self) => {
        const c = src(f, env, self);
        if (c.length === 0) return E;
        const s = single(c);
        const q = single(arg(f, env, self));
        if (typeof s !== 'string' || typeof q !== 'string') throw FALLBACK;
        return of(name === 'contains' ? s.includes(q) : s.startsWith(q));
      };
    }
    default:
      throw new Unsupported(name);
  }
}
