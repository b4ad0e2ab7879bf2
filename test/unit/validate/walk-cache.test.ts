/**
 * The walk memoises what it derives from the trees (walk plans per registry and lane nodes, name
 * maps, runners). Validators share the R4 core trees, so a memo keyed wrongly would leak one
 * validator's profiles or results into another's. These tests interleave validators with
 * different resources over the same instances and compare each answer with a fresh validator's.
 */
import { expect } from 'chai';
import { createValidator } from '../../../src/validate/index.js';
import type { Resource } from '../../../src/fhir/types.js';

const URL = 'https://emr-gateway.example.org/fhir/StructureDefinition/cache-female';
const female: Resource = {
  resourceType: 'StructureDefinition',
  url: URL,
  name: 'CacheFemale',
  status: 'active',
  kind: 'resource',
  abstract: false,
  type: 'Patient',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient',
  derivation: 'constraint',
  differential: {
    element: [
      { id: 'Patient.gender', path: 'Patient.gender', fixedCode: 'female' },
      { id: 'Patient.contact', path: 'Patient.contact', max: '0' },
    ],
  },
};

const patients: Record<string, unknown>[] = [
  { resourceType: 'Patient', meta: { profile: [URL] }, gender: 'male', contact: [{ name: { family: 'Li' } }] },
  { resourceType: 'Patient', meta: { profile: [URL] }, gender: 'female', birthDate: '1980-02-30' },
  { resourceType: 'Patient', gender: 'other', contact: [{ period: { start: '2024-02-01', end: '2024-01-01' } }] },
];

describe('validate: memoised walk data never crosses validators', () => {
  it('interleaved validators with and without a profile answer as fresh ones do', () => {
    const fresh = (withProfile: boolean) => createValidator({ resources: withProfile ? [female] : [] });
    const expected = patients.map((p) => [JSON.stringify(fresh(true).validateResource(p)), JSON.stringify(fresh(false).validateResource(p))]);
    const a = fresh(true);
    const b = fresh(false);
    for (let round = 0; round < 3; round++) {
      patients.forEach((p, i) => {
        expect(JSON.stringify(b.validateResource(p)), `round ${round}, patient ${i}, without profile`).to.equal(expected[i]![1]);
        expect(JSON.stringify(a.validateResource(p)), `round ${round}, patient ${i}, with profile`).to.equal(expected[i]![0]);
      });
    }
  });

  it('the profile lane reports what the base lane does not', () => {
    const a = createValidator({ resources: [female] });
    const b = createValidator({ resources: [] });
    const rules = (r: { issues: { rule?: string }[] }) => r.issues.map((i) => i.rule);
    expect(rules(a.validateResource(patients[0]))).to.include('fixed');
    expect(rules(a.validateResource(patients[0]))).to.include('max-cardinality');
    expect(rules(b.validateResource(patients[0]))).to.not.include('fixed');
    expect(rules(b.validateResource(patients[0]))).to.include('profile-unknown');
    expect(rules(b.validateResource(patients[2]))).to.include('per-1');
  });
});
