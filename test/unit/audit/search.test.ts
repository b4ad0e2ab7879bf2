import { expect } from 'chai';
import { dateRange, parseAuditSearch, DEFAULT_COUNT } from '../../../src/audit/search.js';
import { GatewayError } from '../../../src/errors.js';

function invalid(q: Record<string, string | string[]> | URLSearchParams): GatewayError {
  try {
    parseAuditSearch(q);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('expected INVALID_PARAMETER');
}

describe('audit/search: FHIR AuditEvent search parameters', () => {
  it('defaults: no filter, ascending, _count 50, offset 0', () => {
    expect(parseAuditSearch({})).to.deep.include({ patient: [], recordedFrom: [], sort: 'seq', count: DEFAULT_COUNT, offset: 0 });
  });

  const DATES: [string, string, string][] = [
    ['2025', '2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-12-31', '2024-12-31T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2025-03-01T08:30+08:00', '2025-03-01T00:30:00.000Z', '2025-03-01T00:31:00.000Z'],
    ['2025-03-01T08:30:15Z', '2025-03-01T08:30:15.000Z', '2025-03-01T08:30:16.000Z'],
    ['2025-03-01T08:30:15.250Z', '2025-03-01T08:30:15.250Z', '2025-03-01T08:30:15.251Z'],
  ];
  for (const [v, lo, hi] of DATES) {
    it(`date ${v} stands for [${lo}, ${hi})`, () => {
      expect(dateRange(v)).to.deep.equal({ lo, hi });
    });
  }
  for (const v of ['2025-02-30', '2025-13', '25-01-01', '2025-01-01T08:30', '2025-01-01T25:00Z', 'yesterday']) {
    it(`rejects the date "${v}"`, () => expect(dateRange(v)).to.equal(null));
  }

  const PREFIXES: [string, string[], string[]][] = [
    ['2025-01-02', ['2025-01-02T00:00:00.000Z'], ['2025-01-03T00:00:00.000Z']],
    ['eq2025-01-02', ['2025-01-02T00:00:00.000Z'], ['2025-01-03T00:00:00.000Z']],
    ['ge2025-01-02', ['2025-01-02T00:00:00.000Z'], []],
    ['gt2025-01-02', ['2025-01-03T00:00:00.000Z'], []],
    ['sa2025-01-02', ['2025-01-03T00:00:00.000Z'], []],
    ['lt2025-01-02', [], ['2025-01-02T00:00:00.000Z']],
    ['eb2025-01-02', [], ['2025-01-02T00:00:00.000Z']],
    ['le2025-01-02', [], ['2025-01-03T00:00:00.000Z']],
  ];
  for (const [v, from, before] of PREFIXES) {
    it(`date=${v} → recorded >= ${from.join() || '-'} and < ${before.join() || '-'}`, () => {
      const q = parseAuditSearch({ date: v });
      expect(q.recordedFrom).to.deep.equal(from);
      expect(q.recordedBefore).to.deep.equal(before);
    });
  }

  it('ANDs repeated parameters and ORs comma-separated values (escaped comma kept)', () => {
    const q = parseAuditSearch(new URLSearchParams('agent=a,b&agent=c&entity=x\\,y&date=ge2025&date=lt2026'));
    expect(q.agent).to.deep.equal([['a', 'b'], ['c']]);
    expect(q.entity).to.deep.equal([['x,y']]);
    expect(q.recordedFrom).to.have.length(1);
    expect(q.recordedBefore).to.have.length(1);
  });

  it('parses patient references and patient.identifier (also as patient:identifier)', () => {
    const q = parseAuditSearch({ patient: ['Patient/p1,p2'], 'patient:identifier': 'urn:oid:2.16.156.10011.1.3|11010519491231002X' });
    expect(q.patient).to.deep.equal([['Patient/p1', 'Patient/p2']]);
    expect(q.patientIdentifier).to.deep.equal([[{ system: 'urn:oid:2.16.156.10011.1.3', value: '11010519491231002X' }]]);
  });

  it('parses tokens for type and subtype: system|code, code, |code, system|', () => {
    const q = parseAuditSearch({ type: 'http://dicom.nema.org/resources/ontology/DCM|110113', subtype: 'read,|x,http://s|' });
    expect(q.type).to.deep.equal([[{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113' }]]);
    expect(q.subtype).to.deep.equal([[{ code: 'read' }, { system: '', code: 'x' }, { system: 'http://s' }]]);
  });

  it('parses outcome, _count, _offset and _sort', () => {
    expect(parseAuditSearch({ outcome: '4,8', _count: '10', _offset: '20', _sort: '-date' })).to.deep.include({ outcome: [['4', '8']], count: 10, offset: 20, sort: '-seq' });
  });

  const BAD: [string, Record<string, string | string[]>][] = [
    ['an unknown parameter', { name: 'x' }],
    ['a bad outcome', { outcome: '3' }],
    ['a patient.identifier without system', { 'patient.identifier': '12345' }],
    ['a bad patient reference', { patient: 'Observation/1' }],
    ['_count above the maximum', { _count: '5000' }],
    ['a negative _offset', { _offset: '-1' }],
    ['a date prefix ne', { date: 'ne2025' }],
    ['a malformed date', { date: 'ge2025-02-30' }],
    ['an unsupported _sort', { _sort: 'agent' }],
    ['an empty value', { agent: '' }],
  ];
  for (const [name, q] of BAD) {
    it(`answers INVALID_PARAMETER for ${name}`, () => {
      expect(invalid(q).code).to.equal('INVALID_PARAMETER');
    });
  }

  it('lists every bad parameter at once, each with its name as expression', () => {
    const e = invalid({ outcome: '3', _count: 'x', foo: 'bar' });
    expect(e.issues.map((i) => i.expression?.[0]).sort()).to.deep.equal(['_count', 'foo', 'outcome']);
  });
});
