/**
 * One member of a JSON object (`key`), against the lanes that see it as the same type: JSON shape
 * (an array exactly where the base max is above 1, no empty arrays, nulls only as placeholders
 * matched by a `_name` extension — R4 json.html), the `_name` siblings of primitives, extension
 * use, slicing per lane (slicing.ts), then each item (walk-item.ts) and its count (cardinality).
 *
 * Invariants: an array is sliced once per lane that slices it, and each item is walked once
 * against the lanes' slice (or element) nodes together; every present item counts once per
 * distinct node, so cardinality is what walking each tree alone gives; FHIRPath expressions are
 * built here: `path.seg` for the member, `[i]` for an array item, `name.ofType(Type)` for a choice.
 */
import type { Ctx } from './context.js';
import { issue } from './context.js';
import { isObject } from '../fhir/types.js';
import { checkExtensionUse } from './extensions.js';
import type { ElementNode } from './model.js';
import { applySlicing } from './slicing.js';
import { count, countHits, type Counts } from './walk-cardinality.js';
import type { Hit } from './walk-children.js';
import { walkItem } from './walk-item.js';
import { distinct, lanes2, lanesOf, solo } from './walk-lanes.js';
import { sliceEnv } from './walk-probe.js';
import { walkComplex } from './walker.js';

type Json = Record<string, unknown>;

/**
 * Walks `obj[key]`. `hit` is the first lane's lookup, `hits` every lane's (undefined when the lanes
 * share one children list); `node` and `type` are the object's first lane node and type.
 */
export function walkMember(
  obj: Json,
  key: string,
  name: string,
  underscore: boolean,
  hit: Hit,
  hits: Hit[] | undefined,
  node: ElementNode,
  type: string,
  path: string,
  ctx: Ctx,
  isRoot: boolean,
  elementPath: string | undefined,
  counts: Counts | undefined,
): void {
  const value = obj[key];
  const node0 = hit.node;
  const isArr = Array.isArray(value);
  const seg = hit.seg ?? (node0.choice ? `${node0.name}.ofType(${hit.type})` : name);
  const base = path + '.' + seg;
  if (hits) {
    for (const h of hits) if (h.disallowed) disallowedIssue(h, base, ctx);
  } else if (hit.disallowed) disallowedIssue(hit, base, ctx);
  if (underscore) {
    walkUnderscore(obj, key, name, value, hit, hits, base, ctx, counts);
    return;
  }
  if ((name === 'extension' || name === 'modifierExtension') && isArr) {
    checkExtensionUse(value, name, isRoot ? type : (elementPath ?? node.path), type, path, ctx);
  }
  if (isArr && value.length === 0) {
    issue(ctx, 'error', 'invalid', 'Array cannot be empty - the property should not be present if it has no values', base, 'json-empty-array');
    return;
  }
  if (isArr && node0.baseMax <= 1) {
    issue(ctx, 'error', 'structure', `This property must be an Object or a simple value, not an array: ${name}`, base, 'json-shape');
  } else if (!isArr && node0.baseMax > 1) {
    issue(ctx, 'error', 'structure', `This property must be an Array, not a ${typeof value}: ${name}`, base, 'json-shape');
  }
  if (!isArr) {
    if (value === null) {
      issue(ctx, 'error', 'invalid', `The property ${name} must be an Object or a value, not a Null (at ${base})`, base, 'json-null');
      return;
    }
    if (!hits) {
      walkItem(value, node0.slicing && node0.slices.length ? solo(applySlicing(node0, [value], [itemType(value, hit.type)], [base], path, sliceEnv, ctx)[0]!) : solo(node0), hit.type, base, ctx, false);
      if (counts) count(counts, node0, 1);
    } else {
      walkItem(value, laneNodesOf(hits, value, hit.type, base, path, ctx), hit.type, base, ctx, false);
      if (counts) countHits(counts, hits, 1);
    }
    return;
  }
  const items = value as unknown[];
  const under = hit.prim ? obj[hit.ukey ?? '_' + name] : undefined;
  // Per lane: the node of each item (its slice, or the element itself).
  let sliced: (ElementNode[] | undefined)[] | undefined;
  const laneHits = hits ?? [hit];
  let paths: string[] | undefined;
  for (let j = 0; j < laneHits.length; j++) {
    const n = laneHits[j]!.node;
    if (!(n.slicing && n.slices.length)) continue;
    paths ??= itemPaths(items.length, base);
    sliced ??= [];
    sliced[j] = applySlicing(n, items, itemTypes(items, hit.type), paths, path, sliceEnv, ctx);
  }
  let present = 0;
  // Unsliced, every item has the same lanes: look them up once, not per item.
  const same = sliced ? undefined : laneHits.length === 1 ? solo(node0) : laneHits.length === 2 ? lanes2(laneHits[0]!.node, laneHits[1]!.node) : undefined;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it === null) {
      const u = Array.isArray(under) ? under[i] : undefined;
      if (!isObject(u)) issue(ctx, 'error', 'structure', 'A null value in an array needs a matching extension in the _ sibling array', `${base}[${i}]`, 'json-null');
      continue;
    }
    present++;
    let itemNodes: readonly ElementNode[];
    if (same) itemNodes = same;
    else if (laneHits.length === 1) itemNodes = solo(sliced?.[0] ? sliced[0][i]! : node0);
    else if (laneHits.length === 2) itemNodes = lanes2(sliced?.[0] ? sliced[0][i]! : laneHits[0]!.node, sliced?.[1] ? sliced[1]![i]! : laneHits[1]!.node);
    else itemNodes = manyLanes(laneHits, sliced, i);
    walkItem(it, itemNodes, hit.type, paths ? paths[i]! : `${base}[${i}]`, ctx, false);
  }
  if (counts) {
    if (!hits) count(counts, node0, present);
    else countHits(counts, hits, present);
  }
}

