// Shared test fixtures for the consent stage: a deterministic randomBytes, a trust-list resolver
// and a valid $grant Parameters builder (each test varies one thing).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Parameters, ParametersParameter } from '../../../src/fhir/types.js';
import type { ResolveOrganization } from '../../../src/consent/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const shared = path.resolve(repoRoot, '../shared');
export const corpus = path.join(shared, 'corpus');

/** Counter-based bytes: distinct per call, same sequence every run. */
export function seededRandom(seed = 1): (n: number) => Uint8Array {
  let counter = seed;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (counter * 31 + i * 7) & 0xff;
    counter++;
    return out;
  };
}

export const NOW = new Date('2025-03-01T08:00:00Z');

export const resolveOrganization: ResolveOrganization = (id) =>
  id === 'charite'
    ? { id: 'charite', name: 'Charité – Universitätsmedizin Berlin', contact: { text: 'privacy@charite.example.org', email: 'privacy@charite.example.org' }, country: 'DE' }
    : undefined;

export const PATIENT = { system: 'urn:oid:2.16.156.10011.1.3', value: '11010519491231002X' };

export function grantParams(overrides: Record<string, ParametersParameter[] | null> = {}): Parameters {
  const base: Record<string, ParametersParameter[]> = {
    patient: [{ name: 'patient', valueIdentifier: PATIENT }],
    recipient: [{ name: 'recipient', valueReference: { reference: 'Organization/charite' } }],
    purpose: [{ name: 'purpose', valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' } }],
    document: [{ name: 'document', valueReference: { reference: 'Bundle/doc-1' } }],
    end: [{ name: 'end', valueDateTime: '2025-06-01T00:00:00Z' }],
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete base[k];
    else base[k] = v;
  }
  return { resourceType: 'Parameters', parameter: Object.values(base).flat() };
}
