// Export accounting (CAC 2024 ceilings), emergency access (PIPL art. 13(4)), the art. 39 notice
// and the QR code of a link.
import { expect } from 'chai';
import { checkExport, exportYear, yearlyCeiling, type CheckExportInput } from '../../../src/consent/export-accounting.js';
import { buildEmergencyConsent, emergencyNotification, parseEmergencyParameters } from '../../../src/consent/emergency.js';
import { decideAccess } from '../../../src/consent/decision.js';
import { parseGrantParameters, readConsent } from '../../../src/consent/model.js';
import { noticeText, rightsText } from '../../../src/consent/notice.js';
import { linkQrPng, linkQrSvg } from '../../../src/consent/qr.js';
import { GatewayError } from '../../../src/errors.js';
import { grantParams, NOW, PATIENT, resolveOrganization } from './fixtures.js';
import { memoryPorts } from './memory-ports.js';

describe('export accounting', () => {
  const contract = { mechanism: 'standard-contract' as const, reference: 'SCC-2024-0001' };
  const rows: [string, CheckExportInput, boolean, string?][] = [
    ['contract, 9,998 so far, new person', { mechanism: contract, distinctPersonsThisYear: 9998, isNewPerson: true }, true],
    ['contract, 9,999 so far, new person (the 10,000th)', { mechanism: contract, distinctPersonsThisYear: 9999, isNewPerson: true }, false, 'ceiling-reached'],
    ['contract, 9,999 so far, person already counted', { mechanism: contract, distinctPersonsThisYear: 9999, isNewPerson: false }, true],
    ['certification, at the ceiling', { mechanism: { mechanism: 'certification' }, distinctPersonsThisYear: 9999, isNewPerson: true }, false, 'ceiling-reached'],
    ['security assessment, 50,000 so far', { mechanism: { mechanism: 'security-assessment', reference: 'CAC-SA-1' }, distinctPersonsThisYear: 50_000, isNewPerson: true }, true],
    ['security assessment with an approved volume reached', { mechanism: { mechanism: 'security-assessment', approvedPersons: 20_000 }, distinctPersonsThisYear: 20_000, isNewPerson: true }, false, 'ceiling-reached'],
    ['no mechanism on record', { mechanism: { mechanism: 'none' }, distinctPersonsThisYear: 0, isNewPerson: true }, false, 'no-mechanism'],
    ['no mechanism but an emergency (exempt, not counted)', { mechanism: { mechanism: 'none' }, distinctPersonsThisYear: 0, isNewPerson: true, emergency: true }, true],
    ['expired filing', { mechanism: { ...contract, validUntil: '2024-12-31' }, distinctPersonsThisYear: 0, isNewPerson: true, now: NOW }, false, 'mechanism-expired'],
  ];
  for (const [name, input, allowed, reason] of rows) {
    it(`${allowed ? 'allows' : 'refuses'}: ${name}`, () => {
      const r = checkExport(input);
      expect(r.allowed).to.equal(allowed);
      if (!r.allowed) expect(r.reason).to.equal(reason);
    });
  }

  it('counts an emergency export as not counted and a new person as counted', () => {
    expect(checkExport({ mechanism: contract, distinctPersonsThisYear: 5, isNewPerson: true, emergency: true })).to.deep.include({ counted: false, afterThis: 5 });
    expect(checkExport({ mechanism: contract, distinctPersonsThisYear: 5, isNewPerson: true })).to.deep.include({ counted: true, afterThis: 6 });
  });

  it('sets ceilings from the mechanism', () => {
    expect(yearlyCeiling(contract)).to.equal(9999);
    expect(yearlyCeiling({ mechanism: 'security-assessment' })).to.equal(Infinity);
  });

  it('counts calendar years in China time (31 Dec 17:00 UTC is already 1 Jan in Beijing)', () => {
    expect(exportYear(new Date('2024-12-31T15:59:59Z'))).to.equal(2024);
    expect(exportYear(new Date('2024-12-31T16:00:00Z'))).to.equal(2025);
  });

  it('the ledger port admits distinct persons up to the ceiling even in parallel', async () => {
    const { ledger } = memoryPorts();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.admitPerson('pumch', 2025, `p${i % 6}`, 5)));
    expect(outcomes.filter((o) => o === 'recorded')).to.have.length(5);
    expect(await ledger.countDistinct('pumch', 2025)).to.equal(5);
  });
});

