/**
 * Terminology build tool (issue 5): generates the FHIR CodeSystems, supplements and ConceptMaps in
 * fhir-profiles/terminology/ from ../shared/terminology-sources and our manual/ lists.
 *
 *   npm run terminology -- [sourcesDir] [--out dir] [--slice N]
 *
 * sourcesDir defaults to ../shared/terminology-sources beside the repository. --slice limits the
 * big ICD sources to their first N rows (tests). Output is deterministic: no clock, fixed key
 * order, fixed file order; re-running on the same input gives byte-identical files.
 * Licence rule: GPL files (GNU Health, under drugs/ and icd-en-bilingual/) are never read here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, serialise } from './io.js';
import { buildIcd10, loadIcd10Inputs, type Icd10Stats } from './icd10.js';
import { buildIcd9, loadIcd9Inputs, type Icd9Stats } from './icd9.js';
import { buildDrugs, buildFrequencies, buildRoutes, buildTcm } from './clinical-manual.js';
import { buildIpsSupplements, buildLoincSupplement } from './supplements.js';
import { buildAdmin } from './admin.js';
import { buildDesignationUse } from './designation-use.js';
import type { Output } from './resources.js';

export const DEFAULT_SOURCES = path.resolve(REPO_ROOT, '../shared/terminology-sources');
export const DEFAULT_OUT = path.join(REPO_ROOT, 'fhir-profiles', 'terminology');

export interface BuildResult {
  outputs: Output[];
  icd10: Icd10Stats;
  icd9: Icd9Stats;
}

export function buildAll(sourcesDir: string = DEFAULT_SOURCES, slice?: number): BuildResult {
  const icd10 = buildIcd10(loadIcd10Inputs(sourcesDir, slice));
  const icd9 = buildIcd9(loadIcd9Inputs(sourcesDir, slice));
  const outputs = [
    ...icd10.outputs, ...icd9.outputs, ...buildTcm(), ...buildDrugs(), ...buildRoutes(), ...buildFrequencies(),
    buildLoincSupplement(), ...buildIpsSupplements(), ...buildAdmin(sourcesDir), buildDesignationUse(),
  ];
  const names = new Set<string>();
  for (const o of outputs) {
    if (names.has(o.file)) throw new TypeError(`duplicate output file ${o.file}`);
    names.add(o.file);
  }
  return { outputs, icd10: icd10.stats, icd9: icd9.stats };
}

/** Serialise every output; returns file name → text (what writeAll writes). */
export function renderAll(result: BuildResult): Map<string, string> {
  return new Map(result.outputs.map((o) => [o.file, serialise(o.resource, o.compact)]));
}

export function writeAll(result: BuildResult, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [file, text] of renderAll(result)) {
    fs.writeFileSync(path.join(outDir, file), text);
    written.push(file);
  }
  return written;
}

function pct(n: number, d: number): string {
  return d === 0 ? '0.0%' : `${((100 * n) / d).toFixed(1)}%`;
}

export function summary(r: BuildResult): string[] {
  const a = r.icd10;
  const b = r.icd9;
  return [
    `ICD-10 China: ${a.sourceCodes} codes, ${a.mapped} mapped to WHO (${a.mappedToSubcategory} subcategory, ${a.mappedToCategory} category), ${a.unmapped} unmapped, ${a.daggerAsteriskPairs} dagger–asterisk pairs`,
    `ICD-10 English title: ${a.withEnglishTitle} (${pct(a.withEnglishTitle, a.sourceCodes)}) exact target, ${a.withEnglishTitleIncludingCategory} (${pct(a.withEnglishTitleIncludingCategory, a.sourceCodes)}) counting the category title`,
    `ICD-10 reverse WHO → China head code: ${a.reverseEquivalent} of ${a.classRows} WHO codes`,
    `ICD-9-CM-3 China: ${b.sourceCodes} codes, ${b.mapped} mapped to ICD-9-CM, ${b.withEnglishTitle} (${pct(b.withEnglishTitle, b.sourceCodes)}) with an English title (manual list of ${b.manualTitles})`,
  ];
}

export function main(argv: string[]): number {
  let sources = DEFAULT_SOURCES;
  let out = DEFAULT_OUT;
  let slice: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') out = path.resolve(argv[++i] ?? '');
    else if (a === '--slice') slice = Number(argv[++i]);
    else if (a.startsWith('--')) {
      console.error(`unknown option ${a}`);
      return 2;
    } else sources = path.resolve(a);
  }
  if (slice !== undefined && !(Number.isInteger(slice) && slice > 0)) {
    console.error('--slice needs a positive integer');
    return 2;
  }
  const result = buildAll(sources, slice);
  const files = writeAll(result, out);
  for (const line of summary(result)) console.log(line);
  console.log(`wrote ${files.length} files to ${path.relative(process.cwd(), out) || '.'}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
