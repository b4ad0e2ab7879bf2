/**
 * Shared, lazily built test fixtures for the translation tests: conformance resources loaded once
 * per mocha process, one translator (fixed key and clock), one validator (IPS + cn profiles), the
 * discharge-summary fixtures and the IPS example Bundles from ../shared/corpus.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, Resource } from '../../../src/fhir/types.js';
import { loadFhirResources } from '../../../src/profiles/load.js';
import { createTranslator, type Translator } from '../../../src/translate/index.js';
import { createValidator, type Validator } from '../../../src/validate/index.js';

export const root = path.resolve(import.meta.dirname, '../../..');
export const shared = path.resolve(root, '../shared');
export const KEY = 'test-pseudonym-secret-0123456789';
export const FIXED_CLOCK = () => new Date('2024-06-01T00:00:00Z');

let resources: Resource[] | undefined;
let translator: Translator | undefined;
let validator: Validator | undefined;

export function conformance(): Resource[] {
  resources ??= loadFhirResources([path.join(root, 'fhir-profiles')]);
  return resources;
}

export function getTranslator(): Translator {
  translator ??= createTranslator({ resources: conformance(), pseudonymKey: KEY, clock: FIXED_CLOCK });
  return translator;
}

export function getValidator(): Validator {
  validator ??= createValidator({ resources: conformance() });
  return validator;
}

export const FIXTURES = ['cn-ami-pci', 'cn-t2dm-htn', 'cn-lap-chole', 'foreign-passport-pneumonia'] as const;

export function fixture(name: string): Bundle {
  return JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', `${name}.json`), 'utf8')) as Bundle;
}

/** The IPS example document Bundles (2.0.0 and 1.1.0), name → Bundle. */
export function ipsExamples(): [string, Bundle][] {
  const out: [string, Bundle][] = [];
  for (const v of ['2.0.0', '1.1.0']) {
    const dir = path.join(shared, 'corpus', `ips-uv-${v}`, 'package', 'example');
    for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('Bundle-')).sort()) {
      const b = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Bundle;
      if (b.type === 'document') out.push([`${v}/${f}`, b]);
    }
  }
  return out;
}
