import { expect } from 'chai';
import { disclosureRow, disclosureRows, disclosuresCsv, ndjsonLine } from '../../../src/audit/disclosures.js';
import { buildAuditEvent } from '../../../src/audit/events.js';
import { canonicalJson } from '../../../src/fhir/canonical.js';
import { OBSERVER, facts } from './support/fixtures.js';

describe('audit/disclosures: accounting of disclosures (HIPAA §164.528, PIPL art. 55/56)', () => {
  it('gives date, recipient, address, description and purpose for a provider read', () => {
    const row = disclosureRow({ ...buildAuditEvent(facts(4), OBSERVER), id: '4' });
    expect(row).to.deep.equal({
      date: '2025-01-01T00:00:04.000Z',
      recipient: 'Charité Berlin (provider-charite)',
      recipientAddress: 'DE 203.0.113.7',
      description: 'Bundle/doc-4 — read over FHIR REST',
      purpose: 'TREAT treatment',
      consent: 'Consent/consent-1',
      requestId: 'req-4',
      seq: 4,
    });
  });

  it('names the link recipient exactly as given for a consent-link manifest', () => {
    const e = buildAuditEvent(facts(2, { action: 'link-manifest', actor: { linkRecipient: 'Dr. 王, Klinik Nord' }, sourceAddress: '198.51.100.9' }), OBSERVER);
    expect(disclosureRow(e)).to.include({ recipient: 'Dr. 王, Klinik Nord', recipientAddress: '198.51.100.9', description: 'Bundle/doc-2 — delivered through a consent link' });
  });

  it('leaves out failures, refusals, submissions and a hospital reading its own documents', () => {
    const events = [
      buildAuditEvent(facts(1, { outcome: 'failure', failure: { reason: 'expired' } }), OBSERVER),
      buildAuditEvent(facts(2, { action: 'consent-refused', outcome: 'failure', failure: { reason: 'revoked' } }), OBSERVER),
      buildAuditEvent(facts(3, { action: 'submit', actor: { participantId: 'pumch', role: 'hospital' } }), OBSERVER),
      buildAuditEvent(facts(4, { actor: { participantId: 'pumch', role: 'hospital' } }), OBSERVER),
      buildAuditEvent(facts(5, { action: 'emergency-access', emergency: true }), OBSERVER),
    ];
    const rows = disclosureRows(events);
    expect(rows.map((r) => r.date)).to.deep.equal(['2025-01-01T00:00:05.000Z']);
    expect(rows[0]!.description).to.contain('emergency');
    expect(rows[0]!.purpose).to.contain('ETREAT');
  });

  it('writes RFC 4180 CSV (quotes commas and quotes) and canonical NDJSON lines', () => {
    const e = buildAuditEvent(facts(2, { action: 'link-manifest', actor: { linkRecipient: 'Dr. "Ann", Nord' } }), OBSERVER);
    const csv = disclosuresCsv(disclosureRows([e]));
    const [header, line, end] = csv.split('\r\n');
    expect(header).to.equal('date,recipient,recipientAddress,description,purpose,consent,requestId');
    expect(line).to.contain('"Dr. ""Ann"", Nord"');
    expect(end).to.equal('');
    expect(ndjsonLine(e)).to.equal(`${canonicalJson(e)}\n`);
  });
});