describe('emergency access', () => {
  const recipient = { kind: 'organization' as const, ...resolveOrganization('charite')! };
  const params = { resourceType: 'Parameters', parameter: [{ name: 'patient', valueIdentifier: PATIENT }, { name: 'reason', valueString: 'Unconscious after a road accident in Berlin' }] };

  it('parses the declaration and refuses one without a substantive reason', () => {
    expect(parseEmergencyParameters(params).reason).to.match(/road accident/);
    try {
      parseEmergencyParameters({ resourceType: 'Parameters', parameter: [{ name: 'patient', valueIdentifier: PATIENT }, { name: 'reason', valueString: 'urgent' }] });
      expect.fail('accepted');
    } catch (e) {
      expect((e as GatewayError).code).to.equal('INVALID_PARAMETER');
      expect((e as GatewayError).issues[0]!.rule).to.equal('EMERGENCY_REASON');
    }
  });

  it('builds a short-lived emergency Consent limited to allergies, diagnoses and medicines', () => {
    const c = buildEmergencyConsent({ patient: PATIENT, reason: 'Unconscious after a road accident', recipient, documentTypes: [] }, { id: 'e1', now: NOW, hospital: { id: 'pumch', name: 'PUMCH' } });
    const v = readConsent(c);
    expect(v).to.deep.include({ legalBasis: 'emergency', channel: 'emergency-declaration', processingMethod: 'view-only', emergencyReason: 'Unconscious after a road accident' });
    expect(v.purpose.code).to.equal('ETREAT');
    expect(Date.parse(v.period.end) - NOW.getTime()).to.equal(24 * 3_600_000);
    expect(v.excluded).to.deep.equal(['genomic', 'resident-id', 'ethnicity']);
    const d = decideAccess({
      consent: c, now: new Date(NOW.getTime() + 60_000),
      request: { recipientId: 'charite', patientIdentifier: PATIENT, document: { id: 'd', type: [{ system: 'urn:oid:2.16.156.10011.2.4', code: 'C0053' }], sections: ['11535-2', '8648-8', '48765-2'] } },
    });
    expect(d).to.deep.include({ permit: true, allowedSections: ['11535-2', '48765-2'], legalBasis: 'emergency' });
  });

  it('tells the patient afterwards who looked and why, in their language', () => {
    const d = { patient: PATIENT, reason: 'Unconscious after a road accident', recipient, documentTypes: [] };
    expect(emergencyNotification(d, NOW, 'zh-CN')).to.contain('第十三条').and.contain('Charité');
    expect(emergencyNotification(d, NOW, 'en')).to.contain('road accident');
  });
});

describe('PIPL art. 39 notice', () => {
  const grant = parseGrantParameters(grantParams({ m: [{ name: 'processingMethod', valueCode: 'may-store' }], a: [{ name: 'allowSensitive', valueCode: 'ethnicity' }] }), { resolveOrganization, now: NOW });
  const ctx = { hospitalName: '北京协和医院' };

  it('names recipient and contact, purpose, method, categories, rights, in Chinese', () => {
    const t = noticeText(grant, 'zh-CN', ctx);
    for (const part of ['第三十九条', 'Charité', 'privacy@charite.example.org', '延续诊疗', '保存', 'doc-1', '居民身份证号码', '民族', '撤回', '2025-06-01']) expect(t, part).to.contain(part);
  });

  it('says the same in English, with excluded and explicitly included categories apart', () => {
    const t = noticeText(grant, 'en', ctx);
    expect(t).to.match(/Never provided: genomic .* resident ID card number\./);
    expect(t).to.contain('With your explicit consent, also provided: ethnicity.');
    expect(t).to.contain('view and store');
    expect(rightsText(grant, 'en')).to.contain('PIPL art. 15');
  });
});

describe('link QR code', () => {
  it('renders PNG and SVG data URLs', async () => {
    const link = 'https://gw.example.org/view#shlink:/eyJ1cmwiOiJodHRwczovL2d3LmV4YW1wbGUub3JnL3NobC94In0';
    const png = await linkQrPng(link);
    expect(png.startsWith('data:image/png;base64,')).to.equal(true);
    expect(Buffer.from(png.split(',')[1]!, 'base64').subarray(1, 4).toString()).to.equal('PNG');
    const svg = Buffer.from((await linkQrSvg(link)).split(',')[1]!, 'base64').toString();
    expect(svg).to.match(/^<svg/);
  });
});
