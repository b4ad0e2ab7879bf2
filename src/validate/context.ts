/**
 * Per-request validation state and the hooks callers plug in.
 *
 * Invariants: one Ctx per top-level validate call (nothing shared between requests); the element
 * budget bounds work on hostile input (a request that exceeds it gets one `too-costly` error, not a
 * crashed or hung server); nesting is bounded separately (MAX_DEPTH), so the recursive walk can
 * never overflow the stack.
 */
import type { Issue } from '../errors.js';
import type { Resource } from '../fhir/types.js';
import type { ProfileRegistry } from './registry.js';
import type { Plans } from './walk-plan.js';
import type { Counts } from './walk-cardinality.js';

type Json = Record<string, unknown>;

/** Maximum JSON elements (objects, array items, primitives) visited per validate call. */
export const MAX_ELEMENTS = 1_000_000;
/** Maximum Bundle entries accepted in one document / Bundle. */
export const MAX_ENTRIES = 20_000;
/** Maximum nesting of objects (resources inside resources included). */
export const MAX_DEPTH = 64;

export interface SelectorContext {
  /** FHIRPath of the resource (`Bundle.entry[2].resource`). */
  path: string;
  /** The enclosing Bundle when the resource is an entry. */
  bundle?: Resource;
  /** The document's Composition, when validating a document. */
  composition?: Resource;
}

/** Picks extra profile URLs for a resource by its content (e.g. the CN discharge summary profile). */
export type ProfileSelector = (resource: Resource, context: SelectorContext) => string[];
/** Extra domain checks (e.g. Chinese resident ID checksum) run on every resource. */
export type ExtraCheck = (resource: Resource, path: string) => Issue[];

export class LimitExceeded extends Error {}

/**
 * Thrown by issue() inside a conformance probe at the probe's first error that counts
 * (walk-probe.ts): a probe only asks "any error?", so the rest of its walk cannot change the
 * answer. One shared instance: no stack trace is captured per failed probe.
 */
export class ProbeFailed {
  private constructor() {}
  static readonly instance = new ProbeFailed();
}

/** The errors that make a probed value non-conforming (walk-probe.ts keeps the same rule). */
export function failsProbe(severity: Issue['severity'], rule: string | undefined): boolean {
  return (severity === 'error' || severity === 'fatal') && !rule?.startsWith('reference-');
}

export interface BundleIndex {
  /** fullUrl → entry index (the first) */
  byFullUrl: Map<string, number>;
  /** fullUrl → every entry index, only for fullUrls shared by several entries (versions). */
  sharedFullUrls: Map<string, number[]>;
  /** `Type/id` → entry indexes */
  byTypeId: Map<string, number[]>;
  fullUrls: (string | undefined)[];
  isDocument: boolean;
  /** A message Bundle: like a document, it must hold what it references (R4 messaging.html). */
  isMessage: boolean;
}

export interface Ctx {
  reg: ProfileRegistry;
  issues: Issue[];
  budget: number;
  depth: number;
  /** The resource whose elements are being walked (%resource). */
  resource: Resource;
  /** The outermost resource (%rootResource). */
  root: Resource;
  /** Index of the Bundle (if any) the current resource is an entry of. */
  bundle?: BundleIndex;
  /** Resources of the top-level Parameters by `Type/id`, when references must resolve (checkReferencesExist). */
  parameterResources?: Map<string, Json>;
  /** fullUrl of the current Bundle entry. */
  entryFullUrl?: string;
  selectors: readonly ProfileSelector[];
  extraChecks: readonly ExtraCheck[];
  composition?: Resource;
  bundleResource?: Resource;
  /** Treat the top-level Bundle as a document whatever its type (validateDocument). */
  forceDocument?: boolean;
  unknownExtensionSeverity: 'warning' | 'error';
  allowedExtensionDomains: readonly string[];
  allowExampleUrls: boolean;
  securityChecks: boolean;
  noHtmlInMarkdown: boolean;
  validateContained: boolean;
  checkReferencesExist: boolean;
  /** Set while probing whether a value conforms to a slice's profile (not the reported walk). */
  probe?: boolean;
  /** Cardinality counts by nesting depth (walk-cardinality.ts), reused within the request. */
  countPool?: Counts[];
  /** The validator's walk plans (walk-plan.ts), shared by its requests. */
  plans?: Plans;
  /** Per-request memo of slice profile probes: value → profile → conforms. */
  conformsMemo?: WeakMap<object, Map<string, boolean>>;
}

export function issue(
  ctx: Ctx,
  severity: Issue['severity'],
  code: string,
  diagnostics: string,
  expression: string,
  rule?: string,
): void {
  ctx.issues.push({ severity, code, diagnostics, expression: [expression], ...(rule ? { rule } : {}) });
  if (ctx.probe && failsProbe(severity, rule)) throw ProbeFailed.instance;
}

export function tick(ctx: Ctx): void {
  if (--ctx.budget < 0) throw new LimitExceeded(`more than ${MAX_ELEMENTS} elements`);
}

const EXAMPLE_URL = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*\.)?example\.org([:/?#]|$)/i;

/** An example URL (RFC 2606 reserved host example.org, or a subdomain of it), as HL7's validator recognises them. */
export function isExampleUrl(url: string): boolean {
  return EXAMPLE_URL.test(url);
}
