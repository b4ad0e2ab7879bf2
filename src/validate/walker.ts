/**
 * The instance walker: validates JSON against compiled ElementNode trees — unknown elements,
 * JSON shape (arrays vs single values), cardinality, choice types, primitive formats and `_x`
 * siblings (FHIR R4 json.html), fixed/pattern, bindings, references, extensions, slicing and
 * invariants — and reports HL7-validator-style FHIRPath expressions (`Observation.value.ofType(Quantity)`,
 * `Bundle.entry[2].resource.code.coding[0]`).
 *
 * One pass per resource: the instance is walked once against every tree that applies to it (the
 * base definition and each profile) in "lanes". A lane is one tree's node at the current position;
 * lanes that reach the same node object (below an element a profile does not constrain, every tree
 * uses the type's own tree) merge, so the data is walked once and each check runs once per distinct
 * node. Node-specific checks (cardinality, fixed/pattern, bindings, slicing, invariants, type
 * profiles) still run per lane, so the issue set is the one walking each tree separately gives.
 *
 * This file is the walk loop over one object's members; the rest of the walk lives beside it:
 *   walk-member.ts      one member: JSON shape, `_name` siblings, slicing, items, counts
 *   walk-item.ts        one item dispatched by type (primitive, resource, extension, complex)
 *   walk-primitive.ts   primitive formats and per-lane primitive constraints
 *   walk-values.ts      fixed/pattern/binding and data-type rules of a complex value
 *   walk-extension.ts   extension definitions by url
 *   walk-children.ts    children lists and JSON name lookup (choice types)
 *   walk-cardinality.ts min/max counting
 *   walk-runners.ts     invariants per lane
 *   walk-lanes.ts       lane lists
 *   walk-plan.ts        per lane list and type: children, name maps, counting, invariants
 *   walk-probe.ts       conformance probes for slicing and target profiles
 *
 * Invariants: iteration over the instance is bounded by the element budget and MAX_DEPTH (see
 * context.ts); nothing here mutates the instance or the trees (beyond memoised lookup data);
 * per-node lookup tables are memoised in WeakMaps so the walk does no profile interpretation.
 */
import type { Ctx } from './context.js';
import { issue, LimitExceeded, MAX_DEPTH } from './context.js';
import { runInvariants } from './invariants.js';
import type { ElementNode } from './model.js';
import { checkCardinality, takeCounts, type Counts } from './walk-cardinality.js';
import { disallowedChoice, type Hit } from './walk-children.js';
import { distinct, solo } from './walk-lanes.js';
import { walkMember } from './walk-member.js';
import { planFor } from './walk-plan.js';

export { setNestedValidator } from './walk-item.js';

type Json = Record<string, unknown>;

/** Validates a resource against a list of trees (base and profiles) in one pass, one lane each. */
export function validateAgainst(res: Json, trees: ElementNode[], path: string, ctx: Ctx): void {
  const type = String(res.resourceType);
  const saved = ctx.depth;
  walkComplex(res, trees.length === 1 ? solo(trees[0]!) : distinct(trees), type, path, ctx, true);
  ctx.depth = saved;
}

/**
 * Walks the members of one JSON object against the children of each lane's node (as `type`).
 * Lanes whose children are the same list are walked as one.
 */
