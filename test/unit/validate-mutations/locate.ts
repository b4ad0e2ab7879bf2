/**
 * Finds things in a fixture document Bundle by meaning (resource type, section LOINC code,
 * identifier system) so that every mutation's expected FHIRPath is computed from the fixture's
 * actual entry indexes, never hard-coded. Throws TypeError when a fixture lacks what a mutation
 * needs: that is a test-authoring mistake, not a validation result.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
/** LOINC 11535-2 Hospital discharge Dx Narrative: the 出院诊断 section. */
export const DISCHARGE_DX = '11535-2';

export function entries(b: Json): Json[] {
  return b.entry as Json[];
}

/** Index of the `nth` entry (0-based) whose resource has `type`. */
export function entryIndex(b: Json, type: string, nth = 0): number {
  const idx = entries(b).map((e, i) => (e.resource?.resourceType === type ? i : -1)).filter((i) => i >= 0);
  const i = idx[nth];
  if (i === undefined) throw new TypeError(`fixture has no ${type} #${nth}`);
  return i;
}

export function hasType(b: Json, type: string): boolean {
  return entries(b).some((e) => e.resource?.resourceType === type);
}

/** Index of the first entry whose resource has `type` and carries `element`. */
export function firstEntryWith(b: Json, type: string, element: string): number {
  const i = entries(b).findIndex((e) => e.resource?.resourceType === type && e.resource[element] !== undefined);
  if (i < 0) throw new TypeError(`fixture has no ${type} with ${element}`);
  return i;
}

export function resourceAt(b: Json, i: number): Json {
  return entries(b)[i]!.resource as Json;
}

/** FHIRPath of the resource of entry `i`. */
export function at(i: number, tail = ''): string {
  return `Bundle.entry[${i}].resource${tail}`;
}

export function composition(b: Json): Json {
  return resourceAt(b, 0);
}

/** Index of the Composition section coded with LOINC `code`. */
export function sectionIndex(b: Json, code: string): number {
  const i = (composition(b).section as Json[]).findIndex((s) => (s.code?.coding ?? []).some((c: Json) => c.code === code));
  if (i < 0) throw new TypeError(`fixture has no section ${code}`);
  return i;
}

/** Index of the Patient's identifier in `system` (-1 when absent). */
export function identifierIndex(patient: Json, system: string): number {
  return ((patient.identifier ?? []) as Json[]).findIndex((id) => id.system === system);
}

export function fullUrlOf(b: Json, i: number): string {
  return entries(b)[i]!.fullUrl as string;
}

/**
 * A GB 11643 resident ID whose ISO 7064 MOD 11-2 check character is wrong: the valid number with
 * its last character replaced by another one.
 */
export function breakCheckCharacter(valid: string): string {
  const last = valid.at(-1)!.toUpperCase();
  return valid.slice(0, 17) + (last === '0' ? '1' : '0');
}

/** The GB 11643 check character of 17 digits (ISO 7064 MOD 11-2). */
export function checkCharacter(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, k) => s + Number(d) * weights[k]!, 0);
  return '10X98765432'[sum % 11]!;
}
