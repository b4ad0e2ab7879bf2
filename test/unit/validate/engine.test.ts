/**
 * Table-driven tests of the validation engine pieces: primitives, loader, registry, cardinality,
 * fixed/pattern, slicing, bindings, invariants (incl. the FHIRPath fast path against fhirpath.js),
 * extensions, documents (references, type, hooks) and limits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { createValidator, MAX_ENTRIES, type Validator } from '../../../src/validate/index.js';
import { checkPrimitive } from '../../../src/validate/primitives.js';
import { compileFast } from '../../../src/validate/fastpath.js';
import { loadFhirResources } from '../../../src/profiles/load.js';
import { GatewayError } from '../../../src/errors.js';
import type { Issue } from '../../../src/errors.js';
import type { Resource } from '../../../src/fhir/types.js';

const BASE = 'https://emr-gateway.example.org/fhir/StructureDefinition/test-';
const at = (issues: Issue[], expr: string, severity = 'error'): Issue[] =>
  issues.filter((i) => i.expression?.[0] === expr && i.severity === severity);
const errors = (issues: Issue[]): Issue[] => issues.filter((i) => i.severity === 'error');

/** A differential-only Patient profile used by several tests. */
const patientProfile: Resource = {
  resourceType: 'StructureDefinition',
  url: BASE + 'patient',
  name: 'TestPatient',
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
      {
        id: 'Patient.identifier',
        path: 'Patient.identifier',
        slicing: { discriminator: [{ type: 'value', path: 'system' }], rules: 'closed' },
      },
      { id: 'Patient.identifier:resident', path: 'Patient.identifier', sliceName: 'resident', min: 1, max: '1' },
      { id: 'Patient.identifier:resident.system', path: 'Patient.identifier.system', fixedUri: 'urn:oid:2.16.156.10011.1.3' },
      { id: 'Patient.identifier:mrn', path: 'Patient.identifier', sliceName: 'mrn', min: 0, max: '1' },
      { id: 'Patient.identifier:mrn.system', path: 'Patient.identifier.system', fixedUri: 'urn:oid:2.16.156.10011.1.13' },
      { id: 'Patient.maritalStatus', path: 'Patient.maritalStatus', patternCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus' }] } },
    ],
  },
};

const goodPatient = (): Record<string, any> => ({
  resourceType: 'Patient',
  id: 'p1',
  name: [{ family: 'Wang' }],
  gender: 'female',
  identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '11010519491231002X' }],
});

let v: Validator;
before(() => {
  v = createValidator({ resources: [patientProfile] });
});

describe('validate: primitives (R4 datatypes.html regexes)', () => {
  const table: [string, unknown, boolean][] = [
    ['date', '2024-02-29', true],
    ['date', '2023-02-29', false],
    ['date', '2024-13-01', false],
    ['date', '2024', true],
    ['dateTime', '2024-05-01T10:00:00+08:00', true],
    ['dateTime', '2024-05-01T10:00:00', false],
    ['instant', '2024-05-01T10:00:00Z', true],
    ['instant', '2024-05-01', false],
    ['time', '23:59:60', true],
    ['id', 'a'.repeat(64), true],
    ['id', 'a'.repeat(65), false],
    ['id', 'bad/id', false],
    ['code', 'a b', true],
    ['code', ' a', false],
    ['uri', 'urn:oid:2.16.156.10011.1.3', true],
    ['uri', 'has space', false],
    ['oid', 'urn:oid:1.02', false],
    ['uuid', 'urn:uuid:c757873d-ec9a-4326-a141-556f43239520', true],
    ['integer', 2147483648, false],
    ['integer', 1.5, false],
    ['positiveInt', 0, false],
    ['unsignedInt', 0, true],
    ['decimal', 1.5, true],
    ['decimal', '1.5', false],
    ['boolean', 'true', false],
    ['string', '', false],
    ['base64Binary', 'aGVsbG8=', true],
    ['base64Binary', '%%%2@()()', false],
  ];
  for (const [type, value, ok] of table) {
    it(`${type} ${JSON.stringify(value)} is ${ok ? 'valid' : 'invalid'}`, () => {
      expect(checkPrimitive(type, value) === undefined).to.equal(ok);
    });
  }
  it('reports a bad primitive at its FHIRPath', () => {
    const r = v.validateResource({ resourceType: 'Patient', birthDate: '1990-02-30' });
    expect(at(r.issues, 'Patient.birthDate')).to.have.length(1);
    expect(r.valid).to.equal(false);
  });
});

