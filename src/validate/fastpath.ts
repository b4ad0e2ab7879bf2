/**
 * A compiler for the small FHIRPath subset most R4 invariants use (http://hl7.org/fhirpath/N1):
 * paths, `empty() exists() not() hasValue() count() first() where() select() all() exists(criteria)
 * allTrue() allFalse() contains() startsWith()`, `= != < <= > >=`, `and or xor implies`, `|`, `in`,
 * literals, `$this`, `%resource`, `%rootResource`. It turns an expression into a JS closure so the
 * common invariants cost nanoseconds instead of a fhirpath.js evaluation.
 *
 * Invariants: `compileFast` returns undefined for anything outside the subset (the caller then uses
 * fhirpath.js), and a compiled closure throws `Fallback` at run time when data falls outside what it
 * handles exactly (e.g. ordering of dates), so results always equal fhirpath.js's.
 */
export class Fallback extends Error {}
/** Thrown as is (no per-throw allocation or stack capture: falling back is ordinary control flow). */
const FALLBACK = new Fallback('fast path does not apply');

type Coll = unknown[];
export interface FastEnv {
  resource: unknown;
  rootResource: unknown;
}
type Fn = (focus: Coll, env: FastEnv, self: Coll) => Coll;

const TYPE_SUFFIX = /^(Base64Binary|Boolean|Canonical|Code|Date|DateTime|Decimal|Id|Instant|Integer|Markdown|Oid|PositiveInt|String|Time|UnsignedInt|Uri|Url|Uuid|Address|Age|Annotation|Attachment|CodeableConcept|Coding|ContactPoint|Count|Distance|Duration|HumanName|Identifier|Money|Period|Quantity|Range|Ratio|Reference|SampledData|Signature|Timing|ContactDetail|Contributor|DataRequirement|Expression|ParameterDefinition|RelatedArtifact|TriggerDefinition|UsageContext|Dosage|Meta)$/;

function child(item: unknown, name: string, out: Coll): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return;
  const o = item as Record<string, unknown>;
  let v = o[name];
  if (v === undefined) {
    const u = o['_' + name];
    if (u !== undefined) {
      if (Array.isArray(u)) for (const x of u) out.push(x ?? {});
      else out.push(u);
      return;
    }
    for (const k in o) {
      if (k.length > name.length && k.startsWith(name) && TYPE_SUFFIX.test(k.slice(name.length))) {
        v = o[k];
        break;
      }
    }
  }
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null) out.push(x);
  } else out.push(v);
}

function single(c: Coll): unknown {
  if (c.length > 1) throw FALLBACK;
  return c[0];
}

function bool(c: Coll): boolean | undefined {
  if (c.length === 0) return undefined;
  const v = single(c);
  if (typeof v === 'boolean') return v;
  return true; // a single non-boolean value is true in a boolean context (FHIRPath §4.5)
}

const UCUM: Coll = ['http://unitsofmeasure.org'];
const T: Coll = [true];
const F: Coll = [false];
const E: Coll = [];
const of = (b: boolean | undefined): Coll => (b === undefined ? E : b ? T : F);

function equal(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

function isPrimitive(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

// ---- tokenizer / parser -------------------------------------------------------------------------
type Tok = { k: 'id' | 'str' | 'num' | 'op' | 'var'; v: string };

function tokenize(s: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== "'") {
        if (s[j] === '\\') return undefined;
        v += s[j++];
      }
      if (j >= s.length) return undefined;
      out.push({ k: 'str', v });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(s.slice(i))!;
      out.push({ k: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))!;
      out.push({ k: 'id', v: m[0] });
      i += m[0].length;
    } else if (c === '$' || c === '%') {
      const m = /^[$%][A-Za-z]+/.exec(s.slice(i));
      if (!m) return undefined;
      out.push({ k: 'var', v: m[0] });
      i += m[0].length;
    } else {
      const two = s.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ k: 'op', v: two });
        i += 2;
      } else if ('.()=<>|,+'.includes(c)) {
        out.push({ k: 'op', v: c });
        i++;
      } else return undefined;
    }
  }
  return out;
}

class Unsupported extends Error {}

