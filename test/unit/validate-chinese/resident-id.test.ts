// GB 11643 resident ID: ISO 7064 MOD 11-2 check character, birth date, address code, and the
// cross-checks against the resource's birthDate and gender (DOMAIN.md, Resident ID).
import { expect } from 'chai';
import { checkResidentIds, chineseChecks, parseResidentId, residentIdCheckChar } from '../../../src/validate/chinese/index.js';

describe('GB 11643 resident ID parsing', () => {
  // [value, expected problem (undefined = well formed), birth date, sex, residence permit]
  const table: [string, string | undefined, string | undefined, string | undefined, boolean][] = [
    ['11010519491231002X', undefined, '1949-12-31', 'female', false], // DOMAIN.md valid example, X check char
    ['340524198001010013', 'checksum', '1980-01-01', 'male', false], // DOMAIN.md invalid example
    ['34052419800101001X', undefined, '1980-01-01', 'male', false], // the same number with its right check char
    ['440306200002290017', undefined, '2000-02-29', 'male', false], // leap day
    ['110105194912310011', undefined, '1949-12-31', 'male', false],
    ['510102198401011232', undefined, '1984-01-01', 'male', false],
    ['310115199912319879', undefined, '1999-12-31', 'male', false],
    ['110101200001010002', undefined, '2000-01-01', 'female', false],
    ['650102197006150044', undefined, '1970-06-15', 'female', false],
    ['810000199001010019', undefined, '1990-01-01', 'male', true], // Hong Kong residence permit
    ['820000198512120022', undefined, '1985-12-12', 'female', true], // Macau residence permit
    ['830000200105050030', undefined, '2001-05-05', 'male', true], // Taiwan residence permit
    ['440306200102290013', 'birth-date', undefined, undefined, false], // 2001 is no leap year
    ['11010519491331002X', 'birth-date', undefined, undefined, false], // month 13
    ['11010518000101002X', 'birth-date', undefined, undefined, false], // before 1850
    ['110105194912310012', 'checksum', '1949-12-31', 'male', false], // one digit off
    ['11010519491231002Y', 'format', undefined, undefined, false],
    ['1101051949123100', 'format', undefined, undefined, false], // 16 digits
    ['110105491231002', 'legacy-15', undefined, undefined, false],
    ['', 'format', undefined, undefined, false],
  ];
  for (const [value, problem, birthDate, sex, permit] of table) {
    it(`${value || '(empty)'} → ${problem ?? 'valid'}`, () => {
      const info = parseResidentId(value);
      expect(info.problem).to.equal(problem);
      expect(info.birthDate).to.equal(birthDate);
      expect(info.sex).to.equal(sex);
      expect(info.residencePermit).to.equal(permit);
    });
  }

  it('computes the check character with the GB 11643 weights', () => {
    expect(residentIdCheckChar('11010519491231002')).to.equal('X');
    expect(residentIdCheckChar('34052419800101001')).to.equal('X');
    expect(residentIdCheckChar('44030620000229001')).to.equal('7');
    expect(() => residentIdCheckChar('123')).to.throw(TypeError);
  });

  it('flags a lower-case x and unknown address codes without failing the number', () => {
    const lower = parseResidentId('11010519491231002x');
    expect([lower.problem, lower.lowercaseX]).to.deep.equal([undefined, true]);
    const unknown = parseResidentId('990101199001010019');
    expect([unknown.problem, unknown.unknownAddress]).to.deep.equal([undefined, true]);
    // 81xxxx other than 810000 is not a residence-permit address code
    const not810000 = parseResidentId('810101199001010010');
    expect([not810000.problem, not810000.unknownAddress, not810000.residencePermit]).to.deep.equal([undefined, true, false]);
    expect(parseResidentId(' 11010519491231002X ').problem).to.equal(undefined);
  });
});

