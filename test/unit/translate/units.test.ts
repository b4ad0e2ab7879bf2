/** UCUM normalisation and SI → conventional conversions (original kept, converted in an extension). */
import { expect } from 'chai';
import { addConverted, CONVERTED_QUANTITY, normaliseQuantity, toConventional, toUcum } from '../../../src/translate/units.js';

const UCUM = 'http://unitsofmeasure.org';

describe('translate/units', () => {
  const conversions: [string, string, number, string, number, string][] = [
    ['glucose', '14749-6', 5.6, 'mmol/L', 100.9, 'mg/dL'],
    ['haemoglobin', '718-7', 135, 'g/L', 13.5, 'g/dL'],
    ['creatinine', '14682-9', 88.4, 'umol/L', 1.0, 'mg/dL'],
    ['cholesterol', '14647-2', 5.2, 'mmol/L', 201, 'mg/dL'],
  ];
  for (const [name, loinc, v, from, expected, to] of conversions) {
    it(`${name} ${v} ${from} → ${expected} ${to}`, () => {
      expect(toConventional(loinc, v, from)).to.deep.equal({ value: expected, unit: to, system: UCUM, code: to });
    });
  }

  it('does not convert an analyte reported in another unit or an unknown analyte', () => {
    expect(toConventional('14749-6', 100, 'mg/dL')).to.equal(undefined);
    expect(toConventional('2823-3', 4.1, 'mmol/L')).to.equal(undefined);
  });

  it('keeps the original quantity and adds the converted one as an extension, once', () => {
    const q: Record<string, unknown> = { value: 5.6, unit: 'mmol/L', system: UCUM, code: 'mmol/L' };
    expect(addConverted(q, '14749-6')?.value).to.equal(100.9);
    expect(q).to.deep.include({ value: 5.6, unit: 'mmol/L', code: 'mmol/L' });
    expect(q.extension).to.deep.equal([{ url: CONVERTED_QUANTITY, valueQuantity: { value: 100.9, unit: 'mg/dL', system: UCUM, code: 'mg/dL' } }]);
    expect(addConverted(q, '14749-6')).to.equal(undefined);
    expect(q.extension).to.have.length(1);
  });

  const printed: [string, string | undefined][] = [
    ['岁', 'a'], ['月', 'mo'], ['天', 'd'], ['片', '{tbl}'], ['袋', '{bag}'], ['μmol/L', 'umol/L'],
    ['×10⁹/L', '10*9/L'], ['mmHg', 'mm[Hg]'], ['mg', 'mg'], ['10*9/L', '10*9/L'], ['盒子', undefined],
  ];
  for (const [unit, code] of printed) it(`printed unit ${unit} → UCUM ${String(code)}`, () => expect(toUcum(unit)).to.equal(code));

  it('codes a printed-unit quantity without touching value or unit', () => {
    const q: Record<string, unknown> = { value: 66, unit: '岁' };
    expect(normaliseQuantity(q)).to.equal('coded');
    expect(q).to.deep.equal({ value: 66, unit: '岁', system: UCUM, code: 'a' });
    expect(normaliseQuantity({ value: 90, unit: '盒子' })).to.equal('unknown-unit');
    expect(normaliseQuantity({ value: 1, system: UCUM, code: 'not a unit' })).to.equal('invalid-ucum');
  });
});
