/**
 * Builds FHIR R4 searchset Bundles with paging links (FHIR R4 http.html#paging).
 */
import type { Bundle, Resource } from '../fhir/types.js';

export function searchsetBundle(
  resources: Resource[],
  total: number,
  page: { count: number; offset: number },
  selfUrl: string,
  now: Date,
  id: string,
): Bundle {
  const url = new URL(selfUrl);
  const link = (relation: string, offset: number) => {
    const u = new URL(url);
    u.searchParams.set('_count', String(page.count));
    u.searchParams.set('_offset', String(offset));
    return { relation, url: u.toString() };
  };
  const links = [{ relation: 'self', url: url.toString() }];
  if (page.offset + page.count < total) links.push(link('next', page.offset + page.count));
  if (page.offset > 0) links.push(link('previous', Math.max(0, page.offset - page.count)));
  return {
    resourceType: 'Bundle',
    id,
    meta: { lastUpdated: now.toISOString() },
    type: 'searchset',
    total,
    link: links,
    entry: resources.map((r) => ({
      fullUrl: `${url.origin}${url.pathname.replace(/\/[^/]*$/, '')}/${r.resourceType}/${r.id}`,
      resource: r,
      search: { mode: 'match' },
    })),
  };
}
