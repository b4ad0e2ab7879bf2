/**
 * Lane lists for the one-pass walk (walker.ts): the nodes of every tree (the base definition and
 * each profile) that apply at one position of the instance.
 *
 * Invariants: a lane list holds distinct node objects in first-seen order; the one- and two-lane
 * lists are memoised per node and per pair for the life of the trees, so the common walk allocates
 * no array per item; nothing here reads the instance or changes a node beyond its memoised `lane`.
 */
import type { ElementNode } from './model.js';

/** The lane list of one node (allocated once per node). */
export function solo(n: ElementNode): readonly ElementNode[] {
  return (n.lane ??= [n]);
}

/** Distinct objects by identity, first-seen order. */
export function distinct<T>(xs: readonly T[]): readonly T[] {
  if (xs.length < 2) return xs;
  if (xs.length === 2) return xs[0] === xs[1] ? [xs[0]!] : xs;
  const out: T[] = [];
  for (const x of xs) if (!out.includes(x)) out.push(x);
  return out;
}

const pairs = new WeakMap<ElementNode, WeakMap<ElementNode, readonly ElementNode[]>>();

/** The lanes `[a, b]` (or `[a]` when the same node), one array per pair for the life of the trees: no garbage per item. */
export function lanes2(a: ElementNode, b: ElementNode): readonly ElementNode[] {
  if (a === b) return solo(a);
  let byB = pairs.get(a);
  if (!byB) pairs.set(a, (byB = new WeakMap()));
  let l = byB.get(b);
  if (!l) byB.set(b, (l = [a, b]));
  return l;
}

/** Lanes from per-lane nodes, without garbage for the one- and two-lane cases. */
export function lanesOf(xs: readonly ElementNode[]): readonly ElementNode[] {
  if (xs.length === 1) return solo(xs[0]!);
  if (xs.length === 2) return lanes2(xs[0]!, xs[1]!);
  return distinct(xs);
}