// The helpers below keep closures out of walkMember: a closure there makes V8 allocate a context
// for the variables it captures on every call, taken or not (≈ 250 KB per 100-entry document).

/** Per lane, the node of a single (non-array) value: its slice, or the element. */
function laneNodesOf(hits: Hit[], value: unknown, type: string, base: string, path: string, ctx: Ctx): readonly ElementNode[] {
  const out: ElementNode[] = [];
  for (const h of hits) out.push(h.node.slicing && h.node.slices.length ? applySlicing(h.node, [value], [itemType(value, type)], [base], path, sliceEnv, ctx)[0]! : h.node);
  return lanesOf(out);
}

function itemPaths(n: number, base: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${base}[${i}]`);
  return out;
}

function itemTypes(items: unknown[], declared: string): string[] {
  const out: string[] = [];
  for (const it of items) out.push(itemType(it, declared));
  return out;
}

/** The distinct nodes of item `i` over three or more lanes. */
function manyLanes(laneHits: Hit[], sliced: (ElementNode[] | undefined)[] | undefined, i: number): readonly ElementNode[] {
  const out: ElementNode[] = [];
  for (let j = 0; j < laneHits.length; j++) out.push(sliced?.[j] ? sliced[j]![i]! : laneHits[j]!.node);
  return distinct(out);
}

function disallowedIssue(h: Hit, base: string, ctx: Ctx): void {
  const n = h.node;
  issue(ctx, 'error', 'structure', `The definition (${n.owner}) allows for the types [${n.types.map((t) => t.code).join(', ')}] but found type ${h.type}`, base, 'type-not-allowed');
}

/** The type an item is sliced as: a resource's own type, else the element's. */
function itemType(it: unknown, declared: string): string {
  return isObject(it) && typeof it.resourceType === 'string' ? it.resourceType : declared;
}

/** `_name`: the id/extensions of a primitive (R4 json.html#primitive); counts toward cardinality when the value is absent. */
function walkUnderscore(obj: Json, key: string, name: string, value: unknown, hit: Hit, hits: Hit[] | undefined, base: string, ctx: Ctx, counts: Counts | undefined): void {
  if (!hit.prim) {
    issue(ctx, 'error', 'structure', `Unrecognized property '${key}'`, base.slice(0, base.lastIndexOf('.')), 'unknown-element');
    return;
  }
  const primTree = ctx.reg.typeTree(hit.type);
  const isArr = Array.isArray(value);
  const items = isArr ? (value as unknown[]) : [value];
  const bases = obj[name];
  const counted = hits ? distinct(hits.map((h) => h.node)) : solo(hit.node);
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it === null) continue;
    const p = isArr ? `${base}[${i}]` : base;
    if (!isObject(it)) {
      issue(ctx, 'error', 'structure', `The property ${key} must be an Object`, p, 'json-shape');
      continue;
    }
    if (primTree) walkComplex(it, solo(primTree), hit.type, p, ctx, false, hit.node.path);
    const bv = Array.isArray(bases) ? bases[i] : bases;
    if ((bv === undefined || bv === null) && counts) for (const n of counted) count(counts, n, 1);
  }
}
