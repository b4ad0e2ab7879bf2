/**
 * Conformance probes (walk-probe.ts) stop at their first counting error and walk the members a
 * profile pins down first. These tests hold what that must not change: which slice an item is
 * given (an error anywhere in the candidate, first or last, still makes it fail), and the reported
 * walk of the same resource, which is never cut short (every one of its errors is reported).
 */
import { expect } from 'chai';
import { createValidator, type Validator } from '../../../src/validate/index.js';
import type { Issue } from '../../../src/errors.js';
import type { Resource } from '../../../src/fhir/types.js';

const BASE = 'https://emr-gateway.example.org/fhir/StructureDefinition/probe-';
type Json = Record<string, any>;

/** Female patients with a name: gender is fixed (a decisive member), name is counted at the end. */
const femalePatient: Resource = {
  resourceType: 'StructureDefinition',
  url: BASE + 'female',
  name: 'ProbeFemale',
  status: 'active',
  kind: 'resource',
  abstract: false,
  type: 'Patient',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient',
  derivation: 'constraint',
  differential: {
    element: [
      { id: 'Patient.name', path: 'Patient.name', min: 1 },
      { id: 'Patient.gender', path: 'Patient.gender', fixedCode: 'female' },
    ],
  },
};

/** A collection whose entries must each be a female patient (closed slicing by profile). */
const femaleCollection: Resource = {
  resourceType: 'StructureDefinition',
  url: BASE + 'collection',
  name: 'ProbeCollection',
  status: 'active',
  kind: 'resource',
  abstract: false,
  type: 'Bundle',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Bundle',
  derivation: 'constraint',
  differential: {
    element: [
      {
        id: 'Bundle.entry',
        path: 'Bundle.entry',
        slicing: { discriminator: [{ type: 'type', path: 'resource' }, { type: 'profile', path: 'resource' }], rules: 'closed' },
      },
      { id: 'Bundle.entry:female', path: 'Bundle.entry', sliceName: 'female', min: 0, max: '*' },
      { id: 'Bundle.entry:female.resource', path: 'Bundle.entry.resource', type: [{ code: 'Patient', profile: [BASE + 'female'] }] },
    ],
  },
};

/** Like femaleCollection, with counted elements at the Bundle (2..3 entries) and entry (fullUrl 1..1) levels. */
const countedCollection: Resource = {
  ...femaleCollection,
  url: BASE + 'counted',
  name: 'ProbeCounted',
  differential: {
    element: [
      { id: 'Bundle.entry', path: 'Bundle.entry', min: 2, max: '3', slicing: { discriminator: [{ type: 'type', path: 'resource' }, { type: 'profile', path: 'resource' }], rules: 'closed' } },
      { id: 'Bundle.entry.fullUrl', path: 'Bundle.entry.fullUrl', min: 1 },
      { id: 'Bundle.entry:female', path: 'Bundle.entry', sliceName: 'female', min: 0, max: '*' },
      { id: 'Bundle.entry:female.resource', path: 'Bundle.entry.resource', type: [{ code: 'Patient', profile: [BASE + 'female'] }] },
    ],
  },
};

const patient = (id: string, extra: Json): Json => ({ resourceType: 'Patient', id, ...extra });

function collection(...resources: Json[]): Json {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: resources.map((r) => ({ fullUrl: `http://example.org/fhir/Patient/${r.id}`, resource: r })),
  };
}

const closedAt = (issues: Issue[]): string[] => issues.filter((i) => i.rule === 'slicing-closed').map((i) => i.expression![0]!);

let v: Validator;
before(() => {
  v = createValidator({ resources: [femalePatient, femaleCollection, countedCollection] });
});

describe('validate: conformance probes (early exit, decisive members first)', () => {
  const profiles = [BASE + 'collection'];

  it('a candidate conforming to the slice profile is given the slice', () => {
    const r = v.validateResource(collection(patient('a', { name: [{ family: 'Li' }], gender: 'female' })), { profiles });
    expect(closedAt(r.issues)).to.deep.equal([]);
    expect(r.issues.filter((i) => i.severity === 'error').map((i) => i.diagnostics)).to.deep.equal([]);
  });

  it('a candidate failing only a decisive member (fixed gender) matches no slice', () => {
    const r = v.validateResource(collection(patient('b', { name: [{ family: 'Li' }], gender: 'male' })), { profiles });
    expect(closedAt(r.issues)).to.deep.equal(['Bundle.entry[0]']);
  });

  it('a candidate failing only at the end of its walk (a missing name, counted last) matches no slice', () => {
    const r = v.validateResource(collection(patient('c', { gender: 'female', birthDate: '1980-01-01' })), { profiles });
    expect(closedAt(r.issues)).to.deep.equal(['Bundle.entry[0]']);
  });

  it('a candidate failing at the start and the end is still reported in full by the real walk', () => {
    const bad = patient('d', { gender: 'male', birthDate: '1980-02-30' });
    const r = v.validateResource(collection(bad), { profiles });
    expect(closedAt(r.issues)).to.deep.equal(['Bundle.entry[0]']);
    // The entry is walked against the base Patient only (no slice): its own errors all appear.
    const own = r.issues.filter((i) => i.severity === 'error' && i.expression![0]!.startsWith('Bundle.entry[0].resource'));
    expect(own.map((i) => i.expression![0])).to.include('Bundle.entry[0].resource.birthDate');
  });

  it('the same entries in any order get the same slices (a probe leaves no state behind)', () => {
    const good = patient('e', { name: [{ family: 'Li' }], gender: 'female' });
    const bad = patient('f', { name: [{ family: 'Li' }], gender: 'male' });
    const r1 = v.validateResource(collection(good, bad), { profiles });
    const r2 = v.validateResource(collection(bad, good), { profiles });
    expect(closedAt(r1.issues)).to.deep.equal(['Bundle.entry[1]']);
    expect(closedAt(r2.issues)).to.deep.equal(['Bundle.entry[0]']);
  });

  it('the probed resource, validated on its own against the profile, reports every error', () => {
    const r = v.validateResource(patient('g', { gender: 'male', birthDate: '1980-02-30' }), { profiles: [BASE + 'female'] });
    const rules = r.issues.filter((i) => i.severity === 'error').map((i) => i.expression![0]);
    expect(rules).to.include('Patient.gender');
    expect(rules).to.include('Patient.birthDate');
    expect(r.issues.some((i) => i.rule === 'min-cardinality')).to.equal(true);
  });

  it('counts at every depth survive the probes walked between them (walk-cardinality.ts pool)', () => {
    const ok = (id: string): Json => patient(id, { name: [{ family: 'Li' }], gender: 'female' });
    const noName = patient('n', { gender: 'female' }); // fails its probe on a count, one level down
    const b = collection(ok('h'), noName, ok('i'), ok('j'));
    delete (b.entry as Json[])[2]!.fullUrl;
    const r = v.validateResource(b, { profiles: [BASE + 'counted'] });
    const counts = r.issues.filter((i) => i.rule === 'min-cardinality' || i.rule === 'max-cardinality').map((i) => `${i.rule} ${i.expression![0]}`);
    // The nameless patient matches no slice, so it is walked against the base Patient only (no name rule).
    expect(counts).to.have.members(['max-cardinality Bundle', 'min-cardinality Bundle.entry[2]']);
    expect(closedAt(r.issues)).to.deep.equal(['Bundle.entry[1]']);
  });
});