describe('validate: structure and cardinality (base R4)', () => {
  const table: { name: string; resource: Record<string, unknown>; expression: string }[] = [
    { name: 'unknown element', resource: { resourceType: 'Patient', foo: 1 }, expression: 'Patient' },
    { name: 'single value where an array is required', resource: { resourceType: 'Patient', name: { family: 'A' } }, expression: 'Patient.name' },
    { name: 'array where a single value is required', resource: { resourceType: 'Patient', gender: ['male'] }, expression: 'Patient.gender' },
    { name: 'min cardinality (Observation.status 1..1)', resource: { resourceType: 'Observation', code: { text: 'x' } }, expression: 'Observation' },
    { name: 'choice type not allowed', resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueFoo: 1 }, expression: 'Observation' },
    { name: 'empty object (ele-1)', resource: { resourceType: 'Patient', maritalStatus: {} }, expression: 'Patient.maritalStatus' },
    { name: 'empty array', resource: { resourceType: 'Patient', name: [] }, expression: 'Patient.name' },
    { name: 'bad _element sibling', resource: { resourceType: 'Patient', _birthDate: { foo: 1 } }, expression: 'Patient.birthDate' },
  ];
  for (const c of table) {
    it(c.name, () => {
      const r = v.validateResource(c.resource);
      expect(at(r.issues, c.expression), JSON.stringify(r.issues)).to.not.be.empty;
    });
  }
  it('accepts a primitive extension sibling', () => {
    const r = v.validateResource({ resourceType: 'Patient', birthDate: '1990-01-01', _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1990-01-01T10:00:00+08:00' }] } });
    expect(errors(r.issues)).to.have.length(0);
  });
  it('uses choice-type paths in the HL7 style', () => {
    const r = v.validateResource({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 'high' } });
    expect(at(r.issues, 'Observation.value.ofType(Quantity).value')).to.have.length(1);
  });
  it('rejects resource types that are not FHIR R4 core (Medplum-only, R5)', () => {
    for (const rt of ['Bot', 'Project', 'ClientApplication', 'ActorDefinition']) {
      const r = v.validateResource({ resourceType: rt });
      expect(r.valid, rt).to.equal(false);
    }
  });
});

describe('validate: profiles (cardinality, fixed, pattern, slicing)', () => {
  const profiles = [BASE + 'patient'];
  it('a conformant Patient has no errors', () => {
    expect(errors(v.validateResource(goodPatient(), { profiles }).issues)).to.have.length(0);
  });
  const table: { name: string; change: (p: Record<string, any>) => void; expression: string }[] = [
    { name: 'profile min cardinality', change: (p) => delete p.name, expression: 'Patient' },
    { name: 'fixed value', change: (p) => (p.gender = 'male'), expression: 'Patient.gender' },
    { name: 'pattern', change: (p) => (p.maritalStatus = { coding: [{ system: 'http://example.org', code: 'M' }] }), expression: 'Patient.maritalStatus' },
    { name: 'required slice missing', change: (p) => (p.identifier = [{ system: 'urn:oid:2.16.156.10011.1.13', value: '1' }]), expression: 'Patient' },
    { name: 'slice max exceeded', change: (p) => p.identifier.push({ ...p.identifier[0] }), expression: 'Patient' },
    { name: 'closed slicing', change: (p) => p.identifier.push({ system: 'http://example.org/other', value: '1' }), expression: 'Patient.identifier[1]' },
  ];
  for (const c of table) {
    it(c.name, () => {
      const p = goodPatient();
      c.change(p);
      const r = v.validateResource(p, { profiles });
      expect(at(r.issues, c.expression), JSON.stringify(r.issues)).to.not.be.empty;
    });
  }
  it('meta.profile is honoured', () => {
    const p = { ...goodPatient(), gender: 'male', meta: { profile: [BASE + 'patient'] } };
    expect(at(v.validateResource(p).issues, 'Patient.gender')).to.not.be.empty;
  });
  it('an unknown requested profile is a not-supported error; an unknown meta.profile a warning', () => {
    const r1 = v.validateResource(goodPatient(), { profiles: [BASE + 'nope'] });
    expect(r1.issues.some((i) => i.severity === 'error' && i.code === 'not-supported')).to.equal(true);
    const r2 = v.validateResource({ ...goodPatient(), meta: { profile: [BASE + 'nope'] } });
    expect(r2.valid).to.equal(true);
    expect(at(r2.issues, 'Patient.meta.profile[0]', 'warning')).to.have.length(1);
  });
});

