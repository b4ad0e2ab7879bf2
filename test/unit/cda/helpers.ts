/**
 * Shared test helpers for the CDA ingest tests: fixture loading and deterministic conversion.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { convertCdaDischargeSummary, type ConvertResult } from '../../../src/ingest/cda/index.js';
import type { Resource } from '../../../src/fhir/types.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/cda/', import.meta.url));
export const FIXTURES = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.xml')).sort();

export function fixture(name: string): string {
  return readFileSync(FIXTURE_DIR + name, 'utf8');
}

export const NOW = new Date('2024-09-01T02:00:00.000Z');

/** Deterministic UUIDs: 00000000-0000-4000-8000-000000000001, …002, … */
export function counterIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

export function convert(xml: string, limits?: Parameters<typeof convertCdaDischargeSummary>[1]['limits']): ConvertResult {
  return convertCdaDischargeSummary(xml, { now: () => NOW, newId: counterIds(), ...(limits ? { limits } : {}) });
}

export function resources(r: ConvertResult, type?: string): Record<string, any>[] {
  return (r.bundle.entry ?? [])
    .map((e) => e.resource as Resource)
    .filter((x) => !type || x.resourceType === type) as Record<string, any>[];
}

/** Call `fn` and return the error it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error to be thrown');
}
