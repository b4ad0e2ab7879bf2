/**
 * Slicing (FHIR R4 profiling.html#slicing): assigns each item of a sliced element to the slice
 * whose discriminators it satisfies, then checks slice cardinalities and closed slicing.
 *
 * Discriminator types: value, pattern (fixed/pattern value — or a required, expandable binding — at
 * the discriminator path), type, profile (item conforms to the profile with no errors), exists.
 * Paths: dotted element names, `$this`, `extension('url')`, `resolve()`, `ofType(T)`.
 * Invariant: matchers are built once per slice node (memoised) and are pure.
 */
import type { Ctx } from './context.js';
import { issue } from './context.js';
import type { Discriminator, ElementNode } from './model.js';
import { upperFirst } from './model.js';
import { matchesPattern } from './pattern.js';
import { at, splitPath, valuesAt, type ItemValues } from './slice-values.js';

type Json = Record<string, unknown>;

export interface SliceEnv {
  /** Resolves a Reference (string) to a resource inside the current Bundle / contained. */
  resolve(ref: unknown, ctx: Ctx): Json | undefined;
  /** True when `value` (of `type`) has no errors against `profile`. */
  conforms(value: unknown, profile: string, type: string, ctx: Ctx): boolean;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function childrenOf(n: ElementNode, ctx: Ctx): ElementNode[] {
  if (n.children.length) return n.children;
  const t = n.types.length === 1 ? n.types[0]!.code : undefined;
  return t ? ctx.reg.typeTree(t)?.children ?? [] : [];
}

/** The element definition a discriminator path designates inside a slice. */
function targetNode(slice: ElementNode, path: string, ctx: Ctx): ElementNode | undefined {
  let cur: ElementNode | undefined = slice;
  for (const seg of splitPath(path)) {
    if (!cur) return undefined;
    if (seg === '$this') continue;
    if (seg === 'resolve()') continue;
    const ext = /^extension\('([^']+)'\)$/.exec(seg);
    if (ext) {
      const exts: ElementNode | undefined = childrenOf(cur, ctx).find((c) => c.name === 'extension');
      cur = exts?.slices.find((s) => s.types[0]?.profiles[0] === ext[1]);
      continue;
    }
    const of = /^ofType\((\w+)\)$/.exec(seg);
    if (of) {
      cur = cur.typeSlices?.get(of[1]!) ?? cur;
      continue;
    }
    const kids = childrenOf(cur, ctx);
    cur = kids.find((c) => c.name === seg);
  }
  return cur;
}

/** First fixed/pattern value at `path` below `slice`, following slices of intermediate elements. */
function valueInSlices(slice: ElementNode, path: string, ctx: Ctx): unknown {
  let cur: ElementNode[] = [slice];
  for (const seg of splitPath(path)) {
    if (seg === '$this') continue;
    if (!/^[A-Za-z]+$/.test(seg)) return undefined;
    const next: ElementNode[] = [];
    for (const n of cur) {
      const k = childrenOf(n, ctx).find((c) => c.name === seg);
      if (k) next.push(k, ...k.slices.filter((x) => x.min >= 1));
    }
    cur = next;
  }
  for (const n of cur) if ((n.fixed ?? n.pattern) !== undefined) return n.fixed ?? n.pattern;
  return undefined;
}

type Matcher = (item: unknown, itemType: string | undefined, ctx: Ctx, memo: ItemValues) => boolean;

