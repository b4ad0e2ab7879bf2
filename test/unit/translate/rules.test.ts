/** Small pure rules: +08:00 dates, resident-ID policy and pseudonyms, X-rule, OID normalisation, narrative wrapper. */
import { expect } from 'chai';
import { withChinaZone } from '../../../src/translate/dates.js';
import { applyIdentifierPolicy, PSEUDONYM_SYSTEM, pseudonym, RESIDENT_ID_SYSTEM } from '../../../src/translate/identifiers.js';
import { plainText, unwrap, wrap } from '../../../src/translate/narrative.js';
import { atcFromInsuranceCode, normaliseSystem } from '../../../src/translate/terminology.js';

describe('translate/rules', () => {
  const dates: [string, string][] = [
    ['2024-05-06T02:35:00', '2024-05-06T02:35:00+08:00'],
    ['2024-05-06T02:35', '2024-05-06T02:35:00+08:00'],
    ['2024-05-06T02:35:00.123', '2024-05-06T02:35:00.123+08:00'],
    ['2024-05-06T02:35:00+08:00', '2024-05-06T02:35:00+08:00'],
    ['2024-05-06T02:35:00Z', '2024-05-06T02:35:00Z'],
    ['2024-05-06', '2024-05-06'],
    ['2014', '2014'],
  ];
  for (const [i, o] of dates) it(`date ${i} → ${o}`, () => expect(withChinaZone(i)).to.equal(o));

  const ids = [
    { system: RESIDENT_ID_SYSTEM, value: '11010519491231002X' },
    { system: 'http://hl7.org/fhir/sid/passport-CAN', value: 'AB123456' },
    { system: 'urn:oid:2.16.156.10011.1.13', value: '00417765' },
  ];
  it('removes the resident ID by default policy, keeps passport and record number', () => {
    const r = applyIdentifierPolicy(ids, { residentId: 'remove' }, 'k'.repeat(16));
    expect(r.identifiers).to.deep.equal([ids[1], ids[2]]);
    expect(r.hidden).to.deep.equal(['11010519491231002X']);
    expect(r.actions).to.deep.equal([{ index: 0, action: 'removed' }]);
  });
  it('replaces the resident ID with a keyed HMAC pseudonym', () => {
    const r = applyIdentifierPolicy(ids, { residentId: 'pseudonym' }, 'k'.repeat(16));
    const p = r.identifiers[0] as { system: string; value: string };
    expect(p.system).to.equal(PSEUDONYM_SYSTEM);
    expect(p.value).to.equal(pseudonym('k'.repeat(16), '11010519491231002X'));
    expect(p.value).to.not.equal(pseudonym('x'.repeat(16), '11010519491231002X'));
    expect(JSON.stringify(r.identifiers)).to.not.contain('11010519491231002X');
  });
  it('keeps the resident ID only under the keep policy', () => {
    expect(applyIdentifierPolicy(ids, { residentId: 'keep' }, 'k'.repeat(16)).identifiers).to.deep.equal(ids);
  });

  const x: [string, string | undefined][] = [['XJ01DET084B0', 'J01DE'], ['XB01ACA056A001', 'B01AC'], ['ZA01AAA0001', undefined], ['X12', undefined]];
  for (const [code, atc] of x) it(`insurance drug code ${code} → ATC ${String(atc)}`, () => expect(atcFromInsuranceCode(code)).to.equal(atc));

  it('treats the three ICD-10 China OIDs as one system', () => {
    for (const s of ['urn:oid:2.16.156.10011.2.3.3.11', 'urn:oid:2.16.156.10011.2.3.3.11.3', 'urn:oid:2.16.156.10011.2.3.3.11.5']) {
      expect(normaliseSystem(s)).to.equal('urn:oid:2.16.156.10011.2.3.3.11');
    }
  });

  it('wraps the original div verbatim, escapes generated text, and unwraps it back', () => {
    const original = '<div xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN"><p>高血压</p></div>';
    const div = wrap({ target: 'en', generated: '<p>a &lt; b</p>', original, originalLang: 'zh-CN' });
    expect(div).to.contain(original);
    expect(div).to.contain('not translated');
    expect(unwrap(div)).to.deep.equal({ original, generatedLang: 'en' });
    expect(unwrap(original)).to.equal(undefined);
    expect(plainText('<p>a &amp; b</p><p>&#x4e2d;</p>')).to.equal('a & b 中');
  });
});
