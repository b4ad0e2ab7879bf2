/**
 * Bundle rules HL7's validator applies beyond the R4 invariants (FHIR R4 bundle.html §2.36.4
 * "fullUrl", §2.36.3 links, searchset rules of search.html): absolute fullUrls, RESTful fullUrls
 * that match the entry's type and id, each link relation at most once, ids on search matches.
 * Pure: reads the Bundle, appends issues.
 */
import type { Ctx } from './context.js';
import { issue } from './context.js';

type Json = Record<string, unknown>;

const REST = /^https?:\/\/.*\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

export function checkBundleRules(b: Json, path: string, ctx: Ctx): void {
  const entries = Array.isArray(b.entry) ? (b.entry as unknown[]) : [];
  entries.forEach((e, i) => {
    if (!e || typeof e !== 'object') return;
    const entry = e as Json;
    const ep = `${path}.entry[${i}]`;
    const res = entry.resource as Json | undefined;
    if (typeof entry.fullUrl === 'string') {
      const fu = entry.fullUrl;
      if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(fu)) {
        issue(ctx, 'error', 'invalid', `The fullUrl must be an absolute URL (not '${fu}')`, ep, 'bundle-fullurl-absolute');
      } else {
        const m = REST.exec(fu);
        if (m && res && ctx.reg.isResourceType(m[1]!) && (m[1] !== res.resourceType || (typeof res.id === 'string' && m[2] !== res.id))) {
          issue(ctx, 'error', 'invalid', `The fullUrl '${fu}' looks like a RESTful server URL, so it must end with the correct type and id (/${String(res.resourceType)}/${String(res.id)})`, ep, 'bundle-fullurl-rest');
        }
      }
    }
    if (b.type === 'searchset' && res && typeof res.id !== 'string' && (entry.search as Json | undefined)?.mode !== 'outcome') {
      issue(ctx, 'error', 'invalid', 'Search results must have ids', `${ep}.resource`, 'bundle-search-id');
    }
  });
  if (Array.isArray(b.link)) {
    const seen = new Set<string>();
    (b.link as Json[]).forEach((l, i) => {
      if (!l || typeof l.relation !== 'string') return;
      if (seen.has(l.relation)) {
        issue(ctx, 'error', 'invalid', `The link relationship type '${l.relation}' can only occur once`, `${path}.link[${i}]`, 'bundle-link-unique');
      }
      seen.add(l.relation);
    });
  }
}