describe('validate: bindings', () => {
  const table: { name: string; resource: Record<string, unknown>; expression: string; severity: string }[] = [
    { name: 'required code binding', resource: { resourceType: 'Patient', gender: 'boy' }, expression: 'Patient.gender', severity: 'error' },
    {
      name: 'required CodeableConcept binding',
      resource: { resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/1' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'gone' }] } },
      expression: 'AllergyIntolerance.clinicalStatus',
      severity: 'error',
    },
    {
      name: 'extensible binding → warning',
      resource: { resourceType: 'Patient', identifier: [{ type: { coding: [{ system: 'http://example.org/cs', code: 'X' }] }, value: '1' }] },
      expression: 'Patient.identifier[0].type',
      severity: 'warning',
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const r = v.validateResource(c.resource);
      expect(at(r.issues, c.expression, c.severity), JSON.stringify(r.issues)).to.not.be.empty;
    });
  }
  it('a binding to a value set that cannot be expanded (all of LOINC) is not an error', () => {
    const r = v.validateResource({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '0000-0' }] } });
    expect(errors(r.issues)).to.have.length(0);
  });
});

describe('validate: invariants', () => {
  it('per-1 (Period start after end) fails at the Period', () => {
    const r = v.validateResource({ resourceType: 'Encounter', status: 'finished', class: { code: 'IMP' }, period: { start: '2024-02-02', end: '2024-02-01' } });
    expect(at(r.issues, 'Encounter.period').some((i) => i.rule === 'per-1')).to.equal(true);
  });
  it('dom-3 (contained not referenced) fails at the contained resource, as HL7 reports it', () => {
    const r = v.validateResource({ resourceType: 'Condition', subject: { reference: 'Patient/1' }, contained: [{ resourceType: 'Practitioner', id: 'x' }] });
    expect(at(r.issues, 'Condition.contained[0]').some((i) => i.rule === 'dom-3')).to.equal(true);
  });
  it('validateContained: false skips contained resources and their dom-3 use', () => {
    const ignore = createValidator({ resources: [], validateContained: false });
    const r = ignore.validateResource({ resourceType: 'Condition', subject: { reference: 'Patient/1' }, contained: [{ resourceType: 'Practitioner', id: 'x'.repeat(65) }] });
    expect(errors(r.issues)).to.have.length(0);
    expect(errors(v.validateResource({ resourceType: 'Condition', subject: { reference: 'Patient/1' }, contained: [{ resourceType: 'Practitioner', id: 'x'.repeat(65) }] }).issues)).to.have.length(2);
  });
  it('ext-1 (extension with value and children) fails', () => {
    const r = v.validateResource({ resourceType: 'Patient', extension: [{ url: 'http://example.org/x', valueString: 'a', extension: [{ url: 'y', valueString: 'b' }] }] });
    expect(r.issues.some((i) => i.rule === 'ext-1')).to.equal(true);
  });
  // The fast path must give fhirpath.js's answer.
  const exprs: [string, string, unknown][] = [
    ['Period', 'start.hasValue().not() or end.hasValue().not() or (start <= end)', { start: '2024-01-01', end: '2024-01-02' }],
    ['Quantity', 'code.empty() or system.exists()', { code: 'mg' }],
    ['Quantity', 'code.empty() or system.exists()', { code: 'mg', system: 'http://unitsofmeasure.org' }],
    ['Timing.repeat', 'duration.exists() implies duration >= 0', { duration: -1 }],
    ['Timing.repeat', 'period.empty() or periodUnit.exists()', { period: 1 }],
    ['Observation', 'dataAbsentReason.empty() or value.empty()', { valueString: 'x', dataAbsentReason: { text: 'y' } }],
    ['Bundle', "type = 'document' implies (timestamp.hasValue())", { type: 'document' }],
    ['Bundle', "type = 'document' implies entry.first().resource.is(Composition)", { type: 'document', entry: [{ resource: { resourceType: 'Patient' } }] }],
    ['Organization', '(identifier.count() + name.count()) > 0', { name: 'x' }],
    ['Composition', 'emptyReason.empty() or entry.empty()', { emptyReason: { text: 'x' } }],
    ['Condition', "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()", { abatementString: 'x', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } }],
  ];
  it('fast path follows N1 §6 precedence: `+` binds tighter than `|`', () => {
    const fast = compileFast('name.count() + 1 | 5');
    expect(fast, 'expression is in the fast subset').to.not.equal(undefined);
    const value = { resourceType: 'Organization', name: 'x' };
    expect(fast!(value, { resource: value, rootResource: value })).to.deep.equal([2, 5]);
  });
  for (const [base, expr, value] of exprs) {
    it(`fast path = fhirpath.js: ${expr.slice(0, 60)} on ${JSON.stringify(value).slice(0, 40)}`, () => {
      const fast = compileFast(expr);
      expect(fast, 'expression is in the fast subset').to.not.equal(undefined);
      let a: unknown[];
      try {
        a = fast!(value, { resource: value, rootResource: value });
      } catch {
        return; // a run-time fallback hands the expression to fhirpath.js: equal by construction
      }
      const b = fhirpath.evaluate(value, { base, expression: expr }, {}, r4model);
      expect(a).to.deep.equal(b);
    });
  }
});

