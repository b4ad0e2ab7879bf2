/**
 * References: lexical form, target type, and resolution inside a Bundle / contained resources
 * (FHIR R4 references.html §2.3.0, bundle.html#references "Resolving references in Bundles").
 *
 * Resolution rules: `#id` → contained resource of the root resource; absolute URLs and URNs →
 * entry with that fullUrl; relative `Type/id[/_history/v]` → made absolute against the referencing
 * entry's fullUrl when that is a RESTful URL, else matched by type and id. In a document Bundle an
 * unresolved URN or relative reference is an error (a document must be self-contained, R4
 * documents.html §3.3.1), and so is one in a message Bundle; elsewhere an unresolved URN is a warning and
 * an unresolved RESTful reference is fine (it may point to a server).
 */
import type { BundleIndex, Ctx } from './context.js';
import { issue } from './context.js';
import type { ElementNode } from './model.js';

type Json = Record<string, unknown>;

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE_REST = /^(https?:\/\/.*\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

export function indexBundle(bundle: Json, forceDocument = false): BundleIndex {
  const entries = Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
  const byFullUrl = new Map<string, number>();
  const byTypeId = new Map<string, number[]>();
  const sharedFullUrls = new Map<string, number[]>();
  const fullUrls: (string | undefined)[] = [];
  entries.forEach((e, i) => {
    const entry = (e && typeof e === 'object' ? e : {}) as Json;
    const fu = typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
    fullUrls.push(fu);
    if (fu && !byFullUrl.has(fu)) byFullUrl.set(fu, i);
    else if (fu) sharedFullUrls.set(fu, [...(sharedFullUrls.get(fu) ?? [byFullUrl.get(fu)!]), i]);
    const r = entry.resource as Json | undefined;
    if (r && typeof r.resourceType === 'string' && typeof r.id === 'string') {
      const k = `${r.resourceType}/${r.id}`;
      const l = byTypeId.get(k) ?? [];
      l.push(i);
      byTypeId.set(k, l);
    }
  });
  return { byFullUrl, sharedFullUrls, byTypeId, fullUrls, isDocument: forceDocument || bundle.type === 'document', isMessage: bundle.type === 'message' };
}

function entryResource(ctx: Ctx, i: number): Json | undefined {
  const b = ctx.bundleResource as Json | undefined;
  const e = Array.isArray(b?.entry) ? (b!.entry as Json[])[i] : undefined;
  return e?.resource as Json | undefined;
}

export type Resolution = { kind: 'found'; resource: Json } | { kind: 'missing' } | { kind: 'external' } | { kind: 'ambiguous'; count: number };

const HISTORY = /\/_history\/([^/]+)$/;

/**
 * The entry a (made absolute) reference designates. Several entries may share a fullUrl when they
 * are versions of one resource (bdl-7): a versioned reference picks its version, an unversioned
 * one is ambiguous (bundle.html#references: "the reference is ambiguous ... an error").
 */
function byUrl(b: BundleIndex, abs: string, version: string | undefined, ctx: Ctx): Resolution | undefined {
  const first = b.byFullUrl.get(abs);
  if (first === undefined) return undefined;
  const all = b.sharedFullUrls.get(abs);
  if (version !== undefined) return byVersion(all ?? [first], version, ctx);
  if (all) return { kind: 'ambiguous', count: all.length };
  const r = entryResource(ctx, first);
  return r ? { kind: 'found', resource: r } : { kind: 'missing' };
}

/** The entry of `version` among entries sharing a fullUrl (out of byUrl: its closure cost a context per lookup). */
function byVersion(candidates: number[], version: string, ctx: Ctx): Resolution {
  const hit = candidates.find((i) => ((entryResource(ctx, i)?.meta as Json | undefined)?.versionId ?? version) === version);
  const r = hit === undefined ? undefined : entryResource(ctx, hit);
  return r ? { kind: 'found', resource: r } : { kind: 'missing' };
}

/** A contained resource by `#id` (out of resolveReference for the same reason). */
function containedById(ref: string, ctx: Ctx): Resolution {
  const contained = (ctx.root as Json).contained ?? (ctx.resource as Json).contained;
  const list = Array.isArray(contained) ? (contained as Json[]) : [];
  const r = list.find((c) => c && c.id === ref.slice(1));
  return r ? { kind: 'found', resource: r } : { kind: 'missing' };
}

export function resolveReference(ref: string, ctx: Ctx): Resolution {
  if (ref.startsWith('#')) return containedById(ref, ctx);
  const b = ctx.bundle;
  if (!b) {
    const rel = ctx.parameterResources ? RELATIVE.exec(ref) : null;
    if (!rel) return { kind: 'external' };
    const r = ctx.parameterResources!.get(`${rel[1]}/${rel[2]}`);
    return r ? { kind: 'found', resource: r } : { kind: 'missing' };
  }
  const version = HISTORY.exec(ref)?.[1];
  const plain = version === undefined ? ref : ref.replace(HISTORY, '');
  const direct = byUrl(b, ref, undefined, ctx) ?? byUrl(b, plain, version, ctx);
  if (direct) return direct;
  if (ref.startsWith('urn:')) return { kind: 'missing' };
  const rel = RELATIVE.exec(ref);
  if (rel) {
    const base = ctx.entryFullUrl ? ABSOLUTE_REST.exec(ctx.entryFullUrl) : null;
    if (base) {
      const abs = base[1] + rel[1] + '/' + rel[2];
      return byUrl(b, abs, rel[3] ? rel[3].slice('/_history/'.length) : undefined, ctx) ?? { kind: 'missing' };
    }
    const hits = b.byTypeId.get(`${rel[1]}/${rel[2]}`);
    if (hits?.length === 1) {
      const r = entryResource(ctx, hits[0]!);
      if (r) return { kind: 'found', resource: r };
    }
    return { kind: 'missing' };
  }
  return { kind: 'external' };
}

/**
 * Resource types the element's target profiles allow, or undefined for any. A target profile we
 * cannot resolve allows nothing (HL7's validator: "Unable to resolve the profile reference"), and
 * is listed in `unknown`.
 */
type Targets = { types: string[]; unknown: string[] } | undefined;
/** Per registry, per node type list (shared by a profile's unconstrained copies): the answer never changes. */
const targetMemo = new WeakMap<object, WeakMap<object, { v: Targets }>>();

function allowedTargets(node: ElementNode, ctx: Ctx): Targets {
  let byTypes = targetMemo.get(ctx.reg);
  if (!byTypes) targetMemo.set(ctx.reg, (byTypes = new WeakMap()));
  let hit = byTypes.get(node.types);
  if (!hit) byTypes.set(node.types, (hit = { v: computeTargets(node, ctx) }));
  return hit.v;
}

function computeTargets(node: ElementNode, ctx: Ctx): Targets {
  const t = node.types.find((x) => x.code === 'Reference');
  if (!t || !t.targetProfiles.length) return undefined;
  const out: string[] = [];
  const unknown: string[] = [];
  for (const p of t.targetProfiles) {
    const core = /^http:\/\/hl7\.org\/fhir\/StructureDefinition\/([A-Za-z]+)(\|.*)?$/.exec(p);
    const type = core && ctx.reg.isResourceType(core[1]!) ? core[1] : (ctx.reg.structureDefinition(p)?.type as string | undefined);
    if (core?.[1] === 'Resource') return undefined;
    if (type) out.push(type);
    else if (!core) unknown.push(p);
  }
  return out.length || unknown.length ? { types: out, unknown } : undefined;
}

/** Checks one Reference value at `path`. */
export function checkReference(value: Json, node: ElementNode, path: string, ctx: Ctx): void {
  const ref = value.reference;
  let type: string | undefined = typeof value.type === 'string' ? value.type : undefined;
  if (typeof ref === 'string') {
    const rel = RELATIVE.exec(ref) ?? ABSOLUTE_REST.exec(ref)?.slice(1);
    if (!ref.startsWith('#') && !ref.includes(':') && !rel) {
      issue(ctx, 'error', 'invalid', `Relative URLs must be of the format [ResourceName]/[id]. Encountered ${ref}`, `${path}.reference`, 'reference-format');
      return;
    }
    if (rel) type = rel[1];
    const res = resolveReference(ref, ctx);
    const agg = node.types.find((x) => x.code === 'Reference')?.aggregation;
    if (res.kind === 'ambiguous') {
      issue(ctx, 'error', 'invalid', `Multiple matches in bundle for reference ${ref} (${res.count} entries share its fullUrl)`, path, 'reference-ambiguous');
      return;
    }
    if (res.kind === 'found') type = String(res.resource.resourceType);
    else if (agg && !agg.includes('referenced') && ctx.bundle && !ref.startsWith('#')) {
      // aggregation without `referenced`: the target must be in the Bundle (or contained).
      issue(ctx, 'error', 'structure', `Bundled or contained reference not found within the bundle/resource ${ref}`, path, 'reference-aggregation');
      return;
    } else if (res.kind === 'missing') {
      if (ref.startsWith('#')) {
        issue(ctx, 'error', 'structure', `Unable to resolve resource with reference '${ref}'`, path, 'reference-contained');
      } else if (!ctx.bundle && ctx.parameterResources) {
        issue(ctx, 'error', 'not-found', `Unable to resolve resource with reference '${ref}'`, path, 'reference-unresolved');
      } else if (ctx.bundle && (ctx.bundle.isDocument || ctx.bundle.isMessage)) {
        issue(ctx, 'error', 'invalid', `Can't find '${ref}' in the bundle`, path, 'reference-unresolved');
      } else if (ctx.bundle && !ref.startsWith('urn:')) {
        const m = RELATIVE.exec(ref);
        const hits = m ? ctx.bundle.byTypeId.get(`${m[1]}/${m[2]}`) : undefined;
        if (hits?.length) {
          issue(ctx, 'warning', 'informational', `Entry ${hits[0]} matches the reference ${ref} by type and id but its fullUrl ${String(ctx.bundle.fullUrls[hits[0]!])} does not match the full target URL`, path, 'reference-fullurl-mismatch');
        }
      } else if (ctx.bundle && ref.startsWith('urn:')) {
        // Other Bundles (collection, searchset, transaction ...) may point outside themselves with
        // RESTful references; a URN, though, can only mean an entry of this Bundle.
        issue(ctx, 'warning', 'required', `URN reference is not locally contained within the bundle ${ref}`, path, 'reference-unresolved');
      }
      return; // the target type of an unresolved reference is not judged (as HL7's validator)
    }
  }
  const allowed = allowedTargets(node, ctx);
  if (!type || !allowed || !ctx.reg.isResourceType(type) || allowed.types.includes(type)) return;
  for (const u of allowed.unknown) {
    issue(ctx, 'error', 'not-found', `Unable to resolve the profile reference '${u}'`, path, 'reference-target-profile-unknown');
  }
  issue(
    ctx,
    'error',
    'structure',
    `The type '${type}' implied by the reference URL ${String(ref ?? '')} is not a valid Target for this element (must be one of [${allowed.types.join(', ')}])`,
    path,
    'reference-target',
  );
}

/** The resources of a Parameters (parameter[].resource, parts included) by `Type/id`. */
export function indexParameters(params: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  const stack: unknown[] = Array.isArray(params.parameter) ? [...(params.parameter as unknown[])] : [];
  while (stack.length) {
    const p = stack.pop() as Json | null;
    if (!p || typeof p !== 'object') continue;
    const r = p.resource as Json | undefined;
    if (r && typeof r.resourceType === 'string' && typeof r.id === 'string') out.set(`${r.resourceType}/${r.id}`, r);
    if (Array.isArray(p.part)) stack.push(...(p.part as unknown[]));
  }
  return out;
}
