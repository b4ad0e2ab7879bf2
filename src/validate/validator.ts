/**
 * Resource-level validation: resource type, which profiles apply (meta.profile, caller-requested,
 * chosen by profile selectors), walking each, nested resources (contained, Bundle entries,
 * Parameters), Bundle reference context, and caller extra checks.
 *
 * Invariants: only FHIR R4 core resource types are accepted; every resource is checked against
 * its base definition or against profiles whose compiled trees already include the base; an
 * unknown profile the caller asked for is an error (`not-supported`), an unknown profile claimed in
 * meta.profile is a warning (as HL7's validator does); issues are de-duplicated per resource.
 */
import type { Issue } from '../errors.js';
import type { Resource } from '../fhir/types.js';
import type { Ctx } from './context.js';
import { issue, MAX_ENTRIES } from './context.js';
import type { ElementNode } from './model.js';
import { indexBundle } from './references.js';
import { setNestedValidator, validateAgainst } from './walker.js';
import { checkBundleRules } from './bundle-rules.js';
import { checkModuleRules } from './modules.js';
import { vitalSignProfiles } from './vitals.js';

type Json = Record<string, unknown>;

const MODULE_TYPES = new Set(['QuestionnaireResponse', 'MeasureReport', 'SearchParameter', 'CapabilityStatement']);

function dedupe(issues: Issue[], from: number): void {
  const seen = new Set<string>();
  let w = from;
  for (let r = from; r < issues.length; r++) {
    const i = issues[r]!;
    const k = `${i.severity}\u0000${i.code}\u0000${i.expression?.[0] ?? ''}\u0000${i.diagnostics}`;
    if (seen.has(k)) continue;
    seen.add(k);
    issues[w++] = i;
  }
  issues.length = w;
}

/**
 * Validates `res` found at `path`. `requested` are profiles the caller demands (unknown → error);
 * `declared` are profiles from the element definition (e.g. a contained type profile).
 */
export function validateResourceAt(res: Json, path: string, ctx: Ctx, requested: readonly string[], declared: readonly string[] = []): void {
  const rt = res.resourceType;
  if (typeof rt !== 'string') {
    issue(ctx, 'error', 'structure', 'The JSON object has no resourceType, so it is not a FHIR resource', path, 'resource-type');
    return;
  }
  if (!ctx.reg.isResourceType(rt)) {
    // At the top level the path was derived from the (unknown) type name itself, which names no
    // element: point at the property that is wrong instead.
    const where = path === rt ? 'resourceType' : path;
    issue(ctx, 'error', 'structure', `Unknown resource type '${rt}': not a FHIR R4 resource type`, where, 'resource-type');
    return;
  }
  const start = ctx.issues.length;
  const savedRes = ctx.resource;
  ctx.resource = res as Resource;
  try {
    const trees: ElementNode[] = [];
    const seen = new Set<string>();
    const add = (url: string, kind: 'requested' | 'meta' | 'selected' | 'declared', where: string): void => {
      if (seen.has(url)) return;
      seen.add(url);
      const tree = ctx.reg.structure(url);
      if (!tree) {
        if (kind === 'requested') issue(ctx, 'error', 'not-supported', `Profile '${url}' is not known to this server`, where, 'profile-unknown');
        else if (kind === 'meta') issue(ctx, 'warning', 'structure', `Profile reference '${url}' has not been checked because it could not be found`, where, 'profile-unknown');
        return;
      }
      if (tree.path !== rt) {
        if (kind !== 'declared') issue(ctx, 'error', 'structure', `Profile '${url}' is for type ${tree.path}, not ${rt}`, where, 'profile-type');
        return;
      }
      trees.push(tree);
    };
    for (const u of requested) add(u, 'requested', path);
    const meta = res.meta as Json | undefined;
    if (meta && Array.isArray(meta.profile)) {
      meta.profile.forEach((u, i) => typeof u === 'string' && add(u, 'meta', `${path}.meta.profile[${i}]`));
    }
    for (const u of declared) add(u, 'declared', path);
    for (const u of vitalSignProfiles(res)) add(u, 'selected', path);
    for (const u of ctx.reg.globalProfiles(rt)) add(u, 'selected', path);
    for (const sel of ctx.selectors) {
      let urls: string[] = [];
      try {
        urls = sel(res as Resource, { path, ...(ctx.bundleResource ? { bundle: ctx.bundleResource } : {}), ...(ctx.composition ? { composition: ctx.composition } : {}) });
      } catch {
        issue(ctx, 'information', 'informational', 'A profile selector failed and was skipped', path, 'selector-failed');
      }
      for (const u of urls) add(u, 'selected', path);
    }
    // The base definition is always checked too (as HL7's validator does); issues that a profile
    // repeats word for word are merged by dedupe() below.
    const baseTree = ctx.reg.typeTree(rt)!;
    if (!trees.includes(baseTree)) trees.unshift(baseTree);
    // A Bundle gives its entries a reference-resolution context.
    const savedBundle = ctx.bundle;
    const savedBundleRes = ctx.bundleResource;
    if (rt === 'Bundle') {
      const entries = res.entry;
      if (Array.isArray(entries) && entries.length > MAX_ENTRIES) {
        issue(ctx, 'error', 'too-costly', `A Bundle may have at most ${MAX_ENTRIES} entries (found ${entries.length})`, path, 'too-many-entries');
        return;
      }
      ctx.bundle = indexBundle(res, ctx.forceDocument === true && path === 'Bundle');
      ctx.bundleResource = res as Resource;
    }
    try {
      validateAgainst(res, trees, path, ctx);
      if (rt === 'Bundle') checkBundleRules(res, path, ctx);
      else if (MODULE_TYPES.has(rt)) checkModuleRules(res, path, ctx);
    } finally {
      ctx.bundle = savedBundle;
      ctx.bundleResource = savedBundleRes;
    }
    for (const check of ctx.extraChecks) {
      try {
        ctx.issues.push(...check(res as Resource, path));
      } catch {
        issue(ctx, 'information', 'informational', 'An additional check failed and was skipped', path, 'extra-check-failed');
      }
    }
  } finally {
    ctx.resource = savedRes;
    dedupe(ctx.issues, start);
  }
}

const ENTRY_RESOURCE = /\.entry\[(\d+)\]\.resource$/;

// Entries of a Bundle get the fullUrl context; other nested resources keep the outer one.
setNestedValidator((res, path, ctx, profiles) => {
  const m = ENTRY_RESOURCE.exec(path);
  const savedFull = ctx.entryFullUrl;
  const savedRoot = ctx.root;
  if (m && ctx.bundle) {
    ctx.entryFullUrl = ctx.bundle.fullUrls[Number(m[1])];
    ctx.root = res as Resource;
  }
  try {
    validateResourceAt(res, path, ctx, [], profiles);
  } finally {
    ctx.entryFullUrl = savedFull;
    ctx.root = savedRoot;
  }
});
