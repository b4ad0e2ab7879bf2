/**
 * The compiled form of a StructureDefinition: a tree of ElementNodes (one per element path, slices
 * and type-specific choice constraints hanging off the node they constrain).
 *
 * Built once per StructureDefinition by applying its elements (snapshot when present, else
 * differential) on top of a clone of its base definition's tree (FHIR R4 profiling.html
 * "Differential and snapshot"). Invariants: a node's `children` is either empty (then the children
 * are those of its single type's base definition, looked up at validation time) or complete (all
 * children of the type, copied from the type's tree before a constraint was applied below it);
 * compiled trees are never mutated after `compileStructure` returns.
 */

export interface TypeRef {
  code: string;
  profiles: string[];
  targetProfiles: string[];
  /** ElementDefinition.type.aggregation (contained | referenced | bundled), when constrained. */
  aggregation?: string[];
}

export interface Discriminator {
  type: 'value' | 'pattern' | 'type' | 'profile' | 'exists';
  path: string;
}

export interface Slicing {
  discriminators: Discriminator[];
  rules: 'open' | 'closed' | 'openAtEnd';
  ordered: boolean;
}

export interface ConstraintDef {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression?: string;
  source?: string;
}

export interface ElementNode {
  id: string;
  path: string;
  /** Element name as in JSON for non-choice elements; the prefix (without `[x]`) for choices. */
  name: string;
  choice: boolean;
  min: number;
  max: number;
  /** Max of the base element: decides JSON shape (array or single), whatever a profile says. */
  baseMax: number;
  types: TypeRef[];
  fixed?: unknown;
  pattern?: unknown;
  binding?: { strength: string; valueSet?: string };
  constraints: ConstraintDef[];
  children: ElementNode[];
  contentReference?: string;
  slicing?: Slicing;
  slices: ElementNode[];
  sliceName?: string;
  /** Constraints that apply only when a choice element has a given type (`valueQuantity`). */
  typeSlices?: Map<string, ElementNode>;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  /** minValueQuantity / maxValueQuantity. */
  minQuantity?: Record<string, unknown>;
  maxQuantity?: Record<string, unknown>;
  /** Canonical URL of the StructureDefinition that owns this tree (for messages). */
  owner: string;
  /** True when the element was touched by the profile (not just inherited from the type). */
  constrained?: boolean;
  /**
   * `[this node]`, made once on first walk so the one-lane walk (walker.ts) allocates no array per
   * item; never copied by cloneNode.
   */
  lane?: readonly ElementNode[];
}

export function newNode(id: string, path: string, owner: string): ElementNode {
  const last = path.slice(path.lastIndexOf('.') + 1);
  const choice = last.endsWith('[x]');
  return {
    id,
    path,
    name: choice ? last.slice(0, -3) : last,
    choice,
    min: 0,
    max: Infinity,
    baseMax: Infinity,
    types: [],
    constraints: [],
    children: [],
    slices: [],
    owner,
  };
}

/** Deep copy (children, slices, type slices); used before a profile modifies an inherited node. */
export function cloneNode(n: ElementNode, owner?: string, withSlices = true): ElementNode {
  const c: ElementNode = {
    ...n,
    types: n.types,
    constraints: [...n.constraints],
    children: n.children.map((x) => cloneNode(x, owner)),
    slices: withSlices ? n.slices.map((x) => cloneNode(x, owner)) : [],
    owner: owner ?? n.owner,
  };
  delete c.lane;
  if (!withSlices) {
    delete c.slicing;
  }
  if (n.typeSlices) {
    c.typeSlices = new Map([...n.typeSlices].map(([k, v]) => [k, cloneNode(v, owner)]));
  }
  return c;
}

export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** JSON property names a node accepts, e.g. `value[x]` with [Quantity,string] → valueQuantity, valueString. */
export function jsonNames(n: ElementNode): { name: string; type?: string }[] {
  if (!n.choice) return [{ name: n.name }];
  return n.types.map((t) => ({ name: n.name + upperFirst(t.code), type: t.code }));
}