const RID = 'urn:oid:2.16.156.10011.1.3';
const patient = (identifier: unknown[], extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', identifier, ...extra });
const rules = (issues: { rule?: string }[]) => issues.map((i) => i.rule);

describe('checkResidentIds', () => {
  it('accepts a valid ID that agrees with birthDate and gender', () => {
    const p = patient([{ system: RID, value: '11010519491231002X' }], { birthDate: '1949-12-31', gender: 'female' });
    expect(checkResidentIds(p, 'Patient')).to.deep.equal([]);
  });

  it('reports a bad checksum as an error at the precise identifier, in English and Chinese', () => {
    const p = patient([{ system: 'urn:oid:2.16.156.10011.1.13', value: 'MR1' }, { system: RID, value: '340524198001010013' }]);
    const issues = checkResidentIds(p, 'Bundle.entry[1].resource');
    expect(issues).to.have.length(1);
    expect(issues[0]).to.include({ severity: 'error', code: 'value', rule: 'cn-resident-id-checksum' });
    expect(issues[0]!.expression).to.deep.equal(['Bundle.entry[1].resource.identifier[1].value']);
    expect(issues[0]!.diagnosticsZh).to.match(/校验码/);
    expect(issues[0]!.diagnostics).to.not.include('340524198001010013'); // no identity number in messages
  });

  it('warns when birth date or sex in the ID disagree with the resource', () => {
    const p = patient([{ system: RID, value: '11010519491231002X' }], { birthDate: '1950-01-01', gender: 'male' });
    const issues = checkResidentIds(p, 'Patient');
    expect(rules(issues)).to.deep.equal(['cn-resident-id-birthdate-mismatch', 'cn-resident-id-gender-mismatch']);
    expect(issues.every((i) => i.severity === 'warning')).to.equal(true);
    expect(issues[0]!.expression).to.deep.equal(['Patient.identifier[0].value', 'Patient.birthDate']);
    expect(issues[1]!.expression).to.deep.equal(['Patient.identifier[0].value', 'Patient.gender']);
  });

  it('accepts a partial birthDate that the ID agrees with, and ignores gender other/unknown', () => {
    const p = patient([{ system: RID, value: '11010519491231002X' }], { birthDate: '1949-12', gender: 'unknown' });
    expect(checkResidentIds(p, 'Patient')).to.deep.equal([]);
  });

  it('accepts Hong Kong, Macau and Taiwan residence permits, also when typed as a permit', () => {
    const p = patient([
      { system: RID, value: '810000199001010019' },
      { type: { text: '港澳居民居住证' }, value: '820000198512120022' },
      { type: { coding: [{ system: 'https://emr-gateway.example.org/fhir/CodeSystem/cv02-01-101', code: '07' }] }, value: '830000200105050030' },
    ]);
    expect(checkResidentIds(p, 'Patient')).to.deep.equal([]);
  });

  it('checks a permit-typed residence-permit number and finds a bad check character', () => {
    const p = patient([{ type: { text: '台湾居民来往大陆通行证' }, value: '830000200105050031' }]);
    expect(rules(checkResidentIds(p, 'Patient'))).to.deep.equal(['cn-resident-id-checksum']);
  });

  it('is an error when an explicit resident ID is malformed, a warning when the document type is unknown', () => {
    const typed = patient([{ system: RID, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] }, value: 'E12345678' }]);
    expect(checkResidentIds(typed, 'Patient').map((i) => [i.rule, i.severity])).to.deep.equal([['cn-resident-id-format', 'error']]);
    const untyped = patient([{ system: RID, value: 'E12345678' }]);
    expect(checkResidentIds(untyped, 'Patient').map((i) => [i.rule, i.severity])).to.deep.equal([['cn-id-document-unrecognised', 'warning']]);
  });

  it('does not treat a passport under the WS/T 500 ID-document system as a resident ID', () => {
    const p = patient([{ system: RID, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PPN' }] }, value: 'E12345678' }]);
    expect(checkResidentIds(p, 'Patient')).to.deep.equal([]);
  });

  it('warns on legacy 15-digit numbers, lower-case x and unknown address codes', () => {
    const p = patient([
      { system: RID, value: '110105491231002' },
      { system: RID, value: '11010519491231002x' },
      { system: RID, value: '990101199001010019' },
    ]);
    const issues = checkResidentIds(p, 'Patient');
    expect(issues.map((i) => [i.rule, i.severity, i.expression![0]])).to.deep.equal([
      ['cn-resident-id-legacy-15', 'warning', 'Patient.identifier[0].value'],
      ['cn-resident-id-lowercase-x', 'warning', 'Patient.identifier[1].value'],
      ['cn-resident-id-address', 'warning', 'Patient.identifier[2].value'],
    ]);
  });

  it('checks identifiers of practitioners too, and ignores other systems and non-objects', () => {
    const prac = { resourceType: 'Practitioner', identifier: [null, 'x', { system: 'urn:oid:2.16.156.10011.1.4', value: '123' }, { system: RID, value: '340524198001010013' }] };
    expect(checkResidentIds(prac, 'Practitioner').map((i) => i.expression![0])).to.deep.equal(['Practitioner.identifier[3].value']);
    expect(checkResidentIds(null, 'Patient')).to.deep.equal([]);
    expect(checkResidentIds({ resourceType: 'Patient', identifier: 'nope' }, 'Patient')).to.deep.equal([]);
  });

  it('is one of the exported chineseChecks', () => {
    expect(chineseChecks).to.include(checkResidentIds);
  });
});
