/**
 * What a node's JSON members may be: the children list that applies to a node used as a type,
 * and the JSON name → child lookup, with choice types expanded (`value[x]` → `valueQuantity`,
 * `valueString`, … per R4 formats.html#choice) and type-specific choice constraints applied.
 *
 * Invariants: every table here is derived from the compiled trees only and memoised per children
 * list or node in WeakMaps (built on first use, never changed after), so the walk does no profile
 * interpretation; a JSON name with a type the (profiled) choice does not allow is still found, as
 * a Hit marked `disallowed`, so the walker can report it and still check its content.
 */
import type { Ctx } from './context.js';
import type { ElementNode } from './model.js';
import { upperFirst } from './model.js';
import { PRIMITIVE_TYPES } from './primitives.js';
import { distinct, solo } from './walk-lanes.js';

/** One JSON name resolved against one children list. */
export interface Hit {
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

const nameMaps = new WeakMap<ElementNode[], Map<string, Hit>>();

/** JSON name (without a leading `_`) → Hit, for one children list. */
export function nameMap(children: ElementNode[]): Map<string, Hit> {
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
export function disallowedChoice(children: ElementNode[], key: string, ctx: Ctx): Hit | undefined {
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

/**
 * The children of `node` used as `type`: its own (constrained) children, the type's children
 * merged with them for a multi-type choice, the target of a contentReference
 * (`Questionnaire.item.item` → `#Questionnaire.item`), or the type's own tree.
 */
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

/** Lane nodes with a choice's type-specific constraints (`valueQuantity`) applied. */
export function typed(nodes: readonly ElementNode[], type: string): readonly ElementNode[] {
  if (nodes.length === 1) {
    const ts = nodes[0]!.typeSlices?.get(type);
    return ts ? solo(ts) : nodes;
  }
  // Most positions have no type slices: find out before allocating (this runs for every item).
  let changed = false;
  for (let i = 0; i < nodes.length && !changed; i++) if (nodes[i]!.typeSlices?.get(type)) changed = true;
  if (!changed) return nodes;
  return distinct(nodes.map((n) => n.typeSlices?.get(type) ?? n));
}
