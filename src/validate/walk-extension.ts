/**
 * One Extension value (R4 extensibility.html): the definition it is walked against — the lane's
 * declared extension profile, else the StructureDefinition its `url` names — and the issue when
 * that definition is not held (information, warning or error, as HL7's validator decides by
 * namespace, allowed domains and example URLs).
 *
 * Invariants: an extension whose definition is not held is still walked against the lane's
 * Extension node (shape and primitives are checked); a slice (`node.sliceName`) never reports a
 * missing definition, the slicing has matched it already; a missing `url` is one error.
 */
import type { Ctx } from './context.js';
import { isExampleUrl, issue } from './context.js';
import type { ElementNode } from './model.js';
import { distinct, solo } from './walk-lanes.js';
import { walkComplex } from './walker.js';

type Json = Record<string, unknown>;

// Module constants and a helper, not literals and a closure in walkExtension: both allocate on
// every call (a RegExp object per literal evaluation, a context for the captured url).
const ABSOLUTE = /^https?:|^urn:/;
const CORE_NS = /^http:\/\/hl7\.org\/fhir\/([0-9.]+\/)?StructureDefinition\//;

function inDomains(url: string, domains: readonly string[]): boolean {
  for (const d of domains) if (url.startsWith(d)) return true;
  return false;
}

export function walkExtension(item: Json, nodes: readonly ElementNode[], path: string, ctx: Ctx): void {
  const url = typeof item.url === 'string' ? item.url : undefined;
  const trees: ElementNode[] = [];
  for (const node of nodes) {
    const declared = node.types[0]?.profiles[0];
    let tree = declared ? ctx.reg.structure(declared) : undefined;
    if (!tree && url && ABSOLUTE.test(url)) {
      tree = ctx.reg.structure(url);
      // Cross-version extensions (http://hl7.org/fhir/5.0/StructureDefinition/extension-…) are
      // defined by the FHIR version they come from, not by a StructureDefinition we could hold.
      // Core-namespace extensions we do not hold come from the HL7 extensions pack (hl7.fhir.uv.extensions).
      const coreNs = CORE_NS.test(url);
      const allowed = inDomains(url, ctx.allowedExtensionDomains);
      if (!tree && !node.sliceName && ctx.allowExampleUrls && isExampleUrl(url)) {
        // HL7's validator accepts unknown extensions from example URLs when examples are allowed.
      } else if (!tree && !node.sliceName && (coreNs || allowed)) {
        issue(ctx, 'information', 'informational', `The extension ${url} is not held by this validator, so its content was not checked`, path, 'extension-not-held');
      } else if (!tree && !node.sliceName) {
        issue(ctx, ctx.unknownExtensionSeverity, 'structure', `The extension ${url} could not be found, so its content cannot be checked`, path, 'extension-unknown');
      }
    }
    trees.push(tree ?? node);
  }
  if (url === undefined) {
    issue(ctx, 'error', 'invalid', 'Extension.url is required in order to identify, use and validate the extension', path, 'extension-url');
  }
  walkComplex(item, trees.length === 1 ? solo(trees[0]!) : distinct(trees), 'Extension', path, ctx, false);
}
