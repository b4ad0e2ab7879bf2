/**
 * SMART Health Links, the patient's management and invitation APIs, emergency access and export
 * accounting over HTTP (issue 6): manifest, wrong and right passcode, single-use file, decryption
 * with the link key, the gateway signature checked against the published JWKS, revocation from the
 * management page → 404; 20 parallel wrong guesses consume exactly the budget.
 */
import { expect } from 'chai';
import { createLocalJWKSet, flattenedVerify } from 'jose';
import { canonicalJson } from '../../src/fhir/canonical.js';
import { decodeShlink, decryptShlFile } from '../../src/consent/index.js';
import { PATIENT, TORONTO, auditActions, fhirPost, grant, grantParameters, startWorld, type ConsentWorld } from './consent-fixture.js';

describe('consent links (SHL), management, invitations, emergency and export accounting over HTTP', function () {
  let w: ConsentWorld;
  before(async () => {
    w = await startWorld();
  });
  after(() => w.server.close());

  const manifest = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const secretOf = (pageUrl: string) => pageUrl.slice(pageUrl.indexOf('#') + 1);

  it('serves the SHL: manifest, wrong passcode, right passcode, single-use file, decrypt, verify, revoke, 404', async () => {
    const g = await grant(w, grantParameters([{ name: 'passcode', valueString: 'plum-4321' }], { document: w.docId }));
    const { payload } = decodeShlink(g.link, { requireHttps: false });
    expect(payload!.flag).to.equal('P');
    const none = await manifest(payload!.url, { recipient: 'Dr. Jane Smith, Toronto' });
    expect(none.status).to.equal(401);
    expect(await none.json()).to.deep.equal({ remainingAttempts: 9 });
    const wrong = await manifest(payload!.url, { recipient: 'Dr. Jane Smith, Toronto', passcode: 'nope' });
    expect(wrong.status).to.equal(401);
    expect((await wrong.json()).remainingAttempts).to.equal(8);
    const ok = await manifest(payload!.url, { recipient: 'Dr. Jane Smith, Toronto', passcode: 'plum-4321' });
    expect(ok.status).to.equal(200);
    expect(ok.headers.get('access-control-allow-origin')).to.equal('*');
    const m = await ok.json();
    expect(m.files).to.have.length(1);
    expect(m.files[0].contentType).to.equal('application/fhir+json');
    const file = await fetch(m.files[0].location);
    expect(file.status).to.equal(200);
    expect(file.headers.get('content-type')).to.match(/^application\/jose/);
    const jwe = await file.text();
    expect((await fetch(m.files[0].location)).status, 'single use').to.equal(404);
    const { plaintext, contentType } = await decryptShlFile(jwe, payload!.key);
    expect(contentType).to.equal('application/fhir+json');
    const doc = JSON.parse(Buffer.from(plaintext).toString('utf8'));
    expect(doc.resourceType).to.equal('Bundle');
    const jwks = await (await fetch(`${w.server.url}/.well-known/jwks.json`)).json();
    const [protectedHeader, , signature] = Buffer.from(doc.signature.data, 'base64').toString('utf8').split('.');
    const { signature: _s, ...unsigned } = doc;
    await flattenedVerify({ protected: protectedHeader!, payload: Buffer.from(canonicalJson(unsigned)).toString('base64url'), signature: signature! }, createLocalJWKSet(jwks));
    // The patient revokes from the management page: the link answers 404 on the next request.
    const revoke = await fetch(`${w.server.url}/api/manage/revoke`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-management-secret': secretOf(g.managementLink) }, body: JSON.stringify({ consentId: g.consent.id }),
    });
    expect(revoke.status).to.equal(200);
    expect((await revoke.json()).status).to.equal('inactive');
    const after = await manifest(payload!.url, { recipient: 'Dr. Jane Smith, Toronto', passcode: 'plum-4321' });
    expect(after.status).to.equal(404);
    // The management link outlives the withdrawal: the patient still sees the consent and its accesses.
    const view = await fetch(`${w.server.url}/api/manage`, { headers: { 'x-management-secret': secretOf(g.managementLink) } });
    expect(view.status).to.equal(200);
    const managed = await view.json();
    expect(JSON.stringify(managed.consents)).to.contain('inactive');
    expect(managed.accesses.length).to.be.greaterThan(0);
    const actions = (await auditActions(w, g.consent.id)).map((a) => a.action);
    expect(actions).to.include.members(['consent-grant', 'passcode-failure', 'link-manifest', 'read', 'consent-revoke']);
    const manifestEntry = (await auditActions(w, g.consent.id)).find((a) => a.action === 'link-manifest' && a.outcome === '0')!.event;
    expect(JSON.stringify(manifestEntry.agent)).to.contain('Dr. Jane Smith, Toronto');
  });

  it('embeds the JWE when embeddedLengthMax allows it', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const { payload } = decodeShlink(g.link, { requireHttps: false });
    const m = await (await manifest(payload!.url, { recipient: 'Clinic', embeddedLengthMax: 10_000_000 })).json();
    const { plaintext } = await decryptShlFile(m.files[0].embedded, payload!.key);
    expect(JSON.parse(Buffer.from(plaintext).toString()).resourceType).to.equal('Bundle');
  });

  it('locks the link after exactly the budget with 20 parallel wrong guesses, then answers 404 even to the right passcode', async () => {
    // A person recipient: the declared name is bound to the consent (decideAccess).
    const g = await grant(w, grantParameters(
      [{ name: 'passcode', valueString: 'right-one' }, { name: 'recipientContact', valueString: 'parallel@example.org' }],
      { document: w.docId, recipient: { name: 'recipient', valueString: 'Dr. Parallel' } },
    ));
    const { payload } = decodeShlink(g.link, { requireHttps: false });
    const answers = await Promise.all(Array.from({ length: 20 }, () => manifest(payload!.url, { recipient: 'Dr. Parallel', passcode: 'wrong' })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).to.have.length(10);
    expect(statuses.filter((s) => s === 404)).to.have.length(10);
    const remaining = (await Promise.all(answers.filter((a) => a.status === 401).map((a) => a.json()))).map((b) => b.remainingAttempts).sort((a, b) => a - b);
    expect(remaining).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await manifest(payload!.url, { recipient: 'Dr. Parallel', passcode: 'right-one' })).status).to.equal(404);
    const failures = (await auditActions(w, g.consent.id)).filter((a) => a.action === 'passcode-failure');
    expect(failures).to.have.length(10);
  });

  it('answers unknown links and another link id pattern exactly like revoked ones', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const { payload } = decodeShlink(g.link, { requireHttps: false });
    const forged = payload!.url.replace(/[^/]{43}$/, 'A'.repeat(43));
    const bodies = [];
    for (const url of [forged, payload!.url.replace(/[^/]{43}$/, 'short'), `${w.server.url}/shl-file/${'B'.repeat(43)}`]) {
      const res = url.includes('shl-file') ? await fetch(url) : await manifest(url, { recipient: 'x' });
      expect(res.status, url).to.equal(404);
      bodies.push(await res.text());
    }
    expect(new Set(bodies).size).to.equal(1);
    expect((await manifest(payload!.url, { passcode: 'x' })).status, 'recipient is required').to.equal(400);
  });

  it('shows the patient their consents and every access on the management API; a wrong secret is 404', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const { payload } = decodeShlink(g.link, { requireHttps: false });
    await manifest(payload!.url, { recipient: 'Dr. Who, Cardiff' });
    const res = await fetch(`${w.server.url}/api/manage`, { headers: { 'x-management-secret': secretOf(g.managementLink) } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const view = await res.json();
    expect(view.patient.value).to.not.equal(PATIENT.value);
    expect(view.consents.map((c: any) => c.id)).to.include(g.consent.id);
    const access = view.accesses.find((a: any) => a.consentId === g.consent.id && a.action === 'link-manifest');
    expect(access).to.include({ who: 'Dr. Who, Cardiff', emergency: false, outcome: 'success' });
    expect((await fetch(`${w.server.url}/api/manage`, { headers: { 'x-management-secret': 'C'.repeat(43) } })).status).to.equal(404);
    expect((await fetch(`${w.server.url}/api/manage`)).status).to.equal(404);
  });

  it('lets the patient grant through a one-time invitation (secret in the fragment), once', async () => {
    const inv = await fhirPost(w, '/Consent/$invite', w.hospital, { resourceType: 'Parameters', parameter: [{ name: 'patient', valueIdentifier: PATIENT }] });
    expect(inv.status).to.equal(200);
    const url: string = inv.body.parameter.find((p: any) => p.name === 'invitation').valueUrl;
    expect(url).to.match(/\/invite#[A-Za-z0-9_-]{43}$/);
    const headers = { 'x-invitation': secretOf(url), 'content-type': 'application/json' };
    const choices = await (await fetch(`${w.server.url}/api/invitations/current`, { headers })).json();
    expect(choices.documents.map((d: any) => d.id)).to.include(w.docId);
    expect(choices.recipients.map((r: any) => r.id)).to.include(TORONTO);
    const body = JSON.stringify({ recipient: TORONTO, purpose: 'TREAT', documents: [w.docId], end: new Date(Date.now() + 86_400_000).toISOString(), noticeLanguage: 'en' });
    const granted = await fetch(`${w.server.url}/api/invitations/grant`, { method: 'POST', headers, body });
    expect(granted.status).to.equal(201);
    const out = await granted.json();
    expect(out.qrPngDataUrl).to.match(/^data:image\/png;base64,/);
    expect(out.managementLink).to.match(/\/manage#/);
    expect(out.notice.language).to.equal('en');
    expect(JSON.stringify(out.consent)).to.contain('patient-invitation');
    expect((await fetch(`${w.server.url}/api/invitations/grant`, { method: 'POST', headers, body })).status, 'one time').to.equal(404);
    expect((await fetch(`${w.server.url}/api/invitations/current`, { headers })).status).to.equal(404);
    expect((await auditActions(w, out.consent.id)).map((a) => a.action)).to.include('consent-grant');
  });

  it('releases only the minimal set in an emergency, audits it as emergency and notifies the patient', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const res = await fhirPost(w, '/Consent/$emergency', w.leeds, {
      resourceType: 'Parameters',
      parameter: [{ name: 'patient', valueIdentifier: PATIENT }, { name: 'reason', valueString: 'Unconscious on arrival at A&E, needs allergies and medicines' }],
    });
    expect(res.status).to.equal(200);
    const docs = res.body.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource);
    expect(docs.length).to.be.at.least(1);
    const sections = docs[0].entry[0].resource.section.map((s: any) => s.code.coding[0].code);
    expect(sections.every((c: string) => ['48765-2', '11450-4', '10160-0', '46241-6', '11535-2'].includes(c))).to.equal(true);
    expect(sections).to.not.include('8648-8');
    const emergencyConsent = res.body.entry.find((e: any) => e.resource.resourceType === 'Consent').resource;
    expect((await auditActions(w, emergencyConsent.id)).map((a) => a.action)).to.include('emergency-access');
    const view = await (await fetch(`${w.server.url}/api/manage`, { headers: { 'x-management-secret': secretOf(g.managementLink) } })).json();
    expect(view.notifications.map((n: any) => n.consentId)).to.include(emergencyConsent.id);
    expect(view.accesses.some((a: any) => a.emergency && a.consentId === emergencyConsent.id)).to.equal(true);
    const short = await fhirPost(w, '/Consent/$emergency', w.leeds, { resourceType: 'Parameters', parameter: [{ name: 'patient', valueIdentifier: PATIENT }, { name: 'reason', valueString: 'x' }] });
    expect(short.status).to.equal(400);
  });

  it('counts exported persons per hospital and year for admins only', async () => {
    const res = await fetch(`${w.server.url}/api/admin/exports`, { headers: { authorization: `Bearer ${w.admin}` } });
    expect(res.status).to.equal(200);
    const { exports } = await res.json();
    const row = exports.find((e: any) => e.hospital === 'org-shanghai-example');
    expect(row).to.include({ persons: 1, mechanism: 'standard-contract' });
    expect((await fetch(`${w.server.url}/api/admin/exports`, { headers: { authorization: `Bearer ${w.toronto}` } })).status).to.equal(403);
    expect((await fetch(`${w.server.url}/api/admin/exports`)).status).to.equal(401);
  });
});
