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

/**
 * The resource types a searchset's self link searched for (`[base]/Patient?..` or `[base]?_type=A,B`,
 * R4 search.html §3.1.1.2), or undefined when the link does not say.
 */
function searchedTypes(url: string, ctx: Ctx): string[] | undefined {
  const q = url.indexOf('?');
  const p = q < 0 ? url : url.slice(0, q);
  const last = p.slice(p.lastIndexOf('/') + 1);
  if (ctx.reg.isResourceType(last)) return [last];
  if (q < 0) return undefined;
  for (const kv of url.slice(q + 1).split('&')) {
    const [k, v] = kv.split('=');
    if (k === '_type' && v) return decodeURIComponent(v).split(',').filter((t) => ctx.reg.isResourceType(t));
  }
  return undefined;
}

/** Search entries (R4 bundle.html#searchset, search.html §3.1.1.4): outcome vs match, ids, searched types. */
function checkSearchEntry(entry: Json, res: Json, rp: string, types: string[] | undefined, ctx: Ctx): void {
  const mode = (entry.search as Json | undefined)?.mode;
  const rt = String(res.resourceType);
  if (mode === 'outcome') {
    if (rt !== 'OperationOutcome') issue(ctx, 'error', 'invalid', `This is not an OperationOutcome (${rt})`, rp, 'bundle-search-outcome');
    return;
  }
  // Without a mode, an OperationOutcome is taken as the search's outcome (it has no id to give).
  if (mode === undefined && rt === 'OperationOutcome') return;
  if (typeof res.id !== 'string') issue(ctx, 'error', 'invalid', 'Search results must have ids', rp, 'bundle-search-id');
  if (mode === 'match' && types?.length && !types.includes(rt)) {
    issue(ctx, 'error', 'invalid', `This is not a matching resource type for the specified search (${rt} expecting [${types.join(', ')}])`, rp, 'bundle-search-type');
  }
}

export function checkBundleRules(b: Json, path: string, ctx: Ctx): void {
  const entries = Array.isArray(b.entry) ? (b.entry as unknown[]) : [];
  const links = Array.isArray(b.link) ? (b.link as Json[]) : [];
  const selfLink = links.find((l) => l && l.relation === 'self' && typeof l.url === 'string');
  const searchTypes = b.type === 'searchset' && selfLink ? searchedTypes(String(selfLink.url), ctx) : undefined;
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
    if (b.type === 'searchset' && res) checkSearchEntry(entry, res, `${ep}.resource`, searchTypes, ctx);
  });
  if (b.type === 'searchset') {
    if (!selfLink) issue(ctx, 'warning', 'invalid', 'SearchSet Bundles should have a self link that specifies what the search was', path, 'bundle-search-self');
    // With the searched types known, HL7's validator tells matches from outcomes without modes.
    if (!searchTypes && entries.some((e) => e && typeof e === 'object' && typeof ((e as Json).search as Json | undefined)?.mode !== 'string')) {
      issue(ctx, 'warning', 'invalid', 'SearchSet bundles should have search modes on the entries', path, 'bundle-search-mode');
    }
  }
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
