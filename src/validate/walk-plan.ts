/**
 * The walk plan of one position: what walkComplex (walker.ts) needs to know about a lane list used
 * as a type before it looks at the instance — the children lists the lanes see, their JSON-name
 * maps, whether any child needs counting, and the invariants to run.
 *
 * Invariants: a plan is derived from the compiled trees and the registry only (never from the
 * instance), so it is built once per registry, lane list, type and root-ness and reused by every
 * request; the one- and two-lane plans are found by their nodes (two or three lookups instead of
 * re-deriving each part — several WeakMap lookups and an array — per object). Plans hold the same
 * objects the parts' own memos return.
 */
import type { Ctx } from './context.js';
import type { Runner } from './invariants.js';
import type { ElementNode } from './model.js';
import type { ProfileRegistry } from './registry.js';
import { cardinalityChildren } from './walk-cardinality.js';
import { childrenFor, nameMap, type Hit } from './walk-children.js';
import { distinct } from './walk-lanes.js';
import { laneRunners } from './walk-runners.js';

export interface Plan {
  /** The first lane's children. */
  children: ElementNode[];
  /** Every distinct children list, when the lanes see more than one (else undefined). */
  lists: readonly ElementNode[][] | undefined;
  /** JSON name → Hit for `children`. */
  map: Map<string, Hit>;
  /** nameMap of each of `lists` (aligned), when there are several. */
  maps: Map<string, Hit>[] | undefined;
  /** The children counted (walk-cardinality.ts), over every list, each once; empty when none. */
  counted: readonly ElementNode[];
  /** The lists whose cardinality is checked: `lists`, or `[children]`. */
  cardLists: readonly ElementNode[][];
  runners: readonly Runner[];
}

/** Plans of one and two lanes, by lane node identity (lane arrays are not always the memoised ones). */
export interface Plans {
  one: WeakMap<ElementNode, Map<string, Plan>>;
  two: WeakMap<ElementNode, WeakMap<ElementNode, Map<string, Plan>>>;
}

const byRegistry = new WeakMap<ProfileRegistry, Plans>();

/** The plan store of a registry (a validator keeps its own in each request's Ctx). */
export function plansOf(reg: ProfileRegistry): Plans {
  let p = byRegistry.get(reg);
  if (!p) byRegistry.set(reg, (p = { one: new WeakMap(), two: new WeakMap() }));
  return p;
}

/**
 * The plan of `nodes` as `type`. One- and two-lane lists (the base alone, base + one profile) are
 * memoised by their nodes; three or more lanes are rare and built each time, as before plans.
 */
export function planFor(nodes: readonly ElementNode[], type: string, isRoot: boolean, ctx: Ctx): Plan {
  if (nodes.length > 2) return buildPlan(nodes, type, isRoot, ctx);
  const plans = ctx.plans ?? plansOf(ctx.reg);
  let byType: Map<string, Plan> | undefined;
  if (nodes.length === 1) {
    byType = plans.one.get(nodes[0]!);
    if (!byType) plans.one.set(nodes[0]!, (byType = new Map()));
  } else {
    let byB = plans.two.get(nodes[0]!);
    if (!byB) plans.two.set(nodes[0]!, (byB = new WeakMap()));
    byType = byB.get(nodes[1]!);
    if (!byType) byB.set(nodes[1]!, (byType = new Map()));
  }
  const key = isRoot ? '\u0000' + type : type;
  let plan = byType.get(key);
  if (!plan) byType.set(key, (plan = buildPlan(nodes, type, isRoot, ctx)));
  return plan;
}

function buildPlan(nodes: readonly ElementNode[], type: string, isRoot: boolean, ctx: Ctx): Plan {
  const children = childrenFor(nodes[0]!, type, ctx);
  let lists: readonly ElementNode[][] | undefined;
  if (nodes.length === 2) {
    const c1 = childrenFor(nodes[1]!, type, ctx);
    if (c1 !== children) lists = [children, c1];
  } else if (nodes.length > 2) {
    const d = distinct(nodes.map((n) => childrenFor(n, type, ctx)));
    if (d.length > 1) lists = d;
  }
  const cardLists = lists ?? [children];
  const counted: ElementNode[] = [];
  for (const l of cardLists) for (const c of cardinalityChildren(l)) if (!counted.includes(c)) counted.push(c);
  return {
    children,
    lists,
    map: nameMap(children),
    maps: lists?.map((l) => nameMap(l)),
    counted,
    cardLists,
    runners: laneRunners(nodes, type, isRoot, ctx),
  };
}
