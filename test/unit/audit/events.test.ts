import { expect } from 'chai';
import { buildAuditEvent, isDisclosure, type AuditAction, type AuditFacts } from '../../../src/audit/events.js';
import { AUDIT_ACTIONS, AUDIT_SUBTYPE_SYSTEM } from '../../../src/audit/codes.js';
import { OBSERVER, PASSPORT, RESIDENT_ID, TREAT, facts } from './support/fixtures.js';

type Obj = Record<string, any>;
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RI = 'http://hl7.org/fhir/restful-interaction';

function codes(list: Obj[] | undefined): string[] {
  return (list ?? []).map((c) => `${c.system}|${c.code}`);
}

const failure = { reason: 'refused', code: 'FORBIDDEN' };

// action → [type, first standard subtype, action code, client agent role, outcome on failure]
const TABLE: [AuditAction, Partial<AuditFacts>, string, string | null, string, string, string][] = [
  ['submit', {}, `${REST}|rest`, `${RI}|create`, 'C', '110153', '4'],
  ['read', {}, `${REST}|rest`, `${RI}|read`, 'R', '110152', '4'],
  ['search', { query: 'patient.identifier=x|y' }, `${REST}|rest`, `${RI}|search-type`, 'E', '110153', '4'],
  ['translate', { operation: '$translate' }, `${REST}|rest`, `${RI}|operation`, 'E', '110153', '4'],
  ['validate', { operation: '$validate' }, `${REST}|rest`, `${RI}|operation`, 'E', '110153', '4'],
  ['consent-grant', {}, `${REST}|rest`, `${RI}|create`, 'C', '110153', '4'],
  ['consent-revoke', {}, `${REST}|rest`, `${RI}|update`, 'U', '110153', '4'],
  ['consent-use', {}, `${DCM}|110113`, 'https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType|AuthZ-Consent', 'E', '110153', '8'],
  ['consent-refused', {}, `${DCM}|110113`, 'https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType|AuthZ-Consent', 'E', '110153', '8'],
  ['link-manifest', { actor: { linkRecipient: 'Dr. Anna Müller, Charité' } }, `${DCM}|110106`, 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle|disclose', 'R', '110152', '4'],
  ['passcode-failure', { actor: {} }, `${DCM}|110114`, null, 'E', '110153', '4'],
  ['token-issued', { tokenId: 'jti-1' }, `${DCM}|110114`, 'urn:ihe:event-type-code|ITI-71', 'E', '110153', '4'],
  ['emergency-access', { emergency: true }, `${DCM}|110113`, `${DCM}|110127`, 'E', '110152', '8'],
  ['trust-admin', { trustChange: { change: 'update', subject: 'hospital-pumch' } }, `${DCM}|110113`, `${DCM}|110129`, 'U', '110153', '4'],
];

describe('audit/events: BALP AuditEvent builders', () => {
  it('covers every gateway action in the table', () => {
    expect(TABLE.map((r) => r[0]).sort()).to.deep.equal([...AUDIT_ACTIONS].sort());
  });

  for (const [action, extra, type, subtype, act, clientRole, failOutcome] of TABLE) {
    const failureOnly = action === 'consent-refused' || action === 'passcode-failure';
    it(`${action}: type ${type.split('|')[1]}, action ${act}, client ${clientRole}, gateway subtype`, () => {
      const f = facts(3, { action, ...extra, ...(failureOnly ? { outcome: 'failure', failure } : {}) });
      const e = buildAuditEvent(f, OBSERVER) as Obj;
      expect(e.resourceType).to.equal('AuditEvent');
      expect(`${e.type.system}|${e.type.code}`).to.equal(type);
      if (subtype) expect(codes(e.subtype)[0]).to.equal(subtype);
      expect(codes(e.subtype)).to.include(`${AUDIT_SUBTYPE_SYSTEM}|${action}`);
      expect(e.action).to.equal(act);
      expect(e.outcome).to.equal(failureOnly ? failOutcome : '0');
      expect(e.recorded).to.equal(f.recorded);
      expect(e.id).to.equal(undefined);
      // the client agent (first) carries the network address and the DICOM role by data direction
      expect(e.agent[0].type.coding[0].code).to.equal(clientRole);
      expect(e.agent[0].network).to.deep.equal({ address: '203.0.113.7', type: '2' });
      const server = e.agent[e.agent.length - 1];
      expect(server.type.coding[0].code).to.equal(clientRole === '110153' ? '110152' : '110153');
      expect(server.requestor).to.equal(false);
      expect(e.source.observer.display).to.equal(OBSERVER.name);
      expect(e.agent.filter((a: Obj) => a.requestor === true)).to.have.length(1);
      const req = e.entity.find((en: Obj) => en.type.code === 'XrequestId');
      expect(req.what.identifier.value).to.equal('req-3');
    });
    if (!failureOnly) {
      it(`${action}: a failure carries outcome ${failOutcome}, the reason and the error code`, () => {
        const e = buildAuditEvent(facts(1, { action, ...extra, outcome: 'failure', failure }), OBSERVER) as Obj;
        expect(e.outcome).to.equal(failOutcome);
        expect(e.outcomeDesc).to.equal('refused');
        expect(e.extension[0].valueCode).to.equal('FORBIDDEN');
      });
    }
  }

  it('names the participant, its organisation and country, and the purpose of use', () => {
    const e = buildAuditEvent(facts(1), OBSERVER) as Obj;
    const client = e.agent[0];
    expect(client.who.identifier.value).to.equal('provider-charite');
    expect(client.who.display).to.equal('Charité Berlin');
    expect(client.extension[0].valueCoding.code).to.equal('DE');
    expect(client.role[0].coding[0].code).to.equal('provider');
    expect(client.purposeOfUse[0].coding[0]).to.deep.equal(TREAT);
    expect(e.purposeOfEvent[0].coding[0]).to.deep.equal(TREAT);
    const org = e.agent.find((a: Obj) => a.type.coding[0].code === 'PROV');
    expect(org.who.reference).to.equal('Organization/org-charite');
  });

  it('records the link recipient exactly as given, as the requesting information recipient', () => {
    const recipient = '  Dr. 王 <wang@example.de> ';
    const e = buildAuditEvent(facts(1, { action: 'link-manifest', actor: { linkRecipient: recipient } }), OBSERVER) as Obj;
    const user = e.agent.find((a: Obj) => a.type.coding[0].code === 'IRCP');
    expect(user.who.display).to.equal(recipient);
    expect(user.name).to.equal(recipient);
    expect(user.requestor).to.equal(true);
    expect(e.agent[0].requestor).to.equal(false);
  });

  it('puts the patient (role 1, type 1) first, further identifiers as details, then documents and consent', () => {
    const e = buildAuditEvent(facts(1, { patientIdentifiers: [RESIDENT_ID, PASSPORT], documents: ['a', 'b'] }), OBSERVER) as Obj;
    const [patient, d1, d2, consent] = e.entity;
    expect(patient.type.code).to.equal('1');
    expect(patient.role.code).to.equal('1');
    expect(patient.what.identifier).to.deep.equal(RESIDENT_ID);
    expect(patient.detail).to.deep.equal([{ type: 'identifier', valueString: `${PASSPORT.system}|${PASSPORT.value}` }]);
    expect([d1.what.reference, d2.what.reference]).to.deep.equal(['Bundle/a', 'Bundle/b']);
    expect(consent.what.reference).to.equal('Consent/consent-1');
    expect(consent.type.code).to.equal('Consent');
  });

  it('keeps the raw search base64 encoded in a Query entity (BALP Query)', () => {
    const q = 'patient.identifier=urn:oid:2.16.156.10011.1.3|11010519491231002X&_count=5';
    const e = buildAuditEvent(facts(1, { action: 'search', query: q }), OBSERVER) as Obj;
    const query = e.entity.find((en: Obj) => en.role?.code === '24');
    expect(Buffer.from(query.query, 'base64').toString('utf8')).to.equal(q);
  });

  it('records an issued token by its jti URN and emergency access with ETREAT and DCM 110127', () => {
    const t = buildAuditEvent(facts(1, { action: 'token-issued', tokenId: 'abc' }), OBSERVER) as Obj;
    expect(t.entity.some((en: Obj) => en.what?.identifier?.value === 'urn:ietf:params:oauth:jti:abc')).to.equal(true);
    const r = buildAuditEvent(facts(1, { action: 'read', emergency: true, purposeOfUse: [] }), OBSERVER) as Obj;
    expect(codes(r.subtype)).to.include(`${DCM}|110127`);
    expect(r.purposeOfEvent[0].coding[0].code).to.equal('ETREAT');
  });

  it('maps a trust-list add / remove to action C / D', () => {
    for (const [change, act] of [['add', 'C'], ['remove', 'D']] as const) {
      const e = buildAuditEvent(facts(1, { action: 'trust-admin', trustChange: { change, subject: 'x' } }), OBSERVER) as Obj;
      expect(e.action).to.equal(act);
    }
  });

  it('marks disclosures: provider reads, link manifests, emergency access; not a hospital reading its own', () => {
    expect(isDisclosure(facts(1))).to.equal(true);
    expect(isDisclosure(facts(1, { actor: { participantId: 'h', role: 'hospital' } }))).to.equal(false);
    expect(isDisclosure(facts(1, { action: 'link-manifest', actor: { linkRecipient: 'x' } }))).to.equal(true);
    expect(isDisclosure(facts(1, { outcome: 'failure', failure }))).to.equal(false);
    expect(isDisclosure(facts(1, { action: 'submit' }))).to.equal(false);
    const e = buildAuditEvent(facts(1), OBSERVER) as Obj;
    expect(codes(e.subtype)).to.include('http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle|disclose');
  });

  it('is deterministic: the same facts give the same event', () => {
    expect(buildAuditEvent(facts(9), OBSERVER)).to.deep.equal(buildAuditEvent(facts(9), OBSERVER));
  });

  const MISUSE: [string, Partial<AuditFacts>][] = [
    ['no request id', { requestId: '' }],
    ['no recorded time', { recorded: 'yesterday' }],
    ['unknown action', { action: 'delete-everything' as AuditAction }],
    ['a failure without reason', { outcome: 'failure' }],
    ['a successful passcode failure', { action: 'passcode-failure' }],
    ['trust-admin without the change', { action: 'trust-admin' }],
  ];
  for (const [name, over] of MISUSE) {
    it(`refuses our own misuse: ${name} (TypeError)`, () => {
      expect(() => buildAuditEvent(facts(1, over), OBSERVER)).to.throw(TypeError);
    });
  }
});
