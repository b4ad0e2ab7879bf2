// $grant parsing (coded INVALID_PARAMETER issues with FHIRPath expressions) and the FHIR Consent
// built from a grant: every PIPL art. 39 element present, excluded categories labelled, readable
// back, withdrawal inactive at once.
import { expect } from 'chai';
import { buildConsent, consentKey, parseGrantParameters, readConsent, withdrawConsent } from '../../../src/consent/model.js';
import { EXT, PIPL_CATEGORY, SD } from '../../../src/consent/vocab.js';
import { GatewayError } from '../../../src/errors.js';
import { grantParams, NOW, PATIENT, resolveOrganization } from './fixtures.js';

const opts = { resolveOrganization, now: NOW };
const hospital = { id: 'pumch', name: '北京协和医院' };

function issuesOf(params: unknown): { rule?: string; expression?: string[] }[] {
  try {
    parseGrantParameters(params, opts);
  } catch (e) {
    expect(e).to.be.instanceOf(GatewayError);
    expect((e as GatewayError).code).to.equal('INVALID_PARAMETER');
    return (e as GatewayError).issues;
  }
  expect.fail('expected INVALID_PARAMETER');
}

describe('parseGrantParameters', () => {
  it('accepts a minimal organization grant and resolves the recipient from the trust list', () => {
    const g = parseGrantParameters(grantParams(), opts);
    expect(g.recipient).to.include({ kind: 'organization', id: 'charite' });
    expect(g.recipient.contact.email).to.equal('privacy@charite.example.org');
    expect(g).to.include({ noticeLanguage: 'zh-CN', processingMethod: 'view-only' });
    expect(g.documents).to.deep.equal(['doc-1']);
    expect(g.allowSensitive).to.deep.equal([]);
  });

  it('accepts a named person with a contact', () => {
    const g = parseGrantParameters(
      grantParams({
        recipient: [{ name: 'recipient', valueString: 'Dr. Anna Schmidt' }, { name: 'recipientContact', valueString: 'anna.schmidt@example.de' }],
      }),
      opts,
    );
    expect(g.recipient).to.deep.include({ kind: 'person', name: 'Dr. Anna Schmidt' });
  });

  const cases: [string, Record<string, unknown>, string, string][] = [
    ['unknown organization', { recipient: [{ name: 'recipient', valueReference: { reference: 'Organization/nobody' } }] }, 'GRANT_RECIPIENT_UNKNOWN', 'Parameters.parameter[1].valueReference.reference'],
    ['person without contact', { recipient: [{ name: 'recipient', valueString: 'Dr. X' }] }, 'GRANT_RECIPIENT_CONTACT', 'Parameters.parameter'],
    ['purpose outside the value set', { purpose: [{ name: 'purpose', valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HMARKT' } }] }, 'GRANT_PURPOSE', 'Parameters.parameter[2].valueCoding'],
    ['end in the past', { end: [{ name: 'end', valueDateTime: '2024-01-01T00:00:00Z' }] }, 'GRANT_END', 'Parameters.parameter[4].valueDateTime'],
    ['end beyond a year', { end: [{ name: 'end', valueDateTime: '2027-01-01T00:00:00Z' }] }, 'GRANT_END', 'Parameters.parameter[4].valueDateTime'],
    ['time without zone', { end: [{ name: 'end', valueDateTime: '2025-06-01T00:00:00' }] }, 'GRANT_DATETIME', 'Parameters.parameter[4].valueDateTime'],
    ['no document nor type', { document: null }, 'GRANT_REQUIRED', 'Parameters.parameter'],
    ['document not a Bundle', { document: [{ name: 'document', valueReference: { reference: 'Patient/1' } }] }, 'GRANT_DOCUMENT', 'Parameters.parameter[3].valueReference.reference'],
    ['patient without system', { patient: [{ name: 'patient', valueIdentifier: { value: '1' } }] }, 'GRANT_PATIENT', 'Parameters.parameter[0].valueIdentifier'],
    ['unknown parameter', { extra: [{ name: 'recipent', valueString: 'x' }] }, 'GRANT_UNKNOWN_PARAMETER', 'Parameters.parameter[5].name'],
    ['short passcode', { passcode: [{ name: 'passcode', valueString: '12' }] }, 'GRANT_PASSCODE', 'Parameters.parameter[5].valueString'],
    ['unknown sensitive category', { allow: [{ name: 'allowSensitive', valueCode: 'religion' }] }, 'GRANT_SENSITIVE', 'Parameters.parameter[5].valueCode'],
    ['label over 80 characters', { label: [{ name: 'label', valueString: 'x'.repeat(81) }] }, 'GRANT_LABEL', 'Parameters.parameter[5].valueString'],
  ];
  for (const [name, override, rule, expression] of cases) {
    it(`refuses ${name} (${rule} at ${expression})`, () => {
      const issues = issuesOf(grantParams(override as never));
      const hit = issues.find((i) => i.rule === rule);
      expect(hit, JSON.stringify(issues)).to.not.equal(undefined);
      expect(hit!.expression).to.deep.equal([expression]);
    });
  }

  it('collects every problem at once', () => {
    const issues = issuesOf(grantParams({ patient: null, purpose: null, end: null }));
    expect(issues.filter((i) => i.rule === 'GRANT_REQUIRED')).to.have.length(3);
  });

  it('refuses a body that is not Parameters', () => {
    expect(() => parseGrantParameters({ resourceType: 'Bundle' }, opts)).to.throw(GatewayError).with.property('code', 'INVALID_PARAMETER');
  });
});

describe('buildConsent / readConsent', () => {
  const grant = parseGrantParameters(
    grantParams({
      allow: [{ name: 'allowSensitive', valueCode: 'ethnicity' }],
      section: [{ name: 'section', valueCoding: { system: 'http://loinc.org', code: '11535-2' } }],
      lang: [{ name: 'noticeLanguage', valueCode: 'en' }],
    }),
    opts,
  );
  const consent = buildConsent(grant, { id: 'c1', now: NOW, hospital, channel: 'hospital-on-behalf' });
  const c = consent as Record<string, any>;

  it('is an active patient-privacy Consent with LOINC 59284-0 and the PIPL category', () => {
    expect(c.status).to.equal('active');
    expect(c.scope.coding[0]).to.include({ code: 'patient-privacy' });
    expect(c.category.map((cc: any) => cc.coding[0].code)).to.deep.equal(['59284-0', PIPL_CATEGORY.code]);
    expect(c.policy[0].uri).to.match(/pipl-art-39/);
  });

  it('names the recipient as IRCP actor, the purpose, period, documents and sections', () => {
    expect(c.provision.type).to.equal('permit');
    expect(c.provision.actor[0].role.coding[0].code).to.equal('IRCP');
    expect(c.provision.actor[0].reference).to.deep.equal({ reference: 'Organization/charite', display: 'Charité – Universitätsmedizin Berlin' });
    expect(c.provision.purpose[0].code).to.equal('TREAT');
    expect(c.provision.period).to.deep.equal({ start: NOW.toISOString(), end: '2025-06-01T00:00:00Z' });
    expect(c.provision.data[0].reference.reference).to.equal('Bundle/doc-1');
    expect(c.provision.extension[0]).to.deep.equal({ url: EXT.sections, valueCoding: { system: 'http://loinc.org', code: '11535-2' } });
  });

  it('labels genomic and resident ID as denied but not the explicitly allowed ethnicity', () => {
    const labels = c.provision.provision[0].securityLabel.map((l: any) => l.code);
    expect(c.provision.provision[0].type).to.equal('deny');
    expect(labels).to.include.members(['GDIS', 'genomic', 'resident-id']);
    expect(labels).to.not.include('ethnicity');
  });

  it('carries every art. 39 extension under our canonical base', () => {
    const urls = c.extension.map((e: any) => e.url);
    for (const u of [EXT.recipientContact, EXT.processingMethod, EXT.notice, EXT.rightsExercise, EXT.channel, EXT.legalBasis]) expect(urls).to.include(u);
    expect(urls.every((u: string) => u.startsWith(SD + '/'))).to.equal(true);
  });

  it('reads back into the same facts', () => {
    const v = readConsent(consent);
    expect(v).to.deep.include({ id: 'c1', status: 'active', patient: PATIENT, documents: ['doc-1'], sections: ['11535-2'], processingMethod: 'view-only', legalBasis: 'consent', channel: 'hospital-on-behalf', noticeLanguage: 'en' });
    expect(v.excluded).to.deep.equal(['genomic', 'resident-id']);
    expect(v.recipient).to.deep.include({ kind: 'organization', id: 'charite' });
    expect(v.noticeText).to.contain('Charité');
    expect(v.hospitalId).to.equal('pumch');
  });

  it('performer is the patient when the patient granted through an invitation', () => {
    const own = buildConsent(grant, { id: 'c2', now: NOW, hospital, channel: 'patient-invitation' }) as Record<string, any>;
    expect(own.performer[0].identifier).to.deep.equal(PATIENT);
    expect(c.performer[0].reference).to.equal('Organization/pumch');
  });

  it('withdrawal makes it inactive and records when, leaving the original untouched', () => {
    const w = withdrawConsent(consent, new Date('2025-03-02T00:00:00Z'));
    expect(w.status).to.equal('inactive');
    expect(readConsent(w).withdrawn).to.equal('2025-03-02T00:00:00.000Z');
    expect(consent.status).to.equal('active');
  });

  it('refuses to read a Consent that lacks our extensions', () => {
    expect(() => readConsent({ resourceType: 'Consent', id: 'x', status: 'active' })).to.throw(TypeError);
  });

  it('keys one consent per patient × recipient × purpose; person names compare normalised', () => {
    const p = { system: V3, code: 'TREAT' };
    const a = consentKey(PATIENT, { kind: 'person', name: 'Dr  Anna Schmidt', contact: { text: 'x' } }, p);
    const b = consentKey(PATIENT, { kind: 'person', name: 'dr anna schmidt', contact: { text: 'y' } }, p);
    const d = consentKey(PATIENT, { kind: 'person', name: 'dr anna schmidt', contact: { text: 'y' } }, { ...p, code: 'HPAYMT' });
    expect(a).to.equal(b);
    expect(a).to.not.equal(d);
  });
});
const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
