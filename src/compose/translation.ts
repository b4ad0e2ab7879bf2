/**
 * What the main thread reads for the translator when validation runs in worker threads
 * (validation-pool.ts): only the CodeSystems and ConceptMaps of fhir-profiles/ — the terminology
 * indexes of src/translate/terminology.ts read nothing else — file by file.
 *
 * Issue 10, resident memory: the translator's indexes are built while the files are read, each
 * parsed file being garbage once indexed, rather than from all conformance resources held at once
 * (≈ 150 MB of heap at the peak, which the process keeps as committed pages afterwards). The
 * indexes intern the strings they keep themselves, so no compaction of the resources is needed.
 */
import { iterateFhirResources } from '../profiles/load.js';
import type { Resource } from '../fhir/types.js';

const TRANSLATION_TYPES: ReadonlySet<string> = new Set(['CodeSystem', 'ConceptMap']);

export function translationResources(profileDirs: string[]): Iterable<Resource> {
  return iterateFhirResources(profileDirs, TRANSLATION_TYPES);
}
