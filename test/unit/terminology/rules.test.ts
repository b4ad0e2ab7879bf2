/** Table-driven tests of the Chinese ICD → international mapping rules (DOMAIN.md). */
import { expect } from 'chai';
import path from 'node:path';
import { mapIcd10CnToWho, mapIcd10Single, mapIcd9Cm3ToIcd9Cm, splitDaggerAsterisk } from '../../../src/tools/terminology/icd-rules.js';
import { SOURCES, tsv } from './helpers.js';

const icd10Classes = new Set(
  tsv(path.join(SOURCES, 'icd10-cn', 'nhsa-icd10-yb2.0-dict-0122.tsv'))
    .filter((r) => r.row_type === 'class')
    .map((r) => r.code!.replace(/[+*]$/, '')),
);
const icd9Classes = new Set(
  tsv(path.join(SOURCES, 'icd10-cn', 'nhsa-icd9cm3-yb2.0-dict-0122.tsv')).filter((r) => r.row_type === 'class').map((r) => r.code!),
);

describe('terminology: ICD-10 China → WHO rule', () => {
  const table: [string, string | undefined, string | undefined][] = [
    ['E11.900', 'E11.9', 'wider'],
    ['I10.x05', 'I10', 'wider'],
    ['I10.x00x002', 'I10', 'wider'],
    ['I21.401', 'I21.4', 'wider'],
    ['A00.000x001', 'A00.0', 'wider'],
    ['E11.9', 'E11.9', 'equivalent'],
    ['I10', 'I10', 'equivalent'],
    ['U99.000', undefined, undefined], // category absent from the WHO list → unmapped
    ['not-a-code', undefined, undefined],
    ['', undefined, undefined],
  ];
  for (const [code, target, eq] of table) {
    it(`${code || '(empty)'} → ${target ?? 'unmapped'}`, () => {
      const r = mapIcd10Single(code, icd10Classes);
      expect(r?.code).to.equal(target);
      expect(r?.equivalence).to.equal(eq);
    });
  }

  it('falls back to the category when the subcategory is not a WHO code', () => {
    expect(mapIcd10Single('I10.900', icd10Classes)).to.deep.equal({ code: 'I10', equivalence: 'wider' });
  });

  it('maps both halves of a dagger–asterisk pair', () => {
    expect(splitDaggerAsterisk('E11.200x023+N08.3*')).to.deep.equal({ dagger: 'E11.200x023', asterisk: 'N08.3' });
    const r = mapIcd10CnToWho('E11.200x023+N08.3*', icd10Classes);
    expect(r.primary).to.deep.equal({ code: 'E11.2', equivalence: 'wider' });
    expect(r.asterisk).to.deep.equal({ code: 'N08.3', equivalence: 'equivalent' });
    const g = mapIcd10CnToWho('A17.000+G01*', icd10Classes);
    expect(g.primary?.code).to.equal('A17.0');
    expect(g.asterisk?.code).to.equal('G01');
  });
});

describe('terminology: ICD-9-CM-3 China → ICD-9-CM rule', () => {
  const table: [string, string | undefined][] = [
    ['51.2300', '51.23'],
    ['00.6600x004', '00.66'],
    ['01.6x00', '01.6'],
    ['36.0601', '36.06'],
    ['00.0100', '00.01'],
    ['abc', undefined],
  ];
  for (const [code, target] of table) {
    it(`${code} → ${target ?? 'unmapped'}`, () => {
      expect(mapIcd9Cm3ToIcd9Cm(code, icd9Classes)?.code).to.equal(target);
    });
  }
  it('falls back to the 3-digit, then the 2-digit code when the parent is not listed', () => {
    expect(mapIcd9Cm3ToIcd9Cm('51.2300', new Set(['51.2', '51']))).to.deep.equal({ code: '51.2', equivalence: 'wider' });
    expect(mapIcd9Cm3ToIcd9Cm('51.2300', new Set(['51']))).to.deep.equal({ code: '51', equivalence: 'wider' });
    expect(mapIcd9Cm3ToIcd9Cm('51.2300', new Set<string>())).to.equal(undefined);
  });
  it('is wider for every Chinese extension code and equivalent for an identical code', () => {
    expect(mapIcd9Cm3ToIcd9Cm('51.2300', icd9Classes)?.equivalence).to.equal('wider');
    expect(mapIcd9Cm3ToIcd9Cm('51.23', icd9Classes)?.equivalence).to.equal('equivalent');
  });
});
