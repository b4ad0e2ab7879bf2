/**
 * Conformance probes: does a value (a slice candidate, a referenced resource) meet a profile?
 * This is the SliceEnv slicing.ts uses for `profile` and `resolve()` discriminators
 * (R4 profiling.html#discriminator), and the target-profile check of references while probing.
 *
 * Invariants: a probe walks into a fresh issue list with `probe` set and never reports into the
 * real walk, except that it spends the same element budget (a limit hit inside a probe still stops
 * the request); results are memoised per request (value → profile), and a cycle of target
 * profiles (A → B → A) is taken as conforming, so probing always terminates. A probe only answers
 * "any counting error?": it stops at the first one (issue() throws ProbeFailed) and walks the
 * members its profile pins down first (walker.ts), so a candidate of the wrong slice costs a few
 * members, not a whole resource; the errors pushed without issue() are still read at the end.
 */
import type { Ctx } from './context.js';
import { failsProbe, issue, LimitExceeded, ProbeFailed } from './context.js';
import { isObject } from '../fhir/types.js';
import type { ElementNode } from './model.js';
import { resolveReference } from './references.js';
import type { SliceEnv } from './slicing.js';
import { walkItem } from './walk-item.js';
import { solo } from './walk-lanes.js';
import { validateAgainst } from './walker.js';

type Json = Record<string, unknown>;

export const sliceEnv: SliceEnv = {
  resolve(ref, ctx) {
    const s = isObject(ref) ? ref.reference : undefined;
    if (typeof s !== 'string') return undefined;
    const r = resolveReference(s, ctx);
    return r.kind === 'found' ? r.resource : undefined;
  },
  conforms(value, profile, type, ctx) {
    // Memoised per request: the same entry is probed by many slices (type + profile discriminators).
    const memo = isObject(value) ? (ctx.conformsMemo ??= new WeakMap()) : undefined;
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
  const tree = ctx.reg.structure(profile);
  if (!tree) return false;
  if (isObject(value) && typeof value.resourceType === 'string' && value.resourceType !== tree.path) return false;
  const sub: Ctx = { ...ctx, issues: [], probe: true };
  // A Bundle entry's resource is probed in its own entry context (fullUrl base, %resource).
  const entries = (ctx.bundleResource as Json | undefined)?.entry;
  if (isObject(value) && Array.isArray(entries) && ctx.bundle) {
    const i = entries.findIndex((e) => isObject(e) && e.resource === value);
    if (i >= 0) {
      sub.entryFullUrl = ctx.bundle.fullUrls[i];
      sub.root = value as Ctx['root'];
      sub.resource = value as Ctx['resource'];
    }
  }
  try {
    if (isObject(value) && typeof value.resourceType === 'string') validateAgainst(value, [tree], 'x', sub);
    else walkItem(value, solo(tree), type, 'x', sub, true);
  } catch (e) {
    if (e instanceof LimitExceeded) throw e;
    // The first counting error ends the probe (issue() throws ProbeFailed): the answer is known.
    if (e === ProbeFailed.instance) ctx.budget = sub.budget;
    return false;
  }
  ctx.budget = sub.budget;
  // Reference resolution depends on the entry's fullUrl, which this probe does not have: the
  // real walk of the item reports those; conformance here is about content. Errors pushed without
  // issue() (extra checks) are only seen here.
  return !sub.issues.some((i) => failsProbe(i.severity, i.rule));
}

/**
 * While probing a slice's profile, a resolved reference must also meet the element's target
 * profiles (profiling.html#discriminator "profile": the type is checked "including the referenced
 * resource"): HL7's validator rejects a Composition whose subject misses the Patient profile.
 */
export function checkTargetProfiles(ref: Json, node: ElementNode, path: string, ctx: Ctx): void {
  const t = node.types.find((x) => x.code === 'Reference');
  const profiles = t?.targetProfiles.filter((p) => !p.startsWith('http://hl7.org/fhir/StructureDefinition/') && ctx.reg.structure(p));
  if (!profiles?.length) return;
  const target = sliceEnv.resolve(ref, ctx);
  if (!target) return;
  if (profiles.some((p) => sliceEnv.conforms(target, p, String(target.resourceType), ctx))) return;
  issue(ctx, 'error', 'structure', `The referenced resource does not conform to any of the target profiles [${profiles.join(', ')}]`, path, 'target-profile');
}