function parse(tokens: Tok[]): Fn {
  let p = 0;
  /** The last member access compiled (`value` in `value.ofType(Quantity)`). */
  let member: { name: string; src: Fn; fn: Fn } | undefined;
  const peek = (): Tok | undefined => tokens[p];
  const isOp = (v: string): boolean => peek()?.k === 'op' && peek()!.v === v;
  const isWord = (v: string): boolean => peek()?.k === 'id' && peek()!.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Unsupported(v);
    p++;
  };

  const binary = (next: () => Fn, ops: string[], make: (op: string, a: Fn, b: Fn) => Fn): (() => Fn) => () => {
    let left = next();
    for (;;) {
      const t = peek();
      if (!t || !ops.includes(t.v) || (t.k !== 'op' && t.k !== 'id')) return left;
      p++;
      left = make(t.v, left, next());
    }
  };

  const logic = (op: string, a: Fn, b: Fn): Fn => (f, env, self) => {
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

  const compare = (op: string, a: Fn, b: Fn): Fn => (f, env, self) => {
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

  const expr = (): Fn => impliesExpr();
  const union = binary(
    () => invocation(),
    ['|'],
    (_op, a, b) => (f, env, self) => {
      const out = [...a(f, env, self)];
      for (const v of b(f, env, self)) if (!out.some((x) => equal(x, v))) out.push(v);
      return out;
    },
  );
  const additive = binary(union, ['+'], (_op, a, b) => (f, env, self) => {
    const x = a(f, env, self);
    const y = b(f, env, self);
    if (x.length === 0 || y.length === 0) return E;
    const u = single(x);
    const w = single(y);
    if (typeof u !== 'number' || typeof w !== 'number') throw FALLBACK;
    return [u + w];
  });
  const ordering = binary(additive, ['<', '<=', '>', '>='], compare);
  const equality = binary(ordering, ['=', '!='], compare);
  const membership = binary(equality, ['in'], compare);
  const andExpr = binary(membership, ['and'], logic);
  const orExpr = binary(andExpr, ['or', 'xor'], logic);
  const impliesExpr = binary(orExpr, ['implies'], logic);

  function term(): Fn {
    const t = peek();
    if (!t) throw new Unsupported('end');
    if (t.k === 'op' && t.v === '(') {
      p++;
      const e = expr();
      expect(')');
      return e;
    }
    p++;
    if (t.k === 'str') {
      const c = [t.v];
      return () => c;
    }
    if (t.k === 'num') {
      if (t.v.includes('.')) throw new Unsupported('decimal literal');
      const c = [Number(t.v)];
      return () => c;
    }
    if (t.k === 'var') {
      if (t.v === '$this') return (_f, _e, self) => self;
      if (t.v === '%resource') return (_f, env) => [env.resource];
      if (t.v === '%rootResource') return (_f, env) => [env.rootResource];
      if (t.v === '%ucum') return () => UCUM;
      throw new Unsupported(t.v);
    }
    if (t.k === 'id') {
      if (t.v === 'true') return () => T;
      if (t.v === 'false') return () => F;
      if (/^[A-Z]/.test(t.v)) throw new Unsupported('type name');
      if (isOp('(')) return call(t.v, (f) => f);
      const name = t.v;
      const fn: Fn = (f) => {
        const out: Coll = [];
        for (const x of f) child(x, name, out);
        return out;
      };
      member = { name, src: (f) => f, fn };
      return fn;
    }
    throw new Unsupported(t.v);
  }

  function args(): Fn[] {
    expect('(');
    const out: Fn[] = [];
    if (isOp(')')) {
      p++;
      return out;
    }
    out.push(expr());
    while (isOp(',')) {
      p++;
      out.push(expr());
    }
    expect(')');
    return out;
  }

  /** A function applied to the collection produced by `src`. */
  function call(name: string, src: Fn): Fn {
    if (name === 'is' || name === 'ofType') {
      // is(Type) / ofType(Type) on resources only: decided by resourceType (R4 resource names).
      expect('(');
      const t = peek();
      if (!t || t.k !== 'id' || !/^[A-Z]/.test(t.v)) throw new Unsupported('is');
      p++;
      expect(')');
      const type = t.v;
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
    const a = args();
    const arity = (n: number): void => {
      if (a.length !== n) throw new Unsupported(`${name} arity`);
    };
    const perItem = (crit: Fn, f: Coll, env: FastEnv): boolean[] => f.map((x) => bool(crit([x], env, [x])) === true);
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


  /**
   * `name.ofType(T)` on a choice element reads the JSON property `nameT` (R4 json.html#choice);
   * on a non-choice element of a data type the answer needs type information: fhirpath.js.
   */
  function choiceOfType(name: string, src: Fn): Fn | undefined {
    const save = p;
    expect('(');
    const t = peek();
    const close = tokens[p + 1];
    if (!t || t.k !== 'id' || close?.k !== 'op' || close.v !== ')') {
      p = save;
      return undefined;
    }
    p += 2;
    const key = name + t.v.charAt(0).toUpperCase() + t.v.slice(1);
    const type = t.v;
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

  function invocation(): Fn {
    let cur = term();
    while (isOp('.')) {
      p++;
      const t = peek();
      if (!t || t.k !== 'id') throw new Unsupported('.');
      p++;
      if (isOp('(')) {
        cur = (t.v === 'ofType' && member?.fn === cur ? choiceOfType(member.name, member.src) : undefined) ?? call(t.v, cur);
      } else {
        const name = t.v;
        const src = cur;
        cur = (f, env, self) => {
          const out: Coll = [];
          for (const x of src(f, env, self)) child(x, name, out);
          return out;
        };
        member = { name, src, fn: cur };
      }
    }
    return cur;
  }

  void isWord;
  const root = expr();
  if (p !== tokens.length) throw new Unsupported('trailing tokens');
  return root;
}

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
