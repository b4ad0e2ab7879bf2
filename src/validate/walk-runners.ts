/**
 * The invariants (ElementDefinition.constraint, run through invariants.ts) that apply to an
 * object at one position of the walk: each lane's node constraints plus, below the root, those of
 * the element's type (R4 conformance-rules.html#constraints).
 *
 * Invariants: each constraint definition runs once per object however many lanes declare it (a
 * profile's unconstrained copy shares the base's definition objects); runner lists are compiled
 * once per node and type, and once per lane pair and type for the common base + one profile case,
 * in WeakMaps, so the walk compiles no FHIRPath.
 */
import type { Ctx } from './context.js';
import { makeRunners, type Runner } from './invariants.js';
import type { ElementNode } from './model.js';

const runnerCache = new WeakMap<ElementNode, Map<string, Runner[]>>();

function runnersFor(node: ElementNode, type: string, isRoot: boolean, ctx: Ctx): Runner[] {
  let byType = runnerCache.get(node);
  if (!byType) runnerCache.set(node, (byType = new Map()));
  let r = byType.get(type);
  if (!r) {
    const defs = new Map(node.constraints.map((c) => [c.key, c]));
    if (!isRoot) for (const c of ctx.reg.typeTree(type)?.constraints ?? []) if (!defs.has(c.key)) defs.set(c.key, c);
    r = makeRunners([...defs.values()], isRoot ? type : node.path.replace(/\[x\]/g, ''));
    byType.set(type, r);
  }
  return r;
}

/** Invariants of every lane at this position, each constraint definition once. */
const pairRunners = new WeakMap<ElementNode, WeakMap<ElementNode, Map<string, readonly Runner[]>>>();

export function laneRunners(nodes: readonly ElementNode[], type: string, isRoot: boolean, ctx: Ctx): readonly Runner[] {
  if (nodes.length === 1) return runnersFor(nodes[0]!, type, isRoot, ctx);
  if (nodes.length === 2) {
    // The common case (base + one profile): memoised per pair, as runnersFor is per node.
    let byB = pairRunners.get(nodes[0]!);
    if (!byB) pairRunners.set(nodes[0]!, (byB = new WeakMap()));
    let byType = byB.get(nodes[1]!);
    if (!byType) byB.set(nodes[1]!, (byType = new Map()));
    const k = isRoot ? '\u0000' + type : type;
    let r = byType.get(k);
    if (!r) byType.set(k, (r = unionRunners(nodes, type, isRoot, ctx)));
    return r;
  }
  return unionRunners(nodes, type, isRoot, ctx);
}

function unionRunners(nodes: readonly ElementNode[], type: string, isRoot: boolean, ctx: Ctx): readonly Runner[] {
  const out: Runner[] = [];
  const defs = new Set<unknown>();
  for (const n of nodes) {
    for (const r of runnersFor(n, type, isRoot, ctx)) {
      if (defs.has(r.def)) continue;
      defs.add(r.def);
      out.push(r);
    }
  }
  return out;
}
