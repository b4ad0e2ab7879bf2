/**
 * Consent over HTTP (issue 6): a hospital grants, an overseas provider's system reads with the
 * consent token through fhir-kit-client, the hospital revokes, and every refusal — no token,
 * tampered token, another recipient, another patient, a document outside the consent, revoked,
 * expired — answers 404 alike and is audited.
 */
import { expect } from 'chai';
import { createLocalJWKSet, flattenedVerify } from 'jose';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../../src/fhir/canonical.js';
import { repoRoot } from '../support/server.js';
import { verifyIndependently } from '../unit/trust/independent-verifier.js';
import { PATIENT, auditActions, fhirPost, fixture, grant, grantParameters, startWorld, submit, type ConsentWorld } from './consent-fixture.js';

describe('consent grants and consent-token reads over HTTP', function () {
  let w: ConsentWorld;
  // fhir-kit-client 2 is ESM-only ("exports" has only `import`): load it with a dynamic import.
  let Client: any;
  before(async () => {
    Client = (await import('fhir-kit-client')).Client;
    w = await startWorld();
  });
  after(() => w.server.close());

  const providerClient = (token: string, consentToken?: string, lang?: string) =>
    new Client({ baseUrl: w.server.base, customHeaders: { authorization: `Bearer ${token}`, ...(consentToken ? { 'x-consent-token': consentToken } : {}), ...(lang ? { 'accept-language': lang } : {}) } });
  const status = async (p: Promise<unknown>): Promise<number> => {
    try {
      await p;
      return 200;
    } catch (e: any) {
      return e?.response?.status ?? -1;
    }
  };
  const read = (token: string, id: string, consentToken?: string) => fetch(`${w.server.base}/Bundle/${id}`, { headers: { authorization: `Bearer ${token}`, ...(consentToken ? { 'x-consent-token': consentToken } : {}) } });

  it('end to end with fhir-kit-client: grant, read, search, revoke, refused on the next request', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    expect(g.consent).to.include({ resourceType: 'Consent', status: 'active' });
    expect(g.token).to.be.a('string');
    expect(g.link).to.match(/\/view#shlink:\//);
    expect(g.managementLink).to.match(/\/manage#[A-Za-z0-9_-]{43}$/);
    const c = providerClient(w.toronto, g.token);
    const doc: any = await c.read({ resourceType: 'Bundle', id: w.docId });
    expect(doc.resourceType).to.equal('Bundle');
    expect(doc.signature?.sigFormat).to.equal('application/jose');
    expect(doc.entry.some((e: any) => e.resource.resourceType === 'Provenance')).to.equal(true);
    // The resident ID was not explicitly allowed: it does not leave the country.
    const patient = doc.entry.find((e: any) => e.resource.resourceType === 'Patient').resource;
    expect((patient.identifier ?? []).map((i: any) => i.system)).to.not.include(PATIENT.system);
    const found: any = await c.search({ resourceType: 'Bundle', searchParams: { 'patient.identifier': `${PATIENT.system}|${PATIENT.value}` } });
    expect(found.total).to.equal(1);
    const revoked = await fhirPost(w, `/Consent/${g.consent.id}/$revoke`, w.hospital, {});
    expect(revoked.status).to.equal(200);
    expect(revoked.body.status).to.equal('inactive');
    expect(await status(c.read({ resourceType: 'Bundle', id: w.docId }))).to.equal(404);
    const audit = await auditActions(w, g.consent.id);
    expect(audit.map((a) => a.action)).to.include.members(['consent-grant', 'read', 'search', 'consent-revoke', 'consent-refused']);
    const readEntry = audit.find((a) => a.action === 'read')!.event;
    expect(JSON.stringify(readEntry.purposeOfEvent ?? readEntry.agent)).to.contain('TREAT');
  });

  it('signs the delivered document with the gateway key published in the JWKS', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const res = await read(w.toronto, w.docId, g.token);
    expect(res.status).to.equal(200);
    const doc = await res.json();
    const jwks = await (await fetch(`${w.server.url}/.well-known/jwks.json`)).json();
    const [protectedHeader, , signature] = Buffer.from(doc.signature.data, 'base64').toString('utf8').split('.');
    const { signature: _s, ...unsigned } = doc;
    const payload = Buffer.from(canonicalJson(unsigned), 'utf8').toString('base64url');
    const ok = await flattenedVerify({ protected: protectedHeader!, payload, signature: signature! }, createLocalJWKSet(jwks));
    expect(ok.protectedHeader?.kid).to.equal(jwks.keys[0].kid);
    // Independently of src/ (jose + canonicalize + crypto.X509Certificate): the kid is the JWK
    // thumbprint, the header's x5c is the JWKS key's, and that chain ends at certs-example/ca.pem.
    const ca = readFileSync(path.join(repoRoot, 'certs-example/ca.pem'), 'utf8');
    const independent = await verifyIndependently(doc, jwks, ca, new Date());
    expect(independent.kid).to.equal(ok.protectedHeader?.kid);
    expect(independent.subject).to.match(/CN=emr-gateway-example/);
    const otherCa = readFileSync(path.join(repoRoot, 'certs-example/test-only/untrusted-ca.pem'), 'utf8');
    const refused = await verifyIndependently(doc, jwks, otherCa, new Date()).then(() => undefined, (e: Error) => e);
    expect(refused, 'the chain check bites with another CA').to.be.instanceOf(Error);
  });

  it('refuses every read path with 404 alike: no token, tampered, other recipient, other patient, outside the consent, no consent', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const other = fixture('cn-lap-chole.json');
    const otherId = await submit(w, other); // another patient's document of the same hospital
    const samePatientDoc = fixture();
    samePatientDoc.identifier = { system: 'urn:oid:2.16.156.10011.1.1', value: 'CONSENT-OUTSIDE-1' };
    const outsideId = await submit(w, samePatientDoc); // same patient, not named in the consent
    const [h, p, s] = g.token!.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), patient: 'x|y' })).toString('base64url')}.${s}`;
    const cases: [string, Promise<Response>][] = [
      ['no consent token', read(w.toronto, w.docId)],
      ['tampered token', read(w.toronto, w.docId, tampered)],
      ['another recipient presenting the token', read(w.leeds, w.docId, g.token)],
      ["another patient's document", read(w.toronto, otherId, g.token)],
      ['a document outside the consent', read(w.toronto, outsideId, g.token)],
      ['an unknown id', read(w.toronto, 'does-not-exist', g.token)],
    ];
    const bodies: string[] = [];
    for (const [name, pending] of cases) {
      const res = await pending;
      expect(res.status, name).to.equal(404);
      const body = await res.json();
      expect(body.resourceType, name).to.equal('OperationOutcome');
      bodies.push(body.issue.map((i: any) => i.diagnostics).join());
    }
    expect(new Set(bodies).size, 'same answer for every refusal').to.equal(1);
    const search = await fetch(`${w.server.base}/Bundle?patient.identifier=${encodeURIComponent('urn:oid:2.16.156.10011.1.3|110105194912310029')}`, { headers: { authorization: `Bearer ${w.toronto}`, 'x-consent-token': g.token! } });
    expect(search.status).to.equal(404);
    const audit = await auditActions(w, g.consent.id);
    expect(audit.filter((a) => a.action === 'consent-refused').length).to.be.at.least(3);
  });

  it('refuses documents outside the consented types or dates', async () => {
    const byType = await grant(w, [
      { name: 'documentType', valueCoding: { system: 'http://loinc.org', code: '11488-4' } },
    ].reduce((p, x) => ({ ...p, parameter: [...p.parameter, x] }), grantParameters([], {})) as any);
    expect((await read(w.toronto, w.docId, byType.token)).status).to.equal(404);
    const byDate = await grant(w, grantParameters([
      { name: 'documentType', valueCoding: { system: 'http://loinc.org', code: '18842-5' } },
      { name: 'dataPeriod', valuePeriod: { start: '2025-01-01', end: '2025-12-31' } },
    ], {}) as any);
    expect((await read(w.toronto, w.docId, byDate.token)).status).to.equal(404);
  });

  it('answers an expired consent like an unknown one (a token past its end)', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId, end: new Date(Date.now() + 2500).toISOString() }));
    expect((await read(w.toronto, w.docId, g.token)).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 2600));
    expect((await read(w.toronto, w.docId, g.token)).status).to.equal(404);
  });

  it("keeps grants to the hospital's own documents and consents: others get 404", async () => {
    const foreign = await fhirPost(w, '/Consent/$grant', w.otherHospital, grantParameters([], { document: w.docId }));
    expect(foreign.status).to.equal(404);
    const g = await grant(w, grantParameters([], { document: w.docId }));
    expect((await fhirPost(w, `/Consent/${g.consent.id}/$revoke`, w.otherHospital, {})).status).to.equal(404);
    const bad = await fhirPost(w, '/Consent/$grant', w.hospital, grantParameters([], {}));
    expect(bad.status).to.equal(400);
    expect((await fhirPost(w, '/Consent/$grant', w.toronto, grantParameters([], { document: w.docId }))).status).to.equal(403);
  });

  it('lists the hospital its own consents of a patient (audited search)', async () => {
    const q = encodeURIComponent(`${PATIENT.system}|${PATIENT.value}`);
    const mine = await (await fetch(`${w.server.base}/Consent?patient.identifier=${q}`, { headers: { authorization: `Bearer ${w.hospital}` } })).json();
    expect(mine.type).to.equal('searchset');
    expect(mine.total).to.be.at.least(1);
    expect(mine.entry.every((e: any) => e.resource.resourceType === 'Consent')).to.equal(true);
    const theirs = await (await fetch(`${w.server.base}/Consent?patient.identifier=${q}`, { headers: { authorization: `Bearer ${w.otherHospital}` } })).json();
    expect(theirs.total).to.equal(0);
  });

  it('lists Consent and its operations in the CapabilityStatement', async () => {
    const cs = await (await fetch(`${w.server.base}/metadata`)).json();
    const consent = cs.rest[0].resource.find((r: any) => r.type === 'Consent');
    expect(consent.operation.map((o: any) => o.name)).to.include.members(['grant', 'invite', 'revoke', 'emergency']);
  });
});
