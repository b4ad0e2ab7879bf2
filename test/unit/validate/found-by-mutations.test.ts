/**
 * Validator bugs the mutation tests found (issue 3): two values for one single-valued choice
 * element, UCUM unit codes never checked, and an unknown top-level resourceType reported at an
 * expression that names no element. Each is checked by issue code, expression and rule.
 */
import { expect } from 'chai';
import { createValidator, type Validator } from '../../../src/validate/index.js';
import type { Issue } from '../../../src/errors.js';

const UCUM = 'http://unitsofmeasure.org';
const errors = (issues: Issue[]): Issue[] => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
const brief = (issues: Issue[]) => errors(issues).map((i) => ({ code: i.code, expression: i.expression?.[0], rule: i.rule }));

let v: Validator;
before(() => {
  v = createValidator({ resources: [] });
});

const observation = (extra: Record<string, unknown>): Record<string, unknown> => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
  ...extra,
});

describe('validate: one value for a single-valued choice element (R4 formats.html#choice)', () => {
  it('valueQuantity and valueString on one Observation → max-cardinality on the Observation', () => {
    const r = v.validateResource(observation({ valueQuantity: { value: 5.6, system: UCUM, code: 'mmol/L' }, valueString: 'high' }));
    expect(r.valid).to.equal(false);
    expect(brief(r.issues)).to.deep.equal([{ code: 'structure', expression: 'Observation', rule: 'max-cardinality' }]);
    expect(errors(r.issues)[0]!.diagnostics).to.contain('max allowed = 1, but found 2');
  });

  it('deceasedBoolean and deceasedDateTime on one Patient → max-cardinality on the Patient', () => {
    const r = v.validateResource({ resourceType: 'Patient', deceasedBoolean: true, deceasedDateTime: '2024-05-01T10:00:00+08:00' });
    expect(brief(r.issues)).to.deep.equal([{ code: 'structure', expression: 'Patient', rule: 'max-cardinality' }]);
  });

  it('one value of a choice, or a value and its _ sibling, is accepted', () => {
    expect(errors(v.validateResource(observation({ valueString: 'high' })).issues)).to.deep.equal([]);
    expect(errors(v.validateResource({ resourceType: 'Patient', deceasedBoolean: false, _deceasedBoolean: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] } }).issues)).to.deep.equal([]);
  });

  it('inside a Bundle entry the count is reported on the entry resource', () => {
    const r = v.validateResource({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ fullUrl: 'urn:uuid:7f1d4c9e-2b6a-4e2f-9a51-0c3d2e1f4a5b', resource: observation({ valueInteger: 1, valueBoolean: true }) }],
    });
    expect(brief(r.issues)).to.deep.equal([{ code: 'structure', expression: 'Bundle.entry[0].resource', rule: 'max-cardinality' }]);
  });
});

describe('validate: UCUM unit codes (R4 datatypes.html#Quantity)', () => {
  it('a Quantity with system UCUM and code "mmol per L" → code-invalid error on the Quantity', () => {
    const r = v.validateResource(observation({ valueQuantity: { value: 5.6, unit: 'mmol/L', system: UCUM, code: 'mmol per L' } }));
    expect(r.valid).to.equal(false);
    expect(brief(r.issues)).to.deep.equal([{ code: 'code-invalid', expression: 'Observation.value.ofType(Quantity)', rule: 'ucum-invalid' }]);
  });

  it('valid UCUM expressions (annotations, powers, brackets) pass', () => {
    // '{wine glasses}/d' is from the IPS 1.1.0 examples: HL7's validator accepts a space in an annotation.
    for (const code of ['mmol/L', '10*9/L', '%', '{score}', 'mm[Hg]', 'kg/m2', 'mL/min/{1.73_m2}', '/min', '{wine glasses}/d']) {
      expect(errors(v.validateResource(observation({ valueQuantity: { value: 1, system: UCUM, code } })).issues), code).to.deep.equal([]);
    }
  });

  it('checks Quantity specialisations too (Age in Condition.onsetAge) and leaves other systems alone', () => {
    const cond = (onsetAge: unknown) => ({ resourceType: 'Condition', subject: { reference: 'Patient/p1' }, onsetAge });
    const bad = v.validateResource(cond({ value: 40, system: UCUM, code: 'years' }));
    expect(brief(bad.issues)).to.deep.include({ code: 'code-invalid', expression: 'Condition.onset.ofType(Age)', rule: 'ucum-invalid' });
    const other = v.validateResource(observation({ valueQuantity: { value: 1, system: 'urn:oid:2.16.156.10011.2.3.1.999', code: 'mmol per L' } }));
    expect(errors(other.issues)).to.deep.equal([]);
  });
});

describe('validate: unknown resource type', () => {
  it('{"resourceType":"Nope"} → resource-type at resourceType', () => {
    const r = v.validateResource({ resourceType: 'Nope' });
    expect(brief(r.issues)).to.deep.equal([{ code: 'structure', expression: 'resourceType', rule: 'resource-type' }]);
  });

  it('a nested unknown type is still reported at the entry resource', () => {
    const r = v.validateResource({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:7f1d4c9e-2b6a-4e2f-9a51-0c3d2e1f4a5b', resource: { resourceType: 'Nope' } }] });
    expect(brief(r.issues)).to.deep.equal([{ code: 'structure', expression: 'Bundle.entry[0].resource', rule: 'resource-type' }]);
  });
});
