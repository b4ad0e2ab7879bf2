/**
 * One item of the walk — a value of a known type at one position, seen by one or more lanes —
 * dispatched by its type: primitives (walk-primitive.ts), nested resources (one nested validation
 * through the hook validator.ts sets), extensions (walk-extension.ts), and complex types walked
 * member by member (walker.ts) against the type's profile where a lane names one, then checked as
 * a whole (walk-values.ts).
 *
 * Invariants: each item spends one unit of the element budget (context.ts); a nested resource is
 * validated once against the union of every lane's declared profiles (validating it once per lane
 * gave the same issues twice); a value of the wrong JSON kind gets one shape issue and no further
 * checks.
 */
import type { Ctx } from './context.js';
import { issue, tick } from './context.js';
import { isObject } from '../fhir/types.js';
import type { ElementNode } from './model.js';
import { PRIMITIVE_TYPES } from './primitives.js';
import { typed } from './walk-children.js';
import { walkExtension } from './walk-extension.js';
import { distinct, lanes2, solo } from './walk-lanes.js';
import { walkPrimitive } from './walk-primitive.js';
import { checkComplexValue } from './walk-values.js';
import { walkComplex } from './walker.js';

type Json = Record<string, unknown>;

/** Hook set by validator.ts: validate a nested resource (contained, Bundle entry, Parameters). */
let validateNested: (res: Json, path: string, ctx: Ctx, profiles: string[]) => void = () => undefined;
export function setNestedValidator(f: typeof validateNested): void {
  validateNested = f;
}

/** Validates one item (a value of `type`) against each lane's node. */
export function walkItem(item: unknown, nodes0: readonly ElementNode[], type: string, path: string, ctx: Ctx, isRoot: boolean): void {
  tick(ctx);
  const nodes = typed(nodes0, type);
  if (PRIMITIVE_TYPES.has(type)) {
    walkPrimitive(item, nodes, type, path, ctx);
    return;
  }
  if (type === 'Resource' || ctx.reg.isResourceType(type)) {
    if (!isObject(item)) {
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
  if (!isObject(item)) {
    issue(ctx, 'error', 'structure', `The property must be an Object, not a ${item === null ? 'Null' : typeof item}`, path, 'json-shape');
    return;
  }
  if (type === 'Extension') walkExtension(item, nodes, path, ctx);
  else walkComplex(item, typeProfiles(nodes, type, ctx), type, path, ctx, isRoot);
  checkComplexValue(item, nodes, type, path, ctx);
}

/**
 * The lanes to walk a complex value's members against: a lane whose node leaves its children to
 * the type and names a profile for it (a profiled data type) is replaced by that profile's tree.
 * Unchanged lanes are passed on as they are (no new array).
 */
function typeProfiles(nodes: readonly ElementNode[], type: string, ctx: Ctx): readonly ElementNode[] {
  if (nodes.length === 1) {
    const t = typeProfile(nodes[0]!, type, ctx);
    return t === nodes[0] ? nodes : solo(t);
  }
  const t0 = typeProfile(nodes[0]!, type, ctx);
  const t1 = typeProfile(nodes[1]!, type, ctx);
  return nodes.length === 2 ? (t0 === nodes[0] && t1 === nodes[1] ? nodes : lanes2(t0, t1)) : manyTypeProfiles(nodes, type, ctx);
}

/** Three or more lanes, out of line: a closure in typeProfiles would cost a context per call. */
function manyTypeProfiles(nodes: readonly ElementNode[], type: string, ctx: Ctx): readonly ElementNode[] {
  const out: ElementNode[] = [];
  for (const n of nodes) out.push(typeProfile(n, type, ctx));
  return distinct(out);
}

/** The tree of the profile `n` names for `type`, or `n` itself. */
function typeProfile(n: ElementNode, type: string, ctx: Ctx): ElementNode {
  if (n.children.length) return n;
  // A loop, not types.find(): no closure per complex value on the walk's hottest path.
  let prof: string | undefined;
  for (const t of n.types) {
    if (t.code === type) {
      prof = t.profiles[0];
      break;
    }
  }
  return (prof ? ctx.reg.structure(prof) : undefined) ?? n;
}
