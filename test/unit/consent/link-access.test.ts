// The grant → link → manifest flow over in-memory ports: SHL answers exactly as the spec says
// (404 alike for unknown/revoked/expired, 401 + remainingAttempts, lifetime budget under parallel
// requests), file tickets single-use and ≤ 1 hour, management link, withdrawal, invitations.
import { expect } from 'chai';
import { prepareGrant, prepareInvitation, prepareWithdrawal, grantResponse } from '../../../src/consent/grant.js';
import { issueFileTicket, openFileTicket, openManagementLink, openShlManifest } from '../../../src/consent/link-access.js';
import { parseGrantParameters, readConsent } from '../../../src/consent/model.js';
import { parseShlink } from '../../../src/consent/shl.js';
import { GatewayError } from '../../../src/errors.js';
import { grantParams, NOW, PATIENT, resolveOrganization, seededRandom } from './fixtures.js';
import { memoryPorts } from './memory-ports.js';

const hospital = { id: 'pumch', name: '北京协和医院' };
const later = new Date(NOW.getTime() + 60_000);

async function setup(passcode?: string) {
  const ports = memoryPorts();
  const grant = parseGrantParameters(grantParams(passcode ? { passcode: [{ name: 'passcode', valueString: passcode }] } : {}), { resolveOrganization, now: NOW });
  const prepared = await prepareGrant(grant, {
    now: NOW, randomBytes: seededRandom(3), newId: () => 'c1', hospital, channel: 'hospital-on-behalf',
    baseUrl: 'https://gw.example.org/', viewerUrl: 'https://gw.example.org/view',
  });
  await ports.consents.saveVersion(prepared.consent);
  for (const l of prepared.links) await ports.links.create(l);
  const payload = parseShlink(prepared.link);
  const segment = payload.url.split('/').pop()!;
  return { ports, prepared, payload, segment, deps: { ports, now: later } };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(GatewayError);
    return e as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

describe('prepareGrant', () => {
  it('yields a P-flag SHL with exp = consent end, a management link and hashed secrets only', async () => {
    const { prepared, payload, segment, ports } = await setup('2468');
    expect(prepared.link.startsWith('https://gw.example.org/view#shlink:/')).to.equal(true);
    expect(payload.flag).to.equal('P');
    expect(payload.exp).to.equal(Date.parse('2025-06-01T00:00:00Z') / 1000);
    expect(payload.url).to.equal(`https://gw.example.org/shl/${segment}`);
    const stored = JSON.stringify([...ports._links.values()]);
    expect(stored).to.not.contain(segment);
    expect(stored).to.not.contain('2468');
    expect(stored).to.not.contain(prepared.managementLink.split('/').pop()!);
  });

  it('answers $grant with consent, link and managementLink (no token without a key)', async () => {
    const { prepared } = await setup();
    const names = grantResponse(prepared).parameter!.map((p) => p.name);
    expect(names).to.deep.equal(['consent', 'link', 'managementLink']);
    expect(parseShlink(prepared.link).flag).to.equal(undefined);
  });
});

describe('openShlManifest', () => {
  it('opens with the right passcode without using an attempt', async () => {
    const { deps, segment, ports, prepared } = await setup('2468');
    const opened = await openShlManifest(deps, segment, { recipient: 'Dr. Weber', passcode: '2468' });
    expect(opened.consent.id).to.equal('c1');
    expect(ports._links.get(prepared.links[0]!.hash)!.failures).to.equal(0);
  });

  it('answers a wrong passcode 401 with remainingAttempts counting down from 10', async () => {
    const { deps, segment } = await setup('1234');
    const first = await codeOf(openShlManifest(deps, segment, { recipient: 'x', passcode: '12345' }));
    expect(first.code).to.equal('PASSCODE_WRONG');
    expect(first.details).to.deep.equal({ remainingAttempts: 9 });
    const second = await codeOf(openShlManifest(deps, segment, { recipient: 'x' }));
    expect(second.details).to.deep.equal({ remainingAttempts: 8 });
  });

  it('never exceeds the lifetime budget under 16 parallel wrong passcodes, then answers 404 even to the right one', async () => {
    const { deps, segment } = await setup('1234');
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => codeOf(openShlManifest(deps, segment, { recipient: 'x', passcode: `9${i}` }))));
    const wrong = results.filter((r) => r.code === 'PASSCODE_WRONG');
    expect(wrong).to.have.length(10);
    expect(wrong.map((r) => r.details.remainingAttempts).sort()).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results.filter((r) => r.code === 'NOT_FOUND')).to.have.length(6);
    expect((await codeOf(openShlManifest(deps, segment, { recipient: 'x', passcode: '1234' }))).code).to.equal('NOT_FOUND');
  });

  it('answers unknown, expired and withdrawn links alike (404)', async () => {
    const { deps, segment, ports, prepared } = await setup();
    expect((await codeOf(openShlManifest(deps, 'A'.repeat(43), { recipient: 'x' }))).code).to.equal('NOT_FOUND');
    expect((await codeOf(openShlManifest({ ports, now: new Date('2025-06-01T00:00:00Z') }, segment, { recipient: 'x' }))).code).to.equal('NOT_FOUND');
    await ports.consents.saveVersion(prepareWithdrawal(prepared.consent, later));
    expect((await codeOf(openShlManifest(deps, segment, { recipient: 'x' }))).code).to.equal('NOT_FOUND');
  });

  it('issues a single-use file location that lives at most one hour', async () => {
    const { deps, segment } = await setup();
    const opened = await openShlManifest(deps, segment, { recipient: 'Dr. Weber' });
    const rb = seededRandom(99);
    const location = await issueFileTicket({ ...deps, randomBytes: rb, fileBaseUrl: 'https://gw.example.org/shl-file', lifetimeSeconds: 7200 }, opened, 'doc-1');
    const fileSeg = location.split('/').pop()!;
    const justBeforeHour = { ...deps, now: new Date(later.getTime() + 3_599_000) };
    const got = await openFileTicket(justBeforeHour, fileSeg);
    expect(got.ticket).to.include({ documentId: 'doc-1', recipient: 'Dr. Weber' });
    expect((await codeOf(openFileTicket(justBeforeHour, fileSeg))).code).to.equal('NOT_FOUND');
    const loc2 = await issueFileTicket({ ...deps, randomBytes: rb, fileBaseUrl: 'https://gw.example.org/shl-file', lifetimeSeconds: 7200 }, opened, 'doc-1');
    const afterHour = { ...deps, now: new Date(later.getTime() + 3_600_001) };
    expect((await codeOf(openFileTicket(afterHour, loc2.split('/').pop()!))).code).to.equal('NOT_FOUND');
  });
});

