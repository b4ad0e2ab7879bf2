// The exported check list, the HL7 China sex extension cross-check, profile selection by
// Composition type, and robustness of every check on arbitrary (untrusted) input.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  checkGenderExtension,
  chineseChecks,
  chineseDocumentProfile,
  CN_DISCHARGE_SUMMARY_BUNDLE,
  CN_GENDER_EXTENSION,
} from '../../../src/validate/chinese/index.js';

const gbSex = (code: string) => ({ url: CN_GENDER_EXTENSION, valueCodeableConcept: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.3.4', code }] } });

describe('checkGenderExtension', () => {
  it('warns when the GB/T 2261.1 code contradicts gender, pointing at both', () => {
    const issues = checkGenderExtension({ resourceType: 'Patient', gender: 'female', extension: [{ url: 'http://example.org/x' }, gbSex('1')] }, 'Patient');
    expect(issues.map((i) => [i.rule, i.severity])).to.deep.equal([['cn-gb-gender-mismatch', 'warning']]);
    expect(issues[0]!.expression).to.deep.equal(['Patient.extension[1]', 'Patient.gender']);
  });
  it('accepts agreement, valueCoding / valueCode forms, and codes 0 and 9', () => {
    expect(checkGenderExtension({ gender: 'male', extension: [gbSex('1')] }, 'Patient')).to.deep.equal([]);
    expect(checkGenderExtension({ gender: 'male', extension: [gbSex('9'), gbSex('0')] }, 'Patient')).to.deep.equal([]);
    expect(checkGenderExtension({ gender: 'male', extension: [{ url: CN_GENDER_EXTENSION, valueCode: '2' }] }, 'P')).to.have.length(1);
    expect(checkGenderExtension({ gender: 'female', extension: [{ url: CN_GENDER_EXTENSION, valueCoding: { code: '2' } }] }, 'P')).to.deep.equal([]);
  });
});

describe('chineseDocumentProfile', () => {
  const bundle = (coding: unknown[], type = 'document') => ({ resourceType: 'Bundle', type, entry: [{ resource: { resourceType: 'Composition', type: { coding } } }] });
  it('picks the discharge summary profile from C0053 or LOINC 18842-5, whatever Bundle.type', () => {
    expect(chineseDocumentProfile(bundle([{ system: 'urn:oid:2.16.156.10011.2.4', code: 'C0053' }]))).to.equal(CN_DISCHARGE_SUMMARY_BUNDLE);
    expect(chineseDocumentProfile(bundle([{ system: 'http://loinc.org', code: '18842-5' }], 'collection'))).to.equal(CN_DISCHARGE_SUMMARY_BUNDLE);
  });
  it('picks nothing for other documents or shapes', () => {
    expect(chineseDocumentProfile(bundle([{ system: 'http://loinc.org', code: '60591-5' }]))).to.equal(undefined);
    expect(chineseDocumentProfile(bundle([{ system: 'urn:oid:2.16.156.10011.2.4', code: 'C0049' }]))).to.equal(undefined);
    expect(chineseDocumentProfile({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient' } }] })).to.equal(undefined);
    expect(chineseDocumentProfile({ resourceType: 'Patient' })).to.equal(undefined);
    expect(chineseDocumentProfile('x')).to.equal(undefined);
  });
});

describe('chineseChecks on arbitrary input', () => {
  it('never throw, and every issue has a rule, both languages and an expression under the given path', () => {
    const identifier = fc.record(
      {
        system: fc.constantFrom('urn:oid:2.16.156.10011.1.3', 'http://hl7.org/fhir/sid/passport-CHN', 'http://hl7.org/fhir/sid/passport-x', 'urn:x'),
        type: fc.constantFrom(undefined, { text: '台胞证' }, { text: '港澳通行证' }, { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PPN' }] }),
        value: fc.oneof(fc.string(), fc.stringMatching(/^\d{17}[\dX]$/), fc.constant(42 as unknown as string)),
      },
      { requiredKeys: [] },
    );
    const resource = fc.record({
      resourceType: fc.constant('Patient'),
      identifier: fc.oneof(fc.array(fc.oneof(identifier, fc.anything())), fc.anything()),
      gender: fc.constantFrom('male', 'female', 'other', 5),
      birthDate: fc.oneof(fc.constant('1980-01-01'), fc.string()),
      extension: fc.oneof(fc.array(fc.constantFrom(gbSex('1'), gbSex('2'), { url: CN_GENDER_EXTENSION }, null)), fc.anything()),
    }, { requiredKeys: ['resourceType'] });
    fc.assert(
      fc.property(resource, (r) => {
        for (const check of chineseChecks) {
          for (const i of check(r, 'Bundle.entry[0].resource')) {
            expect(i.rule).to.match(/^cn-[a-z0-9-]+$/);
            expect(i.diagnostics).to.be.a('string').and.not.equal('');
            expect(i.diagnosticsZh).to.be.a('string').and.not.equal('');
            expect(i.expression!.every((e) => e.startsWith('Bundle.entry[0].resource.'))).to.equal(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