export function walkComplex(obj: Json, nodes: readonly ElementNode[], type: string, path: string, ctx: Ctx, isRoot: boolean, elementPath?: string): void {
  if (++ctx.depth > MAX_DEPTH) throw new LimitExceeded(`nesting deeper than ${MAX_DEPTH}`);
  const node = nodes[0]!;
  const plan = planFor(nodes, type, isRoot, ctx);
  const { children, lists, map, maps } = plan;
  const one = lists === undefined;
  const counts: Counts | undefined = plan.counted.length ? takeCounts((ctx.countPool ??= []), ctx.depth, plan.counted) : undefined;
  let members = 0;
  const laneHits: Hit[] | undefined = one ? undefined : [];
  // A probe only asks whether any error occurs (walk-probe.ts): at its root, the members a profile
  // pins down (the `code` a slice profile fixes) go first, so a non-conforming candidate fails fast.
  const members0 = ctx.probe && isRoot ? probeOrder(obj, children) : obj;
  for (const key in members0) {
    if (isRoot && (key === 'resourceType' || (key === 'contained' && !ctx.validateContained))) continue;
    members++;
    const underscore = key.charCodeAt(0) === 95;
    const name = underscore ? key.slice(1) : key;
    let hit = map.get(name) ?? disallowedChoice(children, name, ctx);
    let hits: Hit[] | undefined;
    if (!one) {
      // Each lane looks the name up in its own children; a lane that does not know it reports it.
      // Reused per member: walkMember is done with it before the next member.
      hits = laneHits!;
      hits.length = 0;
      let missing = false;
      for (let li = 0; li < lists!.length; li++) {
        const l = lists![li]!;
        const h = l === children ? hit : maps![li]!.get(name) ?? disallowedChoice(l, name, ctx);
        if (h) hits.push(h);
        else missing = true;
      }
      if (missing) issue(ctx, 'error', 'structure', `Unrecognized property '${key}'`, path, 'unknown-element');
      hit = hits[0];
      if (!hit) continue;
    } else if (!hit) {
      issue(ctx, 'error', 'structure', `Unrecognized property '${key}'`, path, 'unknown-element');
      continue;
    }
    if (hits && differentTypes(hits, hit) && !sameResourceMember(hits, ctx)) {
      // Lanes that see the member as different types are walked as separate groups, each as its
      // own lanes would have been.
      const groups = new Map<string, Hit[]>();
      for (const h of hits) {
        const k = `${h.type}\u0000${h.seg ?? ''}`;
        const g = groups.get(k);
        if (g) g.push(h);
        else groups.set(k, [h]);
      }
      for (const g of groups.values()) walkMember(obj, key, name, underscore, g[0]!, g.length > 1 ? g : undefined, node, type, path, ctx, isRoot, elementPath, counts);
    } else walkMember(obj, key, name, underscore, hit, hits, node, type, path, ctx, isRoot, elementPath, counts);
  }
  if (!isRoot && (members === 0 || (members === 1 && 'id' in obj))) {
    issue(ctx, 'error', 'invariant', "Constraint failed: ele-1: 'All FHIR elements must have a @value or children'", path, 'ele-1');
  }
  if (counts) checkCardinality(counts, plan.cardLists, path, ctx);
  if (plan.runners.length) runInvariants(plan.runners, obj, path, ctx);
  ctx.depth--;
}

const decisive = new WeakMap<ElementNode[], Set<string>>();

/** JSON names of the children whose value alone can fail a probe: fixed/pattern, required binding, slicing. */
function decisiveNames(children: ElementNode[]): Set<string> {
  let d = decisive.get(children);
  if (!d) {
    d = new Set();
    for (const c of children) {
      if (c.choice) continue;
      if (c.fixed !== undefined || c.pattern !== undefined || c.binding?.strength === 'required' || c.slicing) d.add(c.name);
    }
    decisive.set(children, d);
  }
  return d;
}

/**
 * The same members, decisive ones first (insertion order is the iteration order of string keys).
 * Values are the instance's own; only the order of the walk changes, never what is walked.
 */
function probeOrder(obj: Json, children: ElementNode[]): Json {
  const d = decisiveNames(children);
  if (d.size === 0) return obj;
  const out: Json = {};
  for (const k in obj) if (d.has(k)) out[k] = obj[k];
  for (const k in obj) if (!d.has(k)) out[k] = obj[k];
  return out;
}

/** Whether some lane sees the member as another type or segment than the first (a loop: no closure per member). */
function differentTypes(hits: Hit[], hit: Hit): boolean {
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i]!;
    if (h.type !== hit.type || h.seg !== hit.seg) return true;
  }
  return false;
}

/**
 * A resource member typed differently per lane (Bundle.entry.resource: `Resource` in the base,
 * `Composition` with a profile in a slice) is one nested validation against the union of the
 * lanes' profiles — what validating it once per lane gave, without validating it twice.
 */
function sameResourceMember(hits: Hit[], ctx: Ctx): boolean {
  const seg = hits[0]!.seg;
  return hits.every((h) => h.seg === seg && !h.disallowed && (h.type === 'Resource' || ctx.reg.isResourceType(h.type)));
}
