/**
 * Reference resolution inside a Bundle (FHIR R4 bundle.html "Resolving references in Bundles"):
 * by `fullUrl` (urn:uuid:… or absolute), or by `Type/id` relative references.
 */
import type { Bundle, Resource } from './types.js';

export interface BundleIndex {
  resolve(reference: string | undefined): { resource: Resource; index: number } | undefined;
}

export function indexBundle(bundle: Bundle): BundleIndex {
  const byRef = new Map<string, { resource: Resource; index: number }>();
  (bundle.entry ?? []).forEach((e, index) => {
    const r = e?.resource;
    if (!r || typeof r !== 'object') return;
    if (typeof e.fullUrl === 'string') byRef.set(e.fullUrl, { resource: r, index });
    if (typeof r.resourceType === 'string' && typeof r.id === 'string') {
      const rel = `${r.resourceType}/${r.id}`;
      if (!byRef.has(rel)) byRef.set(rel, { resource: r, index });
    }
  });
  return {
    resolve(reference) {
      if (typeof reference !== 'string') return undefined;
      const direct = byRef.get(reference);
      if (direct) return direct;
      // An absolute URL ending in Type/id resolves to the entry with that Type/id.
      const m = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(reference);
      return m ? byRef.get(m[1]!) : undefined;
    },
  };
}