describe('validate: extensions', () => {
  const withExt = { resourceType: 'Patient', extension: [{ url: 'https://hospital.example.cn/fhir/ext/unknown', valueString: 'x' }] };
  it('an unknown extension is a warning by default (DOMAIN.md), an error when configured like HL7', () => {
    expect(at(v.validateResource(withExt).issues, 'Patient.extension[0]', 'warning')).to.have.length(1);
    const strict = createValidator({ resources: [], unknownExtensionSeverity: 'error' });
    expect(at(strict.validateResource(withExt).issues, 'Patient.extension[0]', 'error')).to.have.length(1);
  });
  it('allowedExtensionDomains silences unknown extensions under those prefixes', () => {
    const lenient = createValidator({ resources: [], allowedExtensionDomains: ['https://hospital.example.cn/'] });
    expect(lenient.validateResource(withExt).issues.filter((i) => i.severity !== 'information')).to.have.length(0);
  });
  it('a known core extension is validated against its definition', () => {
    const r = v.validateResource({ resourceType: 'Patient', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueString: 'Beijing' }] });
    expect(r.issues.some((i) => i.severity === 'error' && i.expression?.[0]?.startsWith('Patient.extension[0]'))).to.equal(true);
  });
});

describe('validate: documents', () => {
  const doc = (): Record<string, any> => ({
    resourceType: 'Bundle',
    type: 'document',
    identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:5d1b4f7e-3d5a-4f8e-9a43-1c2e0b6a7d10' },
    timestamp: '2024-05-01T10:00:00+08:00',
    entry: [
      {
        fullUrl: 'urn:uuid:8a0e9f43-38c2-4b42-a3a5-4a1b3f5c1a01',
        resource: {
          resourceType: 'Composition',
          status: 'final',
          type: { coding: [{ system: 'http://loinc.org', code: '18842-5' }] },
          subject: { reference: 'urn:uuid:8a0e9f43-38c2-4b42-a3a5-4a1b3f5c1a02' },
          date: '2024-05-01T10:00:00+08:00',
          author: [{ display: 'Dr Li' }],
          title: 'Discharge summary',
        },
      },
      { fullUrl: 'urn:uuid:8a0e9f43-38c2-4b42-a3a5-4a1b3f5c1a02', resource: goodPatient() },
    ],
  });
  it('a well-formed document is valid', () => {
    const r = v.validateDocument(doc());
    expect(errors(r.issues), JSON.stringify(errors(r.issues))).to.have.length(0);
  });
  const table: { name: string; change: (d: Record<string, any>) => void; expression: string }[] = [
    { name: 'broken urn:uuid reference', change: (d) => (d.entry[0].resource.subject.reference = 'urn:uuid:00000000-0000-4000-8000-000000000000'), expression: 'Bundle.entry[0].resource.subject' },
    { name: 'wrong Bundle.type', change: (d) => (d.type = 'collection'), expression: 'Bundle.type' },
    { name: 'missing identifier (bdl-9)', change: (d) => delete d.identifier, expression: 'Bundle' },
    { name: 'missing fullUrl', change: (d) => delete d.entry[1].fullUrl, expression: 'Bundle.entry[1]' },
    { name: 'reference to a wrong target type (Composition.encounter → Patient)', change: (d) => (d.entry[0].resource.encounter = { reference: d.entry[1].fullUrl }), expression: 'Bundle.entry[0].resource.encounter' },
  ];
  for (const c of table) {
    it(c.name, () => {
      const d = doc();
      c.change(d);
      const r = v.validateDocument(d);
      expect(at(r.issues, c.expression), JSON.stringify(r.issues)).to.not.be.empty;
    });
  }
  it('profile selectors and extra checks plug in without imports', () => {
    const seen: string[] = [];
    const hooked = createValidator({
      resources: [patientProfile],
      profileSelectors: [(res, ctx) => (res.resourceType === 'Patient' && ctx.composition ? [BASE + 'patient'] : [])],
      extraChecks: [(res, p) => (seen.push(`${res.resourceType}@${p}`), [])],
    });
    const d = doc();
    d.entry[1].resource.gender = 'male';
    const r = hooked.validateDocument(d);
    expect(at(r.issues, 'Bundle.entry[1].resource.gender')).to.not.be.empty;
    expect(seen).to.include('Patient@Bundle.entry[1].resource');
  });
  it(`refuses more than ${MAX_ENTRIES} entries with one too-costly error`, () => {
    const big = { resourceType: 'Bundle', type: 'collection', entry: Array.from({ length: MAX_ENTRIES + 1 }, () => ({})) };
    const r = v.validateResource(big);
    expect(r.issues.some((i) => i.code === 'too-costly')).to.equal(true);
  });
});

describe('profiles loader', () => {
  it('reads conformance resources recursively, skipping examples and package.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-profiles-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.mkdirSync(path.join(dir, 'example'));
    fs.writeFileSync(path.join(dir, 'sub', 'sd.json'), JSON.stringify(patientProfile));
    fs.writeFileSync(path.join(dir, 'example', 'Patient-x.json'), JSON.stringify(goodPatient()));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x' }));
    fs.writeFileSync(path.join(dir, 'p.json'), JSON.stringify(goodPatient()));
    const list = loadFhirResources([dir]);
    expect(list.map((r) => r.resourceType)).to.deep.equal(['StructureDefinition']);
  });
  it('a malformed file stops loading with CONFIG_INVALID naming the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-profiles-'));
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ "resourceType": ');
    try {
      loadFhirResources([dir]);
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(GatewayError);
      expect((e as GatewayError).code).to.equal('CONFIG_INVALID');
      expect((e as GatewayError).message).to.contain('broken.json');
    }
  });
  it('the registry is frozen', () => {
    expect(Object.isFrozen(v.registry)).to.equal(true);
    expect(v.registry.structure(BASE + 'patient')).to.not.equal(undefined);
  });
});
