/**
 * The parser/compiler of the FHIRPath fast path (fastpath.ts): a recursive-descent parser over
 * the tokens of fastpath-tokens.ts that builds closures directly (no syntax tree), with FHIRPath's
 * precedence (N1 §6 "Operator precedence": `implies` < `or xor` < `and` < `in` < `= !=` <
 * `< <= > >=` < `|` < `+` < invocation), literals, `$this`, `%resource`, `%rootResource`, `%ucum`
 * and parentheses.
 *
 * Invariants: anything it does not compile exactly — type names as terms, decimal literals, other
 * variables, functions outside fastpath-functions.ts, trailing tokens — throws Unsupported, so the
 * caller uses fhirpath.js; `x.ofType(T)` right after a member access is compiled as a choice-type
 * read (choiceOfType), any other `ofType` as a resource type test.
 */
import { add, type Binary, compare, logic, union } from './fastpath-operators.js';
import { callFunction, choiceOfType, memberAccess, typeTest } from './fastpath-functions.js';
import { F, type Fn, T, UCUM, Unsupported } from './fastpath-runtime.js';
import type { Tok } from './fastpath-tokens.js';

const identity: Fn = (f) => f;

export function parse(tokens: Tok[]): Fn {
  let p = 0;
  /** The last member access compiled (`value` in `value.ofType(Quantity)`). */
  let member: { name: string; src: Fn; fn: Fn } | undefined;
  const peek = (): Tok | undefined => tokens[p];
  const isOp = (v: string): boolean => peek()?.k === 'op' && peek()!.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Unsupported(v);
    p++;
  };

  const binary = (next: () => Fn, ops: string[], make: Binary): (() => Fn) => () => {
    let left = next();
    for (;;) {
      const t = peek();
      if (!t || !ops.includes(t.v) || (t.k !== 'op' && t.k !== 'id')) return left;
      p++;
      left = make(t.v, left, next());
    }
  };

  const expr = (): Fn => impliesExpr();
  const additive = binary(() => invocation(), ['+'], add);
  const unionExpr = binary(additive, ['|'], union);
  const ordering = binary(unionExpr, ['<', '<=', '>', '>='], compare);
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
      if (isOp('(')) return call(t.v, identity);
      const fn = memberAccess(t.v, undefined);
      member = { name: t.v, src: identity, fn };
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
      expect('(');
      const t = peek();
      if (!t || t.k !== 'id' || !/^[A-Z]/.test(t.v)) throw new Unsupported('is');
      p++;
      expect(')');
      return typeTest(name, t.v, src);
    }
    return callFunction(name, src, args());
  }

  /** `name.ofType(T)`: a choice-type read when the argument is one identifier, else undefined (nothing consumed). */
  function choiceOfTypeCall(name: string, src: Fn): Fn | undefined {
    const save = p;
    expect('(');
    const t = peek();
    const close = tokens[p + 1];
    if (!t || t.k !== 'id' || close?.k !== 'op' || close.v !== ')') {
      p = save;
      return undefined;
    }
    p += 2;
    return choiceOfType(name, t.v, src);
  }

  function invocation(): Fn {
    let cur = term();
    while (isOp('.')) {
      p++;
      const t = peek();
      if (!t || t.k !== 'id') throw new Unsupported('.');
      p++;
      if (isOp('(')) {
        cur = (t.v === 'ofType' && member?.fn === cur ? choiceOfTypeCall(member.name, member.src) : undefined) ?? call(t.v, cur);
      } else {
        const src = cur;
        cur = memberAccess(t.v, src);
        member = { name: t.v, src, fn: cur };
      }
    }
    return cur;
  }

  const root = expr();
  if (p !== tokens.length) throw new Unsupported('trailing tokens');
  return root;
}
