/**
 * The instance walker: validates JSON against a compiled ElementNode tree — unknown elements,
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
 * Invariants: iteration over the instance is bounded by the element budget and MAX_DEPTH (see
 * context.ts); nothing here mutates the instance or the trees (beyond memoised lookup data);
 * per-node lookup tables are memoised in WeakMaps so the walk does no profile interpretation.
 */
import type { Ctx } from './context.js';
import { isExampleUrl, issue, LimitExceeded, MAX_DEPTH, tick } from './context.js';
import { makeRunners, runInvariants, type Runner } from './invariants.js';
import type { ElementNode } from './model.js';
import { upperFirst } from './model.js';
import { matchesFixed, matchesPattern, show } from './pattern.js';
import { checkPrimitive, PRIMITIVE_TYPES } from './primitives.js';
import { checkQuantityBounds, checkUcumCode, QUANTITY_TYPES } from './quantity.js';
import { checkExtensionUse } from './extensions.js';
import { checkReference, resolveReference } from './references.js';
import { applySlicing, type SliceEnv } from './slicing.js';
import { checkBinding, checkCoding } from './terminology.js';
import { checkNarrativeXhtml, embeddedHtmlAt } from './xhtml.js';

type Json = Record<string, unknown>;

interface Hit {
  node: ElementNode;
  type: string;
  /** FHIRPath segment (`name` or `value.ofType(Quantity)`). */
  seg?: string;
  prim?: boolean;
  /** `_` + the JSON name: the primitive's extension sibling (a fresh concatenation per lookup costs a hash). */
  ukey?: string;
  /** Set when the JSON name uses a type the (profiled) choice does not allow. */
  disallowed?: boolean;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const nameMaps = new WeakMap<ElementNode[], Map<string, Hit>>();
const cardMaps = new WeakMap<ElementNode[], ElementNode[]>();

/**
 * Children whose count can be wrong in shape-valid JSON: min > 0, max below the base max, a
 * bounded repeat, or a bounded choice — `valueQuantity` and `valueString` are two JSON names of
 * one `value[x]` 0..1 (R4 formats.html#choice: "only one of the types may be present"), so only
 * counting catches both being sent.
 */
function cardinalityChildren(children: ElementNode[]): ElementNode[] {
  let l = cardMaps.get(children);
  if (!l) {
    l = children.filter((c) => c.min > 0 || c.max < c.baseMax || (c.max < Infinity && (c.max > 1 || c.choice)));
    cardMaps.set(children, l);
  }
  return l;
}

function nameMap(children: ElementNode[]): Map<string, Hit> {
  let m = nameMaps.get(children);
  if (!m) {
    m = new Map();
    for (const c of children) {
      if (c.choice) {
        for (const t of c.types) {
          const json = c.name + upperFirst(t.code);
          m.set(json, { node: c, type: t.code, seg: `${c.name}.ofType(${t.code})`, prim: PRIMITIVE_TYPES.has(t.code), ukey: '_' + json });
        }
      } else {
        const t = c.types[0]?.code ?? 'BackboneElement';
        m.set(c.name, { node: c, type: t, seg: c.name, prim: PRIMITIVE_TYPES.has(t), ukey: '_' + c.name });
      }
    }
    nameMaps.set(children, m);
  }
  return m;
}

/** A choice element used with a type the profile does not allow (`valueString` where only Quantity). */
function disallowedChoice(children: ElementNode[], key: string, ctx: Ctx): Hit | undefined {
  for (const c of children) {
    if (!c.choice || !key.startsWith(c.name)) continue;
    const suffix = key.slice(c.name.length);
    const t = suffix.charAt(0).toLowerCase() + suffix.slice(1);
    if (PRIMITIVE_TYPES.has(t)) return { node: c, type: t, disallowed: true, prim: true };
    if (ctx.reg.typeTree(suffix)) return { node: c, type: suffix, disallowed: true };
  }
  return undefined;
}

const mergedChildren = new WeakMap<ElementNode, Map<string, ElementNode[]>>();

export function childrenFor(node: ElementNode, type: string, ctx: Ctx): ElementNode[] {
  if (node.children.length) {
    if (!(node.choice && node.types.length > 1)) return node.children;
    // A multi-type choice constrains only the common (Element) children: merge them into the type's.
    let byType = mergedChildren.get(node);
    if (!byType) mergedChildren.set(node, (byType = new Map()));
    let merged = byType.get(type);
    if (!merged) {
      const own = new Map(node.children.map((c) => [c.name, c]));
      merged = (ctx.reg.typeTree(type)?.children ?? []).map((c) => own.get(c.name) ?? c);
      byType.set(type, merged);
    }
    return merged;
  }
  if (node.contentReference) {
    const id = node.contentReference.slice(node.contentReference.indexOf('#') + 1);
    const rootType = id.split('.')[0]!;
    let cur: ElementNode | undefined = ctx.reg.typeTree(rootType);
    for (const seg of id.split('.').slice(1)) cur = cur?.children.find((c) => c.name === seg);
    return cur?.children ?? [];
  }
  return ctx.reg.typeTree(type)?.children ?? [];
}

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

/** The lane list of one node (allocated once per node). */
function solo(n: ElementNode): readonly ElementNode[] {
  return (n.lane ??= [n]);
}

/** Distinct objects by identity, first-seen order. */
function distinct<T>(xs: readonly T[]): readonly T[] {
  if (xs.length < 2) return xs;
  if (xs.length === 2) return xs[0] === xs[1] ? [xs[0]!] : xs;
  const out: T[] = [];
  for (const x of xs) if (!out.includes(x)) out.push(x);
  return out;
}

const pairs = new WeakMap<ElementNode, WeakMap<ElementNode, readonly ElementNode[]>>();

/** The lanes `[a, b]` (or `[a]` when the same node), one array per pair for the life of the trees: no garbage per item. */
function lanes2(a: ElementNode, b: ElementNode): readonly ElementNode[] {
  if (a === b) return solo(a);
  let byB = pairs.get(a);
  if (!byB) pairs.set(a, (byB = new WeakMap()));
  let l = byB.get(b);
  if (!l) byB.set(b, (l = [a, b]));
  return l;
}

/** Lanes from per-lane nodes, without garbage for the one- and two-lane cases. */
function lanesOf(xs: readonly ElementNode[]): readonly ElementNode[] {
  if (xs.length === 1) return solo(xs[0]!);
  if (xs.length === 2) return lanes2(xs[0]!, xs[1]!);
  return distinct(xs);
}

/** Adds `by` to the count of each distinct node of the hits. */
function countHits(counts: Map<ElementNode, number>, hits: Hit[], by: number): void {
  for (let j = 0; j < hits.length; j++) {
    const n = hits[j]!.node;
    let dup = false;
    for (let k = 0; k < j; k++) if (hits[k]!.node === n) dup = true;
    if (!dup) counts.set(n, (counts.get(n) ?? 0) + by);
  }
}

/** Invariants of every lane at this position, each constraint definition once. */
const pairRunners = new WeakMap<ElementNode, WeakMap<ElementNode, Map<string, readonly Runner[]>>>();

function laneRunners(nodes: readonly ElementNode[], type: string, isRoot: boolean, ctx: Ctx): readonly Runner[] {
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

export const sliceEnv: SliceEnv = {
  resolve(ref, ctx) {
    const s = isObj(ref) ? ref.reference : undefined;
    if (typeof s !== 'string') return undefined;
    const r = resolveReference(s, ctx);
    return r.kind === 'found' ? r.resource : undefined;
  },
  conforms(value, profile, type, ctx) {
    // Memoised per request: the same entry is probed by many slices (type + profile discriminators).
    const memo = isObj(value) ? (ctx.conformsMemo ??= new WeakMap()) : undefined;
    const known = memo?.get(value as object)?.get(profile);
    if (known !== undefined) return known;
    let m: Map<string, boolean> | undefined;
    if (memo) {
      m = memo.get(value as object);
      if (!m) memo.set(value as object, (m = new Map()));
      m.set(profile, true); // a cycle of target profiles (A → B → A) is taken as conforming
    }
    const result = conformsUncached(value, profile, type, ctx);
    m?.set(profile, result);
    return result;
  },
};

function conformsUncached(value: unknown, profile: string, type: string, ctx: Ctx): boolean {
  {
    const tree = ctx.reg.structure(profile);
    if (!tree) return false;
    if (isObj(value) && typeof value.resourceType === 'string' && value.resourceType !== tree.path) return false;
    const sub: Ctx = { ...ctx, issues: [], probe: true };
    // A Bundle entry's resource is probed in its own entry context (fullUrl base, %resource).
    const entries = (ctx.bundleResource as Json | undefined)?.entry;
    if (isObj(value) && Array.isArray(entries) && ctx.bundle) {
      const i = entries.findIndex((e) => isObj(e) && e.resource === value);
      if (i >= 0) {
        sub.entryFullUrl = ctx.bundle.fullUrls[i];
        sub.root = value as Ctx['root'];
        sub.resource = value as Ctx['resource'];
      }
    }
    try {
      if (isObj(value) && typeof value.resourceType === 'string') validateAgainst(value, [tree], 'x', sub);
      else walkItem(value, solo(tree), type, 'x', sub, undefined, true);
    } catch (e) {
      if (e instanceof LimitExceeded) throw e;
      return false;
    }
    ctx.budget = sub.budget;
    // Reference resolution depends on the entry's fullUrl, which this probe does not have: the
    // real walk of the item reports those; conformance here is about content.
    return !sub.issues.some((i) => (i.severity === 'error' || i.severity === 'fatal') && !i.rule?.startsWith('reference-'));
  }
}

/**
 * While probing a slice's profile, a resolved reference must also meet the element's target
 * profiles (profiling.html#discriminator "profile": the type is checked "including the referenced
 * resource"): HL7's validator rejects a Composition whose subject misses the Patient profile.
 */
function checkTargetProfiles(ref: Json, node: ElementNode, path: string, ctx: Ctx): void {
  const t = node.types.find((x) => x.code === 'Reference');
  const profiles = t?.targetProfiles.filter((p) => !p.startsWith('http://hl7.org/fhir/StructureDefinition/') && ctx.reg.structure(p));
  if (!profiles?.length) return;
  const target = sliceEnv.resolve(ref, ctx);
  if (!target) return;
  if (profiles.some((p) => sliceEnv.conforms(target, p, String(target.resourceType), ctx))) return;
  issue(ctx, 'error', 'structure', `The referenced resource does not conform to any of the target profiles [${profiles.join(', ')}]`, path, 'target-profile');
}

/**
 * Walks the members of one JSON object against the children of each lane's node (as `type`).
 * Lanes whose children are the same list are walked as one.
 */
export function walkComplex(obj: Json, nodes: readonly ElementNode[], type: string, path: string, ctx: Ctx, isRoot: boolean, elementPath?: string): void {
  if (++ctx.depth > MAX_DEPTH) throw new LimitExceeded(`nesting deeper than ${MAX_DEPTH}`);
  const node = nodes[0]!;
  const children = childrenFor(node, type, ctx);
  // Only when the lanes see different children lists (no array for the common one-list case).
  let lists: readonly ElementNode[][] | undefined;
  if (nodes.length === 2) {
    const c1 = childrenFor(nodes[1]!, type, ctx);
    if (c1 !== children) lists = [children, c1];
  } else if (nodes.length > 2) {
    const d = distinct(nodes.map((n) => childrenFor(n, type, ctx)));
    if (d.length > 1) lists = d;
  }
  const one = lists === undefined;
  const map = nameMap(children);
  let hasCard = cardinalityChildren(children).length > 0;
  if (lists) for (const l of lists) if (cardinalityChildren(l).length) hasCard = true;
  const counts = hasCard ? new Map<ElementNode, number>() : undefined;
  let members = 0;
  const laneHits: Hit[] | undefined = one ? undefined : [];
  for (const key in obj) {
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
      for (const l of lists!) {
        const h = l === children ? hit : nameMap(l).get(name) ?? disallowedChoice(l, name, ctx);
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
    if (hits && hits.some((h) => h.type !== hit!.type || h.seg !== hit!.seg) && !sameResourceMember(hits, ctx)) {
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
  if (counts) {
    for (const l of lists ?? [children]) {
      for (const c of cardinalityChildren(l)) {
        const n = counts.get(c) ?? 0;
        if (n < c.min) {
          issue(ctx, 'error', 'structure', `${c.path}: minimum required = ${c.min}, but only found ${n} (from ${c.owner})`, path, 'min-cardinality');
        } else if (n > c.max) {
          issue(ctx, 'error', 'structure', `${c.path}: max allowed = ${c.max}, but found ${n} (from ${c.owner})`, path, 'max-cardinality');
        }
      }
    }
  }
  const runners = laneRunners(nodes, type, isRoot, ctx);
  if (runners.length) runInvariants(runners, obj, path, ctx);
  ctx.depth--;
}

/** One member (`key`) of an object, against the lanes that see it as the same type. */
function walkMember(
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
  counts: Map<ElementNode, number> | undefined,
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
  const under = hit.prim ? obj[hit.ukey ?? '_' + name] : undefined;
  if (!isArr) {
    if (value === null) {
      issue(ctx, 'error', 'invalid', `The property ${name} must be an Object or a value, not a Null (at ${base})`, base, 'json-null');
      return;
    }
    if (!hits) {
      walkItem(value, node0.slicing && node0.slices.length ? solo(applySlicing(node0, [value], [itemType(value, hit.type)], [base], path, sliceEnv, ctx)[0]!) : solo(node0), hit.type, base, ctx, under, false);
      if (counts) counts.set(node0, (counts.get(node0) ?? 0) + 1);
    } else {
      const laneNodes = hits.map((h) => (h.node.slicing && h.node.slices.length ? applySlicing(h.node, [value], [itemType(value, hit!.type)], [base], path, sliceEnv, ctx)[0]! : h.node));
      walkItem(value, lanesOf(laneNodes), hit.type, base, ctx, under, false);
      if (counts) countHits(counts, hits, 1);
    }
    return;
  }
  const items = value as unknown[];
  // Per lane: the node of each item (its slice, or the element itself).
  let sliced: (ElementNode[] | undefined)[] | undefined;
  const laneHits = hits ?? [hit];
  let paths: string[] | undefined;
  for (let j = 0; j < laneHits.length; j++) {
    const n = laneHits[j]!.node;
    if (!(n.slicing && n.slices.length)) continue;
    paths ??= items.map((_, i) => `${base}[${i}]`);
    sliced ??= [];
    sliced[j] = applySlicing(n, items, items.map((it) => itemType(it, hit!.type)), paths, path, sliceEnv, ctx);
  }
  let present = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const u = Array.isArray(under) ? under[i] : undefined;
    if (it === null) {
      if (!isObj(u)) issue(ctx, 'error', 'structure', 'A null value in an array needs a matching extension in the _ sibling array', `${base}[${i}]`, 'json-null');
      continue;
    }
    present++;
    let itemNodes: readonly ElementNode[];
    if (laneHits.length === 1) itemNodes = solo(sliced?.[0] ? sliced[0][i]! : node0);
    else if (laneHits.length === 2) itemNodes = lanes2(sliced?.[0] ? sliced[0][i]! : laneHits[0]!.node, sliced?.[1] ? sliced[1]![i]! : laneHits[1]!.node);
    else itemNodes = distinct(laneHits.map((h, j) => (sliced?.[j] ? sliced[j]![i]! : h.node)));
    walkItem(it, itemNodes, hit.type, paths ? paths[i]! : `${base}[${i}]`, ctx, u, false);
  }
  if (counts) {
    if (!hits) counts.set(node0, (counts.get(node0) ?? 0) + present);
    else countHits(counts, hits, present);
  }
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

function disallowedIssue(h: Hit, base: string, ctx: Ctx): void {
  const n = h.node;
  issue(ctx, 'error', 'structure', `The definition (${n.owner}) allows for the types [${n.types.map((t) => t.code).join(', ')}] but found type ${h.type}`, base, 'type-not-allowed');
}

function isResourceIdPath(p: string, ctx: Ctx): boolean {
  const dot = p.indexOf('.');
  return dot > 0 && p.indexOf('.', dot + 1) < 0 && ctx.reg.isResourceType(p.slice(0, dot));
}

function itemType(it: unknown, declared: string): string {
  return isObj(it) && typeof it.resourceType === 'string' ? it.resourceType : declared;
}

/** `_name`: the id/extensions of a primitive (R4 json.html#primitive); counts toward cardinality when the value is absent. */
function walkUnderscore(obj: Json, key: string, name: string, value: unknown, hit: Hit, hits: Hit[] | undefined, base: string, ctx: Ctx, counts: Map<ElementNode, number> | undefined): void {
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
    if (!isObj(it)) {
      issue(ctx, 'error', 'structure', `The property ${key} must be an Object`, p, 'json-shape');
      continue;
    }
    if (primTree) walkComplex(it, solo(primTree), hit.type, p, ctx, false, hit.node.path);
    const bv = Array.isArray(bases) ? bases[i] : bases;
    if ((bv === undefined || bv === null) && counts) for (const n of counted) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
}

/** Lane nodes with a choice's type-specific constraints (`valueQuantity`) applied. */
function typed(nodes: readonly ElementNode[], type: string): readonly ElementNode[] {
  if (nodes.length === 1) {
    const ts = nodes[0]!.typeSlices?.get(type);
    return ts ? solo(ts) : nodes;
  }
  let changed = false;
  const out = nodes.map((n) => {
    const ts = n.typeSlices?.get(type);
    if (ts) changed = true;
    return ts ?? n;
  });
  return changed ? distinct(out) : nodes;
}

/** Validates one item (a value of `type`) against each lane's node. */
export function walkItem(item: unknown, nodes0: readonly ElementNode[], type: string, path: string, ctx: Ctx, under: unknown, isRoot: boolean): void {
  tick(ctx);
  const nodes = typed(nodes0, type);
  const node = nodes[0]!;
  if (PRIMITIVE_TYPES.has(type)) {
    const isResourceId = node.name === 'id' && isResourceIdPath(node.path, ctx);
    const effType = isResourceId ? 'id' : type;
    const p = checkPrimitive(effType, item);
    if (p) {
      const msg = isResourceId && p.code === 'invalid' ? `Invalid Resource id: ${p.message}` : p.message;
      issue(ctx, 'error', p.code, msg, path, `primitive-${effType}`);
      return;
    }
    if (!ctx.allowExampleUrls && (type === 'uri' || type === 'url' || type === 'canonical') && isExampleUrl(item as string)) {
      issue(ctx, 'error', 'invalid', `Example URLs are not allowed in this context (${String(item)})`, path, 'example-url');
    }
    if (typeof item === 'string' && (type === 'xhtml' || type === 'string' || type === 'markdown') && item.indexOf('<') >= 0) checkHtml(item, type, path, ctx);
    if (typeof item === 'string' && item.length > MAX_STRING && type !== 'base64Binary') {
      // R4 datatypes.html#string: "strings SHALL NOT exceed 1MB in size".
      issue(ctx, 'error', 'too-long', `value is longer than permitted maximum length of 1 MB (${MAX_STRING} bytes)`, path, 'max-length-1mb');
    }
    for (let i = 0; i < nodes.length; i++) checkPrimitiveConstraints(item, nodes[i]!, type, path, ctx, i > 0 && nodes[i]!.binding === nodes[i - 1]!.binding);
    return;
  }
  if (type === 'Resource' || ctx.reg.isResourceType(type)) {
    if (!isObj(item)) {
      issue(ctx, 'error', 'structure', 'A resource must be a JSON object', path, 'json-shape');
      return;
    }
    // One validation of the nested resource against every lane's declared profiles: validating it
    // once per lane gave the union of the same issues (each run checks base + selected profiles).
    let profiles: string[] = [];
    for (const n of nodes) for (const t of n.types) for (const pr of t.profiles) if (!profiles.includes(pr)) profiles = [...profiles, pr];
    validateNested(item, path, ctx, profiles);
    return;
  }
  if (!isObj(item)) {
    issue(ctx, 'error', 'structure', `The property must be an Object, not a ${item === null ? 'Null' : typeof item}`, path, 'json-shape');
    return;
  }
  if (type === 'Extension') {
    walkExtension(item, nodes, path, ctx);
  } else if (nodes.length === 1) {
    const prof = node.children.length ? undefined : node.types.find((t) => t.code === type)?.profiles[0];
    const tree = prof ? ctx.reg.structure(prof) : undefined;
    walkComplex(item, tree ? solo(tree) : nodes, type, path, ctx, isRoot);
  } else {
    const target = (n: ElementNode): ElementNode => {
      const prof = n.children.length ? undefined : n.types.find((t) => t.code === type)?.profiles[0];
      return (prof ? ctx.reg.structure(prof) : undefined) ?? n;
    };
    const t0 = target(nodes[0]!);
    const t1 = target(nodes[1]!);
    // Unchanged lanes are passed on as they are (no new array).
    const targets = nodes.length === 2 ? (t0 === nodes[0] && t1 === nodes[1] ? nodes : lanes2(t0, t1)) : distinct(nodes.map(target));
    walkComplex(item, targets, type, path, ctx, isRoot);
  }
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.fixed !== undefined && !matchesFixed(n.fixed, item)) {
      issue(ctx, 'error', 'value', `Value does not match the fixed value ${show(n.fixed)} in the profile ${n.owner}`, path, 'fixed');
    }
    if (n.pattern !== undefined && !matchesPattern(n.pattern, item)) {
      issue(ctx, 'error', 'value', `Value does not match the pattern ${show(n.pattern)} in the profile ${n.owner}`, path, 'pattern');
    }
    if (n.binding && !(i > 0 && n.binding === nodes[i - 1]!.binding)) checkBinding(ctx, n.binding, type, item, path);
    if (n.minQuantity || n.maxQuantity) checkQuantityBounds(item, n.minQuantity, n.maxQuantity, path, ctx);
  }
  if (QUANTITY_TYPES.has(type)) checkUcumCode(item, path, ctx);
  if (type === 'Attachment') checkAttachmentSize(item, path, ctx);
  else if (type === 'Coding') checkCoding(ctx, item, path);
  else if (type === 'Reference') {
    let seen: ElementNode['types'] | undefined;
    for (const n of nodes) {
      // Reference checks depend only on the node's types (shared by a profile's unconstrained copies).
      if (n.types === seen) continue;
      seen = n.types;
      checkReference(item, n, path, ctx);
      if (ctx.probe) checkTargetProfiles(item, n, path, ctx);
    }
  }
  void under;
}

/** maxLength, fixed, pattern, min/maxValue and binding of one primitive against one node. */
function checkPrimitiveConstraints(item: unknown, node: ElementNode, type: string, path: string, ctx: Ctx, sameBinding: boolean): void {
  if (node.maxLength !== undefined && typeof item === 'string' && item.length > node.maxLength) {
    issue(ctx, 'error', 'too-long', `value is longer than permitted maximum length of ${node.maxLength}`, path, 'max-length');
  }
  if (node.fixed !== undefined && node.fixed !== item) {
    issue(ctx, 'error', 'value', `Value is '${show(item)}' but is fixed to '${show(node.fixed)}' in the profile ${node.owner}`, path, 'fixed');
  }
  if (node.pattern !== undefined && node.pattern !== item) {
    issue(ctx, 'error', 'value', `Value is '${show(item)}' but must be '${show(node.pattern)}' (pattern in ${node.owner})`, path, 'pattern');
  }
  if (typeof item === 'number') {
    if (node.minValue !== undefined && item < node.minValue) issue(ctx, 'error', 'invalid', `The value ${item} is less than the minimum value ${node.minValue}`, path, 'min-value');
    if (node.maxValue !== undefined && item > node.maxValue) issue(ctx, 'error', 'invalid', `The value ${item} is greater than the maximum value ${node.maxValue}`, path, 'max-value');
  }
  // A profile's unconstrained copy shares its base node's binding object: checked once.
  if (node.binding && !sameBinding) checkBinding(ctx, node.binding, type, item, path);
}

const MAX_STRING = 1024 * 1024;

const TXT_1 = "Constraint failed: txt-1: 'The narrative SHALL contain only the basic html formatting elements and attributes described in chapters 7-11 (except section 4 of chapter 9) and 15 of the HTML 4.0 standard, <a> elements (either name or href), images and internally contained style attributes'";

/** Narrative elements/attributes (txt-1) and HTML embedded in strings or markdown (see xhtml.ts). */
function checkHtml(item: string, type: string, path: string, ctx: Ctx): void {
  if (type === 'xhtml') {
    const problems = checkNarrativeXhtml(item);
    if (!problems.length) return;
    issue(ctx, 'error', 'invariant', TXT_1, path, 'txt-1');
    for (const p of problems) issue(ctx, 'error', 'invalid', p.message, path, `xhtml-${p.kind}`);
    return;
  }
  const at = embeddedHtmlAt(item);
  if (at < 0) return;
  if (type === 'markdown') {
    issue(ctx, ctx.noHtmlInMarkdown ? 'error' : 'warning', 'invalid', `The markdown contains content that appears to be an embedded HTML tag starting at '${item.slice(at, at + 2)}'. This will (or SHOULD) be escaped by the presentation layer`, path, 'markdown-html');
  } else if (ctx.securityChecks) {
    issue(ctx, 'error', 'security', 'The string value contains text that looks like embedded HTML tags, which are not allowed for security reasons in this context', path, 'string-html');
  } else {
    issue(ctx, 'information', 'security', 'The string value contains text that looks like embedded HTML tags. If this content is rendered to HTML without appropriate post-processing, it may be a security risk', path, 'string-html');
  }
}

/** Attachment.size is "number of bytes of content (if url provided)" — or of `data` (R4 datatypes.html#Attachment). */
function checkAttachmentSize(item: Json, path: string, ctx: Ctx): void {
  if (typeof item.size !== 'number' || typeof item.data !== 'string') return;
  const b64 = item.data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return; // reported by the base64Binary check
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  const actual = Math.floor((b64.length * 3) / 4) - pad;
  if (actual !== item.size) {
    issue(ctx, 'error', 'structure', `Stated Attachment Size ${item.size} does not match actual attachment size ${actual}`, path, 'attachment-size');
  }
}

function walkExtension(item: Json, nodes: readonly ElementNode[], path: string, ctx: Ctx): void {
  const url = typeof item.url === 'string' ? item.url : undefined;
  const trees: ElementNode[] = [];
  for (const node of nodes) {
    const declared = node.types[0]?.profiles[0];
    let tree = declared ? ctx.reg.structure(declared) : undefined;
    if (!tree && url && /^https?:|^urn:/.test(url)) {
      tree = ctx.reg.structure(url);
      // Cross-version extensions (http://hl7.org/fhir/5.0/StructureDefinition/extension-…) are
      // defined by the FHIR version they come from, not by a StructureDefinition we could hold.
      // Core-namespace extensions we do not hold come from the HL7 extensions pack (hl7.fhir.uv.extensions).
      const coreNs = /^http:\/\/hl7\.org\/fhir\/([0-9.]+\/)?StructureDefinition\//.test(url);
      const allowed = ctx.allowedExtensionDomains.some((d) => url.startsWith(d));
      if (!tree && !node.sliceName && ctx.allowExampleUrls && isExampleUrl(url)) {
        // HL7's validator accepts unknown extensions from example URLs when examples are allowed.
      } else if (!tree && !node.sliceName && (coreNs || allowed)) {
        issue(ctx, 'information', 'informational', `The extension ${url} is not held by this validator, so its content was not checked`, path, 'extension-not-held');
      } else if (!tree && !node.sliceName) {
        issue(ctx, ctx.unknownExtensionSeverity, 'structure', `The extension ${url} could not be found, so its content cannot be checked`, path, 'extension-unknown');
      }
    }
    trees.push(tree ?? node);
  }
  if (url === undefined) {
    issue(ctx, 'error', 'invalid', 'Extension.url is required in order to identify, use and validate the extension', path, 'extension-url');
  }
  walkComplex(item, trees.length === 1 ? solo(trees[0]!) : distinct(trees), 'Extension', path, ctx, false);
}

/** Hook set by validator.ts: validate a nested resource (contained, Bundle entry, Parameters). */
export let validateNested: (res: Json, path: string, ctx: Ctx, profiles: string[]) => void = () => undefined;
export function setNestedValidator(f: typeof validateNested): void {
  validateNested = f;
}

/** Validates a resource against a list of trees (base and profiles) in one pass, one lane each. */
export function validateAgainst(res: Json, trees: ElementNode[], path: string, ctx: Ctx): void {
  const type = String(res.resourceType);
  const saved = ctx.depth;
  walkComplex(res, trees.length === 1 ? solo(trees[0]!) : distinct(trees), type, path, ctx, true);
  ctx.depth = saved;
}
