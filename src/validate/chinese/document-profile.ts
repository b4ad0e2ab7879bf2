/**
 * Picks the Chinese document profile for a hospital's Bundle. Hospitals usually send no
 * `meta.profile` (DOMAIN.md, What hospitals send): a Bundle whose FIRST entry is a Composition
 * with type C0053 (urn:oid:2.16.156.10011.2.4) and/or LOINC 18842-5 is a discharge summary and is
 * held to cn-discharge-summary-bundle whatever its Bundle.type, so a wrong type gets reported.
 *
 * Invariant: pure, total on untrusted input (returns undefined rather than throwing).
 */

export const CN_BASE = 'https://emr-gateway.example.org/fhir';
export const CN_DISCHARGE_SUMMARY_BUNDLE = `${CN_BASE}/StructureDefinition/cn-discharge-summary-bundle`;

/** Composition.type codings that mark a Chinese discharge summary. */
export const DISCHARGE_SUMMARY_TYPES: readonly { system: string; code: string }[] = [
  { system: 'urn:oid:2.16.156.10011.2.4', code: 'C0053' },
  { system: 'http://loinc.org', code: '18842-5' },
];

/** The canonical URL of the profile the Bundle must meet, or undefined when none of ours applies. */
export function chineseDocumentProfile(bundle: unknown): string | undefined {
  if (!bundle || typeof bundle !== 'object') return undefined;
  const b = bundle as { resourceType?: unknown; entry?: unknown };
  if (b.resourceType !== 'Bundle' || !Array.isArray(b.entry)) return undefined;
  const first = b.entry[0] as { resource?: { resourceType?: unknown; type?: { coding?: unknown } } } | undefined;
  const composition = first?.resource;
  if (!composition || composition.resourceType !== 'Composition') return undefined;
  const codings = Array.isArray(composition.type?.coding) ? composition.type.coding : [];
  const matches = codings.some(
    (c: unknown) =>
      !!c && typeof c === 'object' &&
      DISCHARGE_SUMMARY_TYPES.some((t) => t.system === (c as { system?: unknown }).system && t.code === (c as { code?: unknown }).code),
  );
  return matches ? CN_DISCHARGE_SUMMARY_BUNDLE : undefined;
}

/**
 * The engine's ProfileSelector shape (src/validate/context.ts), kept structural so this folder does
 * not depend on the engine: the top-level Bundle of a Chinese discharge summary gets our profile.
 */
export function chineseProfileSelector(resource: unknown, context: { path: string }): string[] {
  if (context.path !== 'Bundle') return [];
  const url = chineseDocumentProfile(resource);
  return url ? [url] : [];
}
