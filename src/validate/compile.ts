/**
 * Compiles a StructureDefinition into an ElementNode tree (see model.ts) by applying its elements
 * — the snapshot when present, else the differential — on top of a clone of its base definition's
 * tree. Applying a complete snapshot over the base yields the snapshot; applying a differential
 * yields a light snapshot (FHIR R4 profiling.html §5.1.0.9 "Differential and snapshot" — no
 * re-ordering checks, which is what a validator needs).
 *
 * Invariant: pure function of (sd, base tree, type trees); the inputs are never mutated.
 */
import type { ConstraintDef, Discriminator, ElementNode, TypeRef } from './model.js';
import { cloneNode, newNode, upperFirst } from './model.js';
import { fixedBindingStrength, fixedConstraintExpression } from './errata.js';

type Json = Record<string, unknown>;

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

function mapType(t: Json): TypeRef {
  let code = String(t.code ?? '');
  if (code.startsWith('http://hl7.org/fhirpath/System.')) {
    const ext = Array.isArray(t.extension)
      ? (t.extension as Json[]).find((e) => e.url === FHIR_TYPE_EXT)
      : undefined;
    code = typeof ext?.valueUrl === 'string' ? ext.valueUrl : 'string';
  }
  const arr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const aggregation = arr(t.aggregation);
  return { code, profiles: arr(t.profile), targetProfiles: arr(t.targetProfile), ...(aggregation.length ? { aggregation } : {}) };
}

function prefixed(e: Json, prefix: string): unknown {
  for (const k in e) if (k.startsWith(prefix) && k.length > prefix.length && /[A-Z]/.test(k[prefix.length]!)) return e[k];
  return undefined;
}

function applyProps(n: ElementNode, e: Json, isRoot: boolean): void {
  if (typeof e.min === 'number') n.min = e.min;
  if (typeof e.max === 'string') n.max = e.max === '*' ? Infinity : Number(e.max);
  const bm = (e.base as Json | undefined)?.max;
  if (typeof bm === 'string') n.baseMax = bm === '*' ? Infinity : Number(bm);
  else if (typeof e.max === 'string' && !n.constrained && n.baseMax === Infinity) n.baseMax = n.max;
  if (Array.isArray(e.type) && e.type.length) n.types = (e.type as Json[]).map(mapType);
  const fixed = prefixed(e, 'fixed');
  if (fixed !== undefined) n.fixed = fixed;
  const pattern = prefixed(e, 'pattern');
  if (pattern !== undefined) n.pattern = pattern;
  const b = e.binding as Json | undefined;
  if (b && typeof b.strength === 'string') {
    const vs = typeof b.valueSet === 'string' ? b.valueSet : undefined;
    n.binding = { strength: fixedBindingStrength(n.path, b.strength, vs), ...(vs ? { valueSet: vs } : {}) };
  }
  if (Array.isArray(e.constraint)) {
    const byKey = new Map(n.constraints.map((c) => [c.key, c]));
    for (const c of e.constraint as Json[]) {
      if (typeof c.key !== 'string') continue;
      const def: ConstraintDef = {
        key: c.key,
        severity: c.severity === 'warning' ? 'warning' : 'error',
        human: String(c.human ?? ''),
        ...(typeof c.expression === 'string' ? { expression: fixedConstraintExpression(c.key, c.expression) } : {}),
        ...(typeof c.source === 'string' ? { source: c.source } : {}),
      };
      byKey.set(c.key, def);
    }
    n.constraints = [...byKey.values()];
  }
  const s = e.slicing as Json | undefined;
  if (s && !isRoot) {
    const discriminators: Discriminator[] = Array.isArray(s.discriminator)
      ? (s.discriminator as Json[]).map((d) => ({ type: d.type as Discriminator['type'], path: String(d.path ?? '$this') }))
      : [];
    n.slicing = {
      discriminators,
      rules: s.rules === 'closed' || s.rules === 'openAtEnd' ? s.rules : 'open',
      ordered: s.ordered === true,
    };
  }
  if (typeof e.maxLength === 'number') n.maxLength = e.maxLength;
  const minV = prefixed(e, 'minValue');
  if (typeof minV === 'number') n.minValue = minV;
  else if (minV && typeof minV === 'object' && e.minValueQuantity !== undefined) n.minQuantity = minV as Json;
  const maxV = prefixed(e, 'maxValue');
  if (typeof maxV === 'number') n.maxValue = maxV;
  else if (maxV && typeof maxV === 'object' && e.maxValueQuantity !== undefined) n.maxQuantity = maxV as Json;
  if (typeof e.contentReference === 'string') n.contentReference = e.contentReference;
}

export type TypeTreeLookup = (code: string) => ElementNode | undefined;

/** Finds a node by element path (`#Questionnaire.item` content references). */
export function findByPath(root: ElementNode, path: string): ElementNode | undefined {
  const segs = path.split('.');
  let cur: ElementNode | undefined = root;
  for (let i = 1; i < segs.length && cur; i++) {
    const s = segs[i]!;
    cur = cur.children.find((c) => c.name === s || (c.choice && c.name + '[x]' === s));
  }
  return cur;
}

