// Shapes of passports and of the mainland travel permits for HK/Macau and Taiwan residents:
// malformed numbers are warnings, never errors (DOMAIN.md, What hospitals send).
import { expect } from 'chai';
import { checkTravelDocuments, identifierKind } from '../../../src/validate/chinese/index.js';

const CV = 'https://emr-gateway.example.org/fhir/CodeSystem/cv02-01-101';
const V2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const hkMacau = (value: string) => ({ type: { coding: [{ system: CV, code: '06' }] }, value });
const taiwan = (value: string) => ({ type: { text: '台湾居民来往大陆通行证' }, value });
const passport = (iso3: string, value: string) => ({ system: `http://hl7.org/fhir/sid/passport-${iso3}`, type: { coding: [{ system: V2, code: 'PPN' }] }, value });

describe('travel document shapes', () => {
  // [identifier, expected rule or undefined when the shape is accepted]
  const table: [string, Record<string, unknown>, string | undefined][] = [
    ['HK/Macau permit card H + 8 digits', hkMacau('H12345678'), undefined],
    ['HK/Macau permit booklet M + 10 digits', hkMacau('M1234567890'), undefined],
    ['HK/Macau permit without letter', hkMacau('12345678'), 'cn-hk-macau-permit-format'],
    ['HK/Macau permit with wrong letter', hkMacau('K12345678'), 'cn-hk-macau-permit-format'],
    ['HK/Macau permit by type text only', { type: { text: '港澳居民来往内地通行证' }, value: 'H1234567' }, 'cn-hk-macau-permit-format'],
    ['Taiwan permit card 8 digits', taiwan('12345678'), undefined],
    ['Taiwan permit older 10 characters', taiwan('0123456789'), undefined],
    ['Taiwan permit older with bracketed letter', taiwan('1234567890(B)'), undefined],
    ['Taiwan permit by code 07, 7 digits', { type: { coding: [{ system: CV, code: '07' }] }, value: '1234567' }, 'cn-taiwan-permit-format'],
    ['Chinese passport E + 8 digits', passport('CHN', 'E12345678'), undefined],
    ['Chinese passport E + letter + 7 digits', passport('CHN', 'EA1234567'), undefined],
    ['Chinese passport older G + 8 digits', passport('CHN', 'G12345678'), undefined],
    ['Chinese passport wrong letter', passport('CHN', 'K12345678'), 'cn-passport-format'],
    ['Chinese passport too short', passport('CHN', 'E1234567'), 'cn-passport-format'],
    ['foreign passport 9 alphanumerics', passport('USA', '123456789'), undefined],
    ['foreign passport 6 characters', passport('GBR', 'AB1234'), undefined],
    ['foreign passport 10 characters', passport('DEU', 'C01X00T478'), 'cn-passport-format'],
    ['foreign passport with a space', passport('FRA', '12AB 3456'), 'cn-passport-format'],
    ['passport by cv02-01-101 code 03, no system', { type: { coding: [{ system: CV, code: '03' }] }, value: 'X-1' }, 'cn-passport-format'],
    ['passport system with lower-case country', passport('chn', 'E12345678'), 'cn-passport-system'],
    ['18-digit residence permit under a permit type is left to the resident ID check', hkMacau('810000199001010019'), undefined],
    ['inpatient number is not a travel document', { system: 'urn:oid:2.16.156.10011.1.12', value: '??' }, undefined],
  ];
  for (const [name, identifier, rule] of table) {
    it(`${name} → ${rule ?? 'accepted'}`, () => {
      const issues = checkTravelDocuments({ resourceType: 'Patient', identifier: [{ system: 'urn:oid:2.16.156.10011.1.13', value: 'MR' }, identifier] }, 'Bundle.entry[1].resource');
      expect(issues.map((i) => i.rule)).to.deep.equal(rule ? [rule] : []);
      for (const i of issues) {
        expect(i.severity).to.equal('warning');
        expect(i.diagnosticsZh).to.be.a('string').and.not.equal('');
        expect(i.expression![0]).to.match(/^Bundle\.entry\[1\]\.resource\.identifier\[1\]\.(value|system)$/);
      }
    });
  }

  it('classifies identifiers by type code, type text and system', () => {
    expect(identifierKind({ system: 'urn:oid:2.16.156.10011.1.3' })).to.equal('id-document');
    expect(identifierKind({ system: 'urn:oid:2.16.156.10011.1.3', type: { coding: [{ system: V2, code: 'NI' }] } })).to.equal('resident-id');
    expect(identifierKind({ system: 'urn:oid:2.16.156.10011.1.3', type: { coding: [{ system: V2, code: 'PPN' }] } })).to.equal('passport');
    expect(identifierKind({ type: { text: '居民身份证' } })).to.equal('resident-id');
    expect(identifierKind({ type: { text: 'Home Return Permit (Hong Kong)' } })).to.equal('hk-macau-permit');
    expect(identifierKind({ type: { text: '香港身份证' } })).to.equal('other'); // HKID is not a GB 11643 number
    expect(identifierKind({ system: 'http://hl7.org/fhir/sid/passport-JPN' })).to.equal('passport');
    expect(identifierKind({ type: { coding: 'bad' } })).to.equal('other');
    expect(identifierKind(7)).to.equal('other');
  });
});