function discriminatorMatcher(slice: ElementNode, d: Discriminator, env: SliceEnv, ctx: Ctx): Matcher {
  const target = targetNode(slice, d.path, ctx);
  if (d.type === 'exists') {
    const mustExist = (target?.min ?? 0) >= 1;
    const mustNot = target?.max === 0;
    return (item, _t, c, memo) => {
      const n = at(memo, item, d.path, env, c).length;
      return mustExist ? n > 0 : mustNot ? n === 0 : true;
    };
  }
  if (d.type === 'type') {
    const allowed = new Set((target ?? slice).types.map((t) => t.code));
    return (item, itemType, c, memo) => {
      if (d.path === '$this') return itemType !== undefined && allowed.has(itemType);
      const vals = at(memo, item, d.path, env, c);
      return vals.some((v) => isObj(v) && typeof v.resourceType === 'string' && allowed.has(v.resourceType));
    };
  }
  if (d.type === 'profile') {
    // Through resolve() the profile is the Reference's targetProfile, else the type's profile.
    const viaRef = d.path.endsWith('resolve()');
    const profiles = (target ?? slice).types.flatMap((t) => (viaRef ? t.targetProfiles : t.profiles).map((p) => ({ p, code: t.code })));
    return (item, itemType, c, memo) => {
      const vals = d.path === '$this' ? [item] : at(memo, item, d.path, env, c);
      return vals.some((v) =>
        profiles.some(({ p, code }) => env.conforms(v, p, isObj(v) && typeof v.resourceType === 'string' ? v.resourceType : (itemType ?? code), c)),
      );
    };
  }
  // value / pattern — when the path crosses a sliced element (bp: code.coding.code), the value may
  // sit in one of its slices (coding:SBPCode.code): HL7's validator looks there too.
  let expected: unknown = target?.fixed ?? target?.pattern;
  if (expected === undefined) expected = valueInSlices(slice, d.path, ctx);
  if (expected === undefined && target && d.path.endsWith('url') && target.name === 'url') {
    // extension slices: the url is fixed by the extension definition named in the slice's type
    expected = slice.types[0]?.profiles[0];
  }
  if (expected === undefined && d.path.endsWith('url')) expected = slice.types[0]?.profiles[0];
  if (expected === undefined && target?.binding?.strength === 'required' && target.binding.valueSet) {
    const exp = ctx.reg.expansion(target.binding.valueSet);
    if (exp.ok) {
      const codes = exp.expansion.codes;
      return (item, _t, c, memo) =>
        at(memo, item, d.path, env, c).some((v) => {
          if (typeof v === 'string') return exp.expansion.bareCodes.has(v);
          if (!isObj(v)) return false;
          const cods = Array.isArray(v.coding) ? (v.coding as Json[]) : [v];
          return cods.some((x) => codes.has(`${String(x.system)}|${String(x.code)}`));
        });
    }
  }
  if (expected === undefined && target) {
    // No value at the path itself: HL7's validator then uses the fixed/pattern values of its
    // children, including required slices of them (e.g. bp: component.code.coding:SBPCode).
    const parts: { name: string; value: unknown }[] = [];
    for (const c of childrenOf(target, ctx)) {
      const v = c.fixed ?? c.pattern;
      if (v !== undefined) parts.push({ name: c.name, value: v });
      for (const s of c.slices) {
        const sv = s.fixed ?? s.pattern;
        if (s.min >= 1 && sv !== undefined) parts.push({ name: c.name, value: sv });
      }
    }
    if (parts.length) {
      return (item, _t, c, memo) =>
        at(memo, item, d.path, env, c).some((v) => isObj(v) && parts.every((p) => valuesAt(v, p.name, env, c).some((x) => matchesPattern(p.value, x))));
    }
  }
  // A slice that does not constrain this discriminator accepts any value for it (as HL7's validator).
  if (expected === undefined) return () => true;
  return (item, _t, c, memo) => at(memo, item, d.path, env, c).some((v) => matchesPattern(expected, v));
}

const matcherCache = new WeakMap<ElementNode, Matcher>();

function sliceMatcher(parent: ElementNode, slice: ElementNode, env: SliceEnv, ctx: Ctx): Matcher {
  let m = matcherCache.get(slice);
  if (!m) {
    const ds = parent.slicing?.discriminators ?? [];
    const parts = ds.map((d) => discriminatorMatcher(slice, d, env, ctx));
    if (!ds.length) m = () => false;
    else m = (item, t, c, memo) => parts.every((p) => p(item, t, c, memo));
    matcherCache.set(slice, m);
  }
  return m;
}

/**
 * Assigns items to slices and reports slice cardinality / closed-slicing problems.
 * Returns, per item, the node to validate it against (its slice, or the sliced element).
 */
export function applySlicing(
  parent: ElementNode,
  items: readonly unknown[],
  itemTypes: readonly (string | undefined)[],
  itemPaths: readonly string[],
  containerPath: string,
  env: SliceEnv,
  ctx: Ctx,
): ElementNode[] {
  const counts = new Map<ElementNode, number>();
  const out: ElementNode[] = [];
  const isExtension = parent.name === 'extension' || parent.name === 'modifierExtension';
  const memo: ItemValues = { item: undefined, paths: [], values: [] };
  items.forEach((item, i) => {
    let hit: ElementNode | undefined;
    for (const s of parent.slices) {
      if (sliceMatcher(parent, s, env, ctx)(item, itemTypes[i], ctx, memo)) {
        hit = s;
        break;
      }
    }
    if (hit) counts.set(hit, (counts.get(hit) ?? 0) + 1);
    else if (parent.slicing?.rules === 'closed') {
      issue(ctx, 'error', 'structure', `This element does not match any known slice defined in the profile ${parent.owner} and slicing is CLOSED`, itemPaths[i]!, 'slicing-closed');
    } else if (!isExtension && parent.slices.length) {
      issue(ctx, 'information', 'informational', `This element does not match any known slice defined in the profile ${parent.owner}`, itemPaths[i]!, 'slicing-unmatched');
    }
    out.push(hit ?? parent);
  });
  for (const s of parent.slices) {
    const n = counts.get(s) ?? 0;
    const label = `${parent.path}:${s.sliceName ?? ''}`;
    if (n < s.min) {
      issue(ctx, 'error', 'structure', `Slice '${label}': a matching slice is required, but not found (from ${parent.owner})`, containerPath, 'slice-min');
    }
    if (n > s.max) {
      issue(ctx, 'error', 'structure', `${label}: max allowed = ${s.max}, but found ${n} (from ${parent.owner})`, containerPath, 'slice-max');
    }
  }
  return out;
}

export { upperFirst };
