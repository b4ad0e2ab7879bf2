/**
 * Shared helpers for the terminology tests: where the shared sources and the generated output
 * are, and a cached full build (one build per mocha run keeps the suite at a few seconds).
 * GPL files are read ONLY here in tests, to check our output against them — never to produce it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll, type BuildResult } from '../../../src/tools/terminology/build.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = path.resolve(REPO, '../shared');
export const SOURCES = path.join(SHARED, 'terminology-sources');
export const GENERATED = path.join(REPO, 'fhir-profiles', 'terminology');

let cached: BuildResult | undefined;
export function fullBuild(): BuildResult {
  cached ??= buildAll(SOURCES);
  return cached;
}

export function tsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const head = lines[0]!.split('\t');
  return lines.slice(1).map((l) => {
    const c = l.split('\t');
    return Object.fromEntries(head.map((h, i) => [h, c[i] ?? '']));
  });
}

/** Every string value inside a JSON value (for "is this text present anywhere" checks). */
export function collectStrings(v: unknown, into: Set<string>): Set<string> {
  if (typeof v === 'string') into.add(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, into);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collectStrings(x, into);
  return into;
}

export function pct(n: number, d: number): string {
  return `${((100 * n) / d).toFixed(1)}%`;
}
