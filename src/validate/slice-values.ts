/**
 * Values at slicing discriminator paths in an instance (R4 profiling.html#discriminator): dotted
 * element names (a choice `value` finds `valueQuantity`), `$this`, `extension('url')`,
 * `resolve()` and `ofType(T)`.
 *
 * Invariants: a path string is parsed once (memoised; the strings come from loaded profiles, so
 * the memo is bounded by them); the per-item memo (ItemValues) lives for one applySlicing call and
 * one item at a time, so a value is never reused for another item or another resolution context.
 */
import type { Ctx } from './context.js';
import type { SliceEnv } from './slicing.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits a discriminator path at the dots outside parentheses. */
export function splitPath(p: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of p) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** One step of a discriminator path, parsed once per path string (compiledPath). */
type Seg = { k: 'resolve' } | { k: 'ext'; url: string } | { k: 'of' } | { k: 'name'; name: string };

const compiledPaths = new Map<string, Seg[]>();

/** The steps of a discriminator path (`$this` dropped); memoised, the path strings come from profiles. */
function compiledPath(path: string): Seg[] {
  let segs = compiledPaths.get(path);
  if (!segs) {
    segs = [];
    for (const seg of splitPath(path)) {
      if (seg === '$this') continue;
      const ext = /^extension\('([^']+)'\)$/.exec(seg);
      if (seg === 'resolve()') segs.push({ k: 'resolve' });
      else if (ext) segs.push({ k: 'ext', url: ext[1]! });
      else if (/^ofType\((\w+)\)$/.test(seg)) segs.push({ k: 'of' });
      else segs.push({ k: 'name', name: seg });
    }
    compiledPaths.set(path, segs);
  }
  return segs;
}

/** The first member `name` + an upper-case letter (a choice type: `value` → `valueQuantity`). */
function choiceMember(v: Json, name: string): unknown {
  const n = name.length;
  for (const k in v) {
    if (k.length > n && k.startsWith(name)) {
      const c = k.charCodeAt(n);
      if (c >= 65 && c <= 90) return v[k];
    }
  }
  return undefined;
}

/** Values at a discriminator path in an instance item. */
export function valuesAt(item: unknown, path: string, env: SliceEnv, ctx: Ctx): unknown[] {
  let cur: unknown[] = [item];
  for (const seg of compiledPath(path)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (!isObj(v)) continue;
      if (seg.k === 'resolve') {
        const r = env.resolve(v, ctx);
        if (r) next.push(r);
      } else if (seg.k === 'ext') {
        const list = Array.isArray(v.extension) ? v.extension : [];
        for (const e of list) if (isObj(e) && e.url === seg.url) next.push(e);
      } else if (seg.k === 'of') {
        // the item itself when it is of that type (choice items are passed already typed)
        next.push(v);
      } else {
        let x = v[seg.name];
        if (x === undefined) x = choiceMember(v, seg.name);
        if (Array.isArray(x)) next.push(...x);
        else if (x !== undefined) next.push(x);
      }
    }
    cur = next;
  }
  return cur;
}

/**
 * The values of one item at the discriminator paths, kept while the item is tried against each
 * slice (one applySlicing call, one item): every slice of a parent shares its discriminator
 * paths, so a `resolve()` or a path walk is done once per item, not once per slice.
 */
export interface ItemValues {
  item: unknown;
  paths: string[];
  values: unknown[][];
}

export function at(memo: ItemValues, item: unknown, path: string, env: SliceEnv, ctx: Ctx): unknown[] {
  if (memo.item !== item) {
    memo.item = item;
    memo.paths.length = 0;
    memo.values.length = 0;
  }
  const i = memo.paths.indexOf(path);
  if (i >= 0) return memo.values[i]!;
  const vals = valuesAt(item, path, env, ctx);
  memo.paths.push(path);
  memo.values.push(vals);
  return vals;
}
