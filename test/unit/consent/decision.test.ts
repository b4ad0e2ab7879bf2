// decideAccess: table-driven. Each row varies one fact of an otherwise permitted request and
// names the decision it must produce (deny by default: every check must pass).
import { expect } from 'chai';
import { decideAccess, type AccessRequest, type Decision } from '../../../src/consent/decision.js';
import { buildConsent, parseGrantParameters, withdrawConsent } from '../../../src/consent/model.js';
import { grantParams, NOW, PATIENT, resolveOrganization } from './fixtures.js';

const hospital = { id: 'pumch', name: '北京协和医院' };
const C0053 = { system: 'urn:oid:2.16.156.10011.2.4', code: 'C0053' };
const make = (over: Record<string, unknown> = {}) =>
  buildConsent(parseGrantParameters(grantParams(over as never), { resolveOrganization, now: NOW }), { id: 'c1', now: NOW, hospital, channel: 'hospital-on-behalf' });

const byId = make();
const byType = make({
  document: null,
  type: [{ name: 'documentType', valueCoding: C0053 }],
  period: [{ name: 'dataPeriod', valuePeriod: { start: '2024-01-01', end: '2024-12-31' } }],
});
const bySection = make({ section: [{ name: 'section', valueCoding: { system: 'http://loinc.org', code: '11535-2' } }, { name: 'section', valueCoding: { system: 'http://loinc.org', code: '48765-2' } }] });
const person = make({ recipient: [{ name: 'recipient', valueString: 'Dr. Anna Schmidt' }, { name: 'recipientContact', valueString: 'anna@example.de' }] });
const allowAll = make({ a: ['genomic', 'resident-id', 'ethnicity'].map((c) => ({ name: 'allowSensitive', valueCode: c })) });

const LATER = new Date('2025-04-01T00:00:00Z');
const base: AccessRequest = { recipientId: 'charite', patientIdentifier: PATIENT, document: { id: 'doc-1', type: [C0053], date: '2024-05-01', sections: ['11535-2', '8648-8'] } };
const req = (over: Omit<Partial<AccessRequest>, 'document'> & { document?: Partial<AccessRequest['document']> } = {}): AccessRequest => ({
  ...base,
  ...over,
  document: { ...base.document, ...(over.document ?? {}) },
});

const rows: [string, unknown, Date, AccessRequest, Decision['permit'], string?][] = [
  ['document named by id', byId, LATER, req(), true],
  ['another document not named', byId, LATER, req({ document: { id: 'doc-2' } }), false, 'document-not-covered'],
  ['document of a consented type', byType, LATER, req({ document: { id: 'any' } }), true],
  ['document of another type', byType, LATER, req({ document: { id: 'any', type: [{ system: 'http://loinc.org', code: '18842-5' }] } }), false, 'document-not-covered'],
  ['type matches code but not system', byType, LATER, req({ document: { id: 'any', type: [{ system: 'urn:oid:1.2.3', code: 'C0053' }] } }), false, 'document-not-covered'],
  ['document dated before the range', byType, LATER, req({ document: { id: 'any', date: '2023-12-31' } }), false, 'outside-date-range'],
  ['document dated on the last day of the range', byType, LATER, req({ document: { id: 'any', date: '2024-12-31T18:00:00Z' } }), true],
  ['document dated after the range', byType, LATER, req({ document: { id: 'any', date: '2025-01-01T00:00:00Z' } }), false, 'outside-date-range'],
  ['undated document under a date range', byType, LATER, req({ document: { id: 'any', date: undefined } }), false, 'outside-date-range'],
  ['withdrawn consent', withdrawConsent(byId, LATER), LATER, req(), false, 'not-active'],
  ['draft status', { ...byId, status: 'draft' }, LATER, req(), false, 'not-active'],
  ['before validity starts', byId, new Date('2025-02-28T00:00:00Z'), req(), false, 'not-yet-valid'],
  ['at the end instant', byId, new Date('2025-06-01T00:00:00Z'), req(), false, 'expired'],
  ['another participant', byId, LATER, req({ recipientId: 'mayo' }), false, 'recipient-mismatch'],
  ['no recipient at all', byId, LATER, { patientIdentifier: PATIENT, document: base.document }, false, 'recipient-mismatch'],
  ['link holder of an organization consent', byId, LATER, req({ recipientId: undefined, recipientName: 'Dr. Weber, Charité' }), true],
  ['named person, name matches (normalised)', person, LATER, req({ recipientId: undefined, recipientName: '  dr. anna   SCHMIDT ' }), true],
  ['named person, other name', person, LATER, req({ recipientId: undefined, recipientName: 'Dr. Hans Schmidt' }), false, 'recipient-mismatch'],
  ['system token on a person consent', person, LATER, req(), false, 'recipient-mismatch'],
  ['other patient', byId, LATER, req({ patientIdentifier: { ...PATIENT, value: '110105194912310021' } }), false, 'patient-mismatch'],
  ['same value, other identifier system', byId, LATER, req({ patientIdentifier: { system: 'urn:oid:2.16.156.10011.1.13', value: PATIENT.value } }), false, 'patient-mismatch'],
  ['stated purpose differs', byId, LATER, req({ purpose: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HPAYMT' } }), false, 'purpose-mismatch'],
  ['stated purpose matches', byId, LATER, req({ purpose: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' } }), true],
  ['section-limited consent, one section present', bySection, LATER, req(), true],
  ['section-limited consent, no consented section in the document', bySection, LATER, req({ document: { sections: ['8648-8'] } }), false, 'no-permitted-section'],
  ['not a Consent at all', { resourceType: 'Patient' }, LATER, req(), false, 'unreadable-consent'],
  ['a foreign Consent without our extensions', { resourceType: 'Consent', id: 'x', status: 'active' }, LATER, req(), false, 'unreadable-consent'],
];

describe('decideAccess (table)', () => {
  for (const [name, consent, now, request, permit, reason] of rows) {
    it(`${permit ? 'permits' : 'denies'}: ${name}`, () => {
      const d = decideAccess({ consent, now, request });
      expect(d.permit, JSON.stringify(d)).to.equal(permit);
      if (!d.permit) expect(d.reason).to.equal(reason);
    });
  }

  it('returns the allowed sections and keeps excluded categories out by default', () => {
    const d = decideAccess({ consent: bySection, now: LATER, request: req() });
    expect(d).to.deep.include({ permit: true, allowedSections: ['11535-2'], exportResidentId: false, exportEthnicity: false, exportGenomic: false, processingMethod: 'view-only', legalBasis: 'consent', consentId: 'c1' });
  });

  it('exports resident ID, ethnicity and genomic content only when explicitly allowed', () => {
    const d = decideAccess({ consent: allowAll, now: LATER, request: req() });
    expect(d).to.deep.include({ permit: true, allowedSections: 'all', exportResidentId: true, exportEthnicity: true, exportGenomic: true });
  });
});
