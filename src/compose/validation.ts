/**
 * Builds the validator from the conformance resources in fhir-profiles/ (our Chinese profiles,
 * consent profiles, IPS packages, terminology) with the Chinese checks and the profile selector
 * that recognises a discharge summary by its Composition type (DOMAIN.md "What hospitals send").
 *
 * Memory (issue 10, ≤ 300 MB resident): the conformance resources — ours and the R4 core set the
 * validator loads — stay referenced for the life of the process (raw StructureDefinitions compiled
 * on first use, CodeSystems for code checks, the translator's indexes point into them). Before the
 * validator sees them they are compacted in place, without changing what any reader finds:
 *  - the narrative `text` of each conformance resource is dropped: 32 MB of XHTML (R4 core 27 MB,
 *    fhir-profiles 4.6 MB; ≈ 49 MB of heap) that neither validation (snapshots, differentials,
 *    concepts) nor translation (concepts, designations, maps) reads — FHIR R4 narrative.html: the
 *    narrative is for human readers; it carries nothing computable beyond the resource's data;
 *  - equal short strings are made one string (the same system URLs, the ele-1 constraint text on
 *    every element, designation `use` codes repeated tens of thousands of times: ≈ 30 MB).
 */
import { loadBaseR4, loadFhirResources } from '../profiles/load.js';
import { createValidator, type Validator } from '../validate/index.js';
import { chineseChecks, chineseProfileSelector } from '../validate/chinese/index.js';
import { GatewayError, type Issue } from '../errors.js';
import { hasErrors } from '../fhir/outcome.js';
import type { Bundle, Resource } from '../fhir/types.js';
import type { ValidationPool } from './validation-pool.js';

/** Strings up to this length are interned: longer ones are rarely repeated and cost the most to hash. */
const INTERN_MAX_LENGTH = 200;

/**
 * Drops each resource's narrative and makes equal short strings one string, in place. Only string
 * values are replaced by equal strings and only the top-level `text` is removed, so every read of
 * any other element gives the same value. Idempotent (the R4 core set is a per-process cache that
 * a second gateway in the same process, e.g. in tests, finds already compacted).
 */
export function compactConformanceResources(resources: readonly Resource[], table = new Map<string, string>()): void {
  const visit = (v: Record<string, unknown> | unknown[]): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === 'string') {
          if (x.length > INTERN_MAX_LENGTH) continue;
          const c = table.get(x);
          if (c === undefined) table.set(x, x);
          else v[i] = c;
        } else if (typeof x === 'object' && x !== null) visit(x as Record<string, unknown>);
      }
      return;
    }
    for (const k in v) {
      const x = v[k];
      if (typeof x === 'string') {
        if (x.length > INTERN_MAX_LENGTH) continue;
        const c = table.get(x);
        if (c === undefined) table.set(x, x);
        else v[k] = c;
      } else if (typeof x === 'object' && x !== null) visit(x as Record<string, unknown>);
    }
  };
  for (const r of resources) {
    if ('text' in r) delete (r as { text?: unknown }).text;
    visit(r as Record<string, unknown>);
  }
}

/**
 * Our conformance resources only, compacted, for a main thread whose validation runs in worker
 * threads (validation-pool.ts): the translator needs them, but neither the R4 core set nor a
 * validator is then built here (≈ 200 MB resident saved; each worker builds its own).
 */
export function loadConformanceResources(profileDirs: string[]): Resource[] {
  const resources = loadFhirResources(profileDirs);
  compactConformanceResources(resources);
  return resources;
}

export function buildValidator(profileDirs: string[]): { validator: Validator; resources: Resource[] } {
  const resources = loadFhirResources(profileDirs);
  // The R4 core set is loaded (once per process) by the validator; compacted here first.
  const table = new Map<string, string>();
  compactConformanceResources(loadBaseR4(), table);
  compactConformanceResources(resources, table);
  table.clear();
  const validator = createValidator({ resources, profileSelectors: [chineseProfileSelector], extraChecks: chineseChecks });
  return { validator, resources };
}

/**
 * Lets the event loop run pending I/O (other requests, `/healthz`) between synchronous stages of a
 * large submission: parse, validation and canonical hashing would otherwise be one blocking span
 * (issue 10: no request blocked > 1 s; at 5,000 entries the whole chain was one ≈ 1 s span).
 */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Documents from this many entries on yield before and after validation. */
const YIELD_FROM_ENTRIES = 200;

/**
 * The intake check: errors refuse the document with a 422 carrying every issue; warnings travel on.
 * With a worker pool (VALIDATION_WORKERS ≥ 1) validation runs off the event loop; with a bare
 * validator it runs here, yielding around large documents.
 */
export function documentCheck(validator: Validator | ValidationPool) {
  return async (bundle: Bundle): Promise<{ issues: Issue[] }> => {
    let issues: Issue[];
    if ('validateDocument' in validator) {
      const large = Array.isArray(bundle.entry) && bundle.entry.length >= YIELD_FROM_ENTRIES;
      if (large) await yieldToEventLoop();
      issues = validator.validateDocument(bundle).issues;
      if (large) await yieldToEventLoop();
    } else {
      issues = (await validator.validate(bundle, 'document')).issues;
    }
    if (hasErrors(issues)) {
      const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').length;
      throw new GatewayError('VALIDATION_FAILED', `The document does not conform: ${errors} error(s).`, { issues });
    }
    return { issues };
  };
}

/** $validate: a document Bundle gets the document rules, anything else the resource rules. */
export function resourceCheck(validator: Validator | ValidationPool) {
  return async (resource: Resource, profiles: string[]): Promise<{ issues: Issue[] }> => {
    const mode = resource.resourceType === 'Bundle' && (resource as { type?: string }).type === 'document' ? 'document' : 'resource';
    if ('validateDocument' in validator) {
      return mode === 'document' ? validator.validateDocument(resource, { profiles }) : validator.validateResource(resource, { profiles });
    }
    return validator.validate(resource, mode, profiles);
  };
}
