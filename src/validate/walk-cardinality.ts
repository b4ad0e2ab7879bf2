/**
 * Cardinality of an object's members (R4 elementdefinition.html: min/max): which children need
 * counting, the per-node counts the walk keeps, and the min/max issues once an object is walked.
 *
 * Invariants: only children whose count can be wrong in shape-valid JSON are counted (memoised per
 * children list), so an object without such children costs nothing; counts live in a per-depth
 * pool (one object at each nesting depth is being counted at a time, probes included, since a
 * probe walks below the depth it starts at) and are zeroed when taken; a node is counted once per
 * member even when several lanes see it (lanes that merged share the node object); an absent
 * primitive value with a `_name` sibling counts (R4 json.html#primitive).
 */
import type { Ctx } from './context.js';
import { issue } from './context.js';
import type { ElementNode } from './model.js';
import type { Hit } from './walk-children.js';

/** Members seen per node, for `nodes` (the union of the lists' `cardinalityChildren`); others are not kept. */
export interface Counts {
  nodes: readonly ElementNode[];
  n: number[];
}

/** Zeroed counts for `nodes` at nesting `depth`, from the request's pool (no allocation once warm). */
export function takeCounts(pool: Counts[], depth: number, nodes: readonly ElementNode[]): Counts {
  let c = pool[depth];
  if (!c) pool[depth] = c = { nodes, n: [] };
  c.nodes = nodes;
  const n = c.n;
  n.length = nodes.length;
  n.fill(0);
  return c;
}

const cardMaps = new WeakMap<ElementNode[], ElementNode[]>();

/**
 * Children whose count can be wrong in shape-valid JSON: min > 0, max below the base max, a
 * bounded repeat, or a bounded choice — `valueQuantity` and `valueString` are two JSON names of
 * one `value[x]` 0..1 (R4 formats.html#choice: "only one of the types may be present"), so only
 * counting catches both being sent.
 */
export function cardinalityChildren(children: ElementNode[]): ElementNode[] {
  let l = cardMaps.get(children);
  if (!l) {
    l = children.filter((c) => c.min > 0 || c.max < c.baseMax || (c.max < Infinity && (c.max > 1 || c.choice)));
    cardMaps.set(children, l);
  }
  return l;
}

/** Adds `by` to the count of `n`. */
export function count(counts: Counts, n: ElementNode, by: number): void {
  const i = counts.nodes.indexOf(n);
  if (i >= 0) counts.n[i]! += by;
}

/** Adds `by` to the count of each distinct node of the hits. */
export function countHits(counts: Counts, hits: Hit[], by: number): void {
  for (let j = 0; j < hits.length; j++) {
    const n = hits[j]!.node;
    let dup = false;
    for (let k = 0; k < j; k++) if (hits[k]!.node === n) dup = true;
    if (!dup) count(counts, n, by);
  }
}

/** The min/max issues of every counted child of each children list, reported at the object (`path`). */
export function checkCardinality(counts: Counts, lists: readonly ElementNode[][], path: string, ctx: Ctx): void {
  for (const l of lists) {
    for (const c of cardinalityChildren(l)) {
      const i = counts.nodes.indexOf(c);
      const n = i >= 0 ? counts.n[i]! : 0;
      if (n < c.min) {
        issue(ctx, 'error', 'structure', `${c.path}: minimum required = ${c.min}, but only found ${n} (from ${c.owner})`, path, 'min-cardinality');
      } else if (n > c.max) {
        issue(ctx, 'error', 'structure', `${c.path}: max allowed = ${c.max}, but found ${n} (from ${c.owner})`, path, 'max-cardinality');
      }
    }
  }
}