/** Makes a node's children explicit (copied from its type, or its content reference) before constraining them. */
function ensureChildren(n: ElementNode, root: ElementNode, typeTree: TypeTreeLookup): void {
  if (n.children.length) return;
  let src: ElementNode | undefined;
  if (n.contentReference) src = findByPath(root, n.contentReference.slice(n.contentReference.indexOf('#') + 1));
  else if (n.types.length === 1) src = typeTree(n.types[0]!.code);
  else if (n.types.length > 1) src = typeTree('Element'); // constraints on a multi-type choice: common children only
  if (!src) return;
  const prefix = n.path;
  const rebase = (c: ElementNode): ElementNode => {
    const x = cloneNode(c, root.owner);
    const fix = (m: ElementNode, parentPath: string, parentId: string): void => {
      const seg = m.choice ? m.name + '[x]' : m.name;
      m.path = parentPath + '.' + seg;
      m.id = parentId + '.' + seg + (m.sliceName ? ':' + m.sliceName : '');
      for (const k of m.children) fix(k, m.path, m.id);
      for (const k of m.slices) fix(k, parentPath, parentId);
    };
    fix(x, prefix, n.id);
    return x;
  };
  n.children = src.children.map(rebase);
}

function splitIds(e: Json): string[] {
  const path = String(e.path ?? '');
  const pSegs = path.split('.');
  if (typeof e.id === 'string') {
    const iSegs = e.id.split('.');
    if (iSegs.length === pSegs.length) return iSegs;
  }
  if (typeof e.sliceName === 'string') pSegs[pSegs.length - 1] += ':' + e.sliceName;
  return pSegs;
}

function findChild(n: ElementNode, name: string): { node: ElementNode; type?: string } | undefined {
  for (const c of n.children) {
    if (!c.choice && c.name === name) return { node: c };
    if (c.choice && c.name + '[x]' === name) return { node: c };
  }
  for (const c of n.children) {
    if (c.choice && name.startsWith(c.name) && name.length > c.name.length) {
      const t = name.slice(c.name.length);
      const found = c.types.find((x) => upperFirst(x.code) === t);
      if (found || c.types.length === 0) return { node: c, type: found?.code ?? t.charAt(0).toLowerCase() + t.slice(1) };
    }
  }
  return undefined;
}

function typeSlice(choice: ElementNode, type: string): ElementNode {
  choice.typeSlices ??= new Map();
  let ts = choice.typeSlices.get(type);
  if (!ts) {
    ts = cloneNode(choice, choice.owner, false);
    delete ts.typeSlices;
    ts.types = choice.types.filter((t) => t.code === type);
    if (!ts.types.length) ts.types = [{ code: type, profiles: [], targetProfiles: [] }];
    ts.children = [];
    choice.typeSlices.set(type, ts);
  }
  return ts;
}

/**
 * Builds the tree of `sd` over `base` (the compiled baseDefinition, or undefined for base types).
 */
export function compileStructure(sd: Json, base: ElementNode | undefined, typeTree: TypeTreeLookup): ElementNode {
  const url = String(sd.url ?? sd.id ?? '');
  const typeName = String(sd.type ?? sd.id ?? '');
  const root = base ? cloneNode(base, url) : newNode(typeName, typeName, url);
  root.id = typeName;
  root.path = typeName;
  root.name = typeName;
  const holder = (sd.snapshot ?? sd.differential) as Json | undefined;
  const elements = Array.isArray(holder?.element) ? (holder.element as Json[]) : [];
  for (const e of elements) {
    const segs = splitIds(e);
    let cur = root;
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i]!;
      const colon = seg.indexOf(':');
      const name = colon < 0 ? seg : seg.slice(0, colon);
      const slice = colon < 0 ? undefined : seg.slice(colon + 1);
      ensureChildren(cur, root, typeTree);
      let hit = findChild(cur, name);
      if (!hit) {
        const parentPath = cur.path;
        const node = newNode(cur.id + '.' + name, parentPath + '.' + name, url);
        cur.children.push(node);
        hit = { node };
      }
      let next = hit.type ? typeSlice(hit.node, hit.type) : hit.node;
      if (slice !== undefined) {
        const asType = next.choice ? findChild({ ...next, children: [next] } as ElementNode, slice) : undefined;
        if (asType?.type) next = typeSlice(next, asType.type);
        else {
          let s = next.slices.find((x) => x.sliceName === slice);
          if (!s) {
            s = cloneNode(next, url, false);
            s.sliceName = slice;
            s.id = next.id + ':' + slice;
            next.slices.push(s);
          }
          next = s;
        }
      }
      cur = next;
    }
    applyProps(cur, e, segs.length === 1);
    if (segs.length > 1) cur.constrained = true;
  }
  return root;
}