describe('management link, withdrawal, invitation', () => {
  it('opens the consent through the management secret, and not through the SHL segment', async () => {
    const { deps, prepared, segment } = await setup();
    const { consent } = await openManagementLink(deps, prepared.managementLink.split('/').pop()!);
    expect(consent.id).to.equal('c1');
    expect((await codeOf(openManagementLink(deps, segment))).code).to.equal('NOT_FOUND');
  });

  it('withdrawal is the next version, inactive at once, and the SHL answers 404', async () => {
    const { deps, prepared, ports, segment } = await setup();
    const w = prepareWithdrawal(prepared.consent, later);
    expect(w.versionId).to.equal(2);
    expect(readConsent(w.resource).status).to.equal('inactive');
    await ports.consents.saveVersion(w);
    expect(await ports.links.deactivateByConsent('c1')).to.equal(2);
    expect((await codeOf(openShlManifest(deps, segment, { recipient: 'x' }))).code).to.equal('NOT_FOUND');
    expect((await ports.consents.listByPatient(PATIENT))[0]!.status).to.equal('inactive');
  });

  it('an invitation is valid 72 hours by default and works once', async () => {
    const ports = memoryPorts();
    const { record, invitation } = prepareInvitation({ patient: PATIENT, documents: ['doc-1'], hospitalId: 'pumch' }, { now: NOW, randomBytes: seededRandom(5), baseUrl: 'https://gw.example.org' });
    expect(Date.parse(record.expires) - NOW.getTime()).to.equal(72 * 3_600_000);
    expect(JSON.stringify(record)).to.not.contain(invitation.split('/').pop()!);
    await ports.invitations.create(record);
    const [a, b] = await Promise.all([ports.invitations.consume(record.hash, later.toISOString()), ports.invitations.consume(record.hash, later.toISOString())]);
    expect([a, b].filter(Boolean)).to.have.length(1);
  });
});
