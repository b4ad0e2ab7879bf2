/**
 * Issue 7 "Done when": every HTTP route that touches patient data is covered by a test asserting
 * its audit entry, and a route without one fails.
 *
 * The routes are listed from the real express application (test/support/routes.ts walks its
 * router stack), not from a hand-kept list: a route added without a decision in ROUTES below fails
 * the "every route has a decision" test, and a decision for a route that no longer exists fails
 * too. Each patient-data route has one or more cases (each use case the route serves, success and
 * refusal paths); a case sends one request with its own X-Request-Id and must leave a NEW audit
 * entry with our gateway subtype (src/audit/codes.ts AUDIT_ACTIONS), the expected outcome
 * (R4 audit-event-outcome) and that request id (BALP XrequestId), readable as soon as the answer
 * arrived (test/support/audit-probe.ts).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeShlink } from '../../src/consent/index.js';
import type { AuditAction } from '../../src/audit/codes.js';
import { listEndpoints, type Endpoint } from '../support/routes.js';
import { probeAudit, type ProbeCall } from '../support/audit-probe.js';
import { accessToken, client, clientAssertion } from '../support/clients.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';
import { PATIENT, TORONTO, fhirPost, fixture, grant, grantParameters, submit, type ConsentWorld } from './consent-fixture.js';

/** R4 audit-event-outcome: 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
type Outcome = '0' | '4' | '8' | '12';

interface AuditCase {
  name: string;
  status: number;
  /** Sets up what it needs with ordinary requests, then sends the request under test with c.fetch. */
  request(w: ConsentWorld, c: ProbeCall): Promise<Response>;
  expectAudit: { action: AuditAction; outcome: Outcome; operation?: string };
}

type Decision = { patientData: false; why: string } | { patientData: true; cases: [AuditCase, ...AuditCase[]] };

const json = (token: string | undefined, body: unknown, extra: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/fhir+json', ...extra },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const bearer = (token: string, extra: Record<string, string> = {}): RequestInit => ({ headers: { authorization: `Bearer ${token}`, ...extra } });
const secretOf = (pageUrl: string) => pageUrl.slice(pageUrl.indexOf('#') + 1);
const shlUrl = (link: string) => decodeShlink(link, { requireHttps: false }).payload!.url;
const patientQuery = `patient.identifier=${encodeURIComponent(`${PATIENT.system}|${PATIENT.value}`)}`;
const cda = () => readFileSync(path.join(repoRoot, 'test/fixtures/cda/01-pneumonia-icd10-oid-11-3.xml'), 'utf8');
/** A grant for Toronto covering the stored document, with a consent token and a passcode-free link. */
const torontoGrant = (w: ConsentWorld, extra: any[] = []) => grant(w, grantParameters(extra, { document: w.docId }));
const invitation = async (w: ConsentWorld) => {
  const inv = await fhirPost(w, '/Consent/$invite', w.hospital, { resourceType: 'Parameters', parameter: [{ name: 'patient', valueIdentifier: PATIENT }] });
  if (inv.status !== 200) throw new Error(`$invite failed ${inv.status}`);
  return secretOf(inv.body.parameter.find((p: any) => p.name === 'invitation').valueUrl);
};
const manifest = (c: ProbeCall | undefined, url: string, body: unknown) =>
  (c ? c.fetch.bind(c) : fetch)(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const notAllowed = (allow: string): Decision => ({ patientData: false, why: `answers 405 with Allow: ${allow}; no handler runs` });

/** Every route of the app, decided. Keys are `METHOD path` exactly as express lists them. */
const ROUTES: Record<string, Decision> = {
  'GET /healthz': { patientData: false, why: 'liveness probe, constant answer' },
  'GET /readyz': { patientData: false, why: 'readiness probe: pings the store, returns no data' },
  'GET /.well-known/smart-configuration': { patientData: false, why: 'SMART discovery document (public metadata)' },
  'GET /.well-known/jwks.json': { patientData: false, why: 'public keys of the gateway' },
  'POST /auth/token': {
    patientData: true,
    cases: [
      {
        name: 'issues an access token',
        status: 200,
        request: async (w, c) =>
          c.fetch('/auth/token', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
              client_assertion: await clientAssertion(client('hospital', 0), `${w.server.url}/auth/token`),
            }),
          }),
        expectAudit: { action: 'token-issued', outcome: '0' },
      },
      {
        name: 'refuses a forged client assertion',
        status: 401,
        request: async (w, c) => {
          const assertion = await clientAssertion(client('hospital', 0), `${w.server.url}/auth/token`);
          const forged = `${assertion.slice(0, -4)}AAAA`;
          return c.fetch('/auth/token', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: forged }),
          });
        },
        expectAudit: { action: 'token-issued', outcome: '4' },
      },
    ],
  },
  'ALL /auth/token': notAllowed('POST'),
  'GET /assets/i18n/*': { patientData: false, why: 'static message catalogues of the web pages' },
  'GET /assets/*': { patientData: false, why: 'static CSS and scripts of the web pages' },
  'GET /invite': { patientData: false, why: 'static HTML; the invitation secret stays in the URL fragment, the page calls /api/invitations/*' },
  'GET /manage': { patientData: false, why: 'static HTML; the management secret stays in the URL fragment, the page calls /api/manage*' },
  'GET /view': { patientData: false, why: 'static SHL viewer; the link and its key stay in the fragment, the page calls /shl/*' },
  'POST /shl/:segment': {
    patientData: true,
    cases: [
      {
        name: 'answers the manifest to a named recipient',
        status: 200,
        request: async (w, c) => manifest(c, shlUrl((await torontoGrant(w)).link), { recipient: 'Dr. Coverage, Toronto' }),
        expectAudit: { action: 'link-manifest', outcome: '0' },
      },
      {
        name: 'refuses a wrong passcode',
        status: 401,
        request: async (w, c) =>
          manifest(c, shlUrl((await torontoGrant(w, [{ name: 'passcode', valueString: 'right-one' }])).link), { recipient: 'Dr. Coverage', passcode: 'wrong' }),
        expectAudit: { action: 'passcode-failure', outcome: '4' },
      },
    ],
  },
  'GET /shl-file/:segment': {
    patientData: true,
    cases: [
      {
        name: 'serves the encrypted document once',
        status: 200,
        request: async (w, c) => {
          const res = await manifest(undefined, shlUrl((await torontoGrant(w)).link), { recipient: 'Dr. File, Toronto' });
          const m = (await res.json()) as { files: { location: string }[] };
          return c.fetch(m.files[0]!.location);
        },
        expectAudit: { action: 'read', outcome: '0' },
      },
    ],
  },
  'GET /api/invitations/current': {
    patientData: true,
    cases: [
      {
        name: "shows the patient the invitation's documents and recipients",
        status: 200,
        request: async (w, c) => c.fetch('/api/invitations/current', { headers: { 'x-invitation': await invitation(w) } }),
        expectAudit: { action: 'read', outcome: '0', operation: 'invitation' },
      },
    ],
  },
  'POST /api/invitations/grant': {
    patientData: true,
    cases: [
      {
        name: 'records the consent the patient gives',
        status: 201,
        request: async (w, c) =>
          c.fetch('/api/invitations/grant', {
            method: 'POST',
            headers: { 'x-invitation': await invitation(w), 'content-type': 'application/json' },
            body: JSON.stringify({ recipient: TORONTO, purpose: 'TREAT', documents: [w.docId], end: new Date(Date.now() + 86_400_000).toISOString(), noticeLanguage: 'en' }),
          }),
        expectAudit: { action: 'consent-grant', outcome: '0' },
      },
    ],
  },
  'GET /api/manage': {
    patientData: true,
    cases: [
      {
        name: 'shows the patient their consents and accesses',
        status: 200,
        request: async (w, c) => c.fetch('/api/manage', { headers: { 'x-management-secret': secretOf((await torontoGrant(w)).managementLink) } }),
        expectAudit: { action: 'read', outcome: '0', operation: 'manage' },
      },
    ],
  },
  'POST /api/manage/revoke': {
    patientData: true,
    cases: [
      {
        name: 'withdraws a consent for the patient',
        status: 200,
        request: async (w, c) => {
          const g = await torontoGrant(w);
          return c.fetch('/api/manage/revoke', {
            method: 'POST',
            headers: { 'x-management-secret': secretOf(g.managementLink), 'content-type': 'application/json' },
            body: JSON.stringify({ consentId: g.consent.id }),
          });
        },
        expectAudit: { action: 'consent-revoke', outcome: '0', operation: 'manage' },
      },
    ],
  },
  'GET /api/admin/exports': {
    patientData: false,
    why: 'aggregate count of exported persons per hospital and year (PIPL art. 38-40 accounting): no identifier, document or person-level row',
  },
  'GET /fhir/metadata': { patientData: false, why: 'CapabilityStatement (public metadata)' },
  'ALL /fhir/metadata': notAllowed('GET'),
  'POST /fhir/$validate': {
    patientData: true,
    cases: [
      {
        name: 'validates a discharge summary',
        status: 200,
        request: async (w, c) => c.fetch('/fhir/$validate', json(w.hospital, fixture())),
        expectAudit: { action: 'validate', outcome: '0', operation: '$validate' },
      },
    ],
  },
  'POST /fhir/:type/$validate': {
    patientData: true,
    cases: [
      {
        name: 'validates a discharge summary as a Bundle',
        status: 200,
        request: async (w, c) => c.fetch('/fhir/Bundle/$validate', json(w.toronto, fixture())),
        expectAudit: { action: 'validate', outcome: '0', operation: '$validate' },
      },
    ],
  },
  'ALL /fhir/$validate': notAllowed('POST'),
  'GET /fhir/AuditEvent': {
    patientData: true,
    cases: [
      {
        name: "searches the audit log (entries name patients and their records)",
        status: 200,
        request: async (w, c) => c.fetch(`/fhir/AuditEvent?${patientQuery}`, bearer(w.admin)),
        expectAudit: { action: 'search', outcome: '0' },
      },
    ],
  },
  'ALL /fhir/AuditEvent': notAllowed('GET'),
  'POST /fhir/Bundle/$translate': {
    patientData: true,
    cases: [
      {
        name: 'translates a discharge summary',
        status: 200,
        request: async (w, c) => c.fetch('/fhir/Bundle/$translate?target=en', json(w.toronto, fixture())),
        expectAudit: { action: 'translate', outcome: '0', operation: '$translate' },
      },
    ],
  },
  'ALL /fhir/Bundle/$translate': notAllowed('POST'),
  'GET /fhir/ConceptMap/$translate': { patientData: false, why: 'translates one code (system + code), no record and no patient' },
  'ALL /fhir/ConceptMap/$translate': notAllowed('GET'),
  'POST /fhir/Consent/:op': {
    patientData: true,
    cases: [
      {
        name: '$grant records a consent',
        status: 201,
        request: async (w, c) => c.fetch('/fhir/Consent/$grant', json(w.hospital, grantParameters([], { document: w.docId }))),
        expectAudit: { action: 'consent-grant', outcome: '0' },
      },
      {
        name: '$invite prepares a patient invitation',
        status: 200,
        request: async (w, c) => c.fetch('/fhir/Consent/$invite', json(w.hospital, { resourceType: 'Parameters', parameter: [{ name: 'patient', valueIdentifier: PATIENT }] })),
        expectAudit: { action: 'consent-grant', outcome: '0', operation: '$invite' },
      },
      {
        name: '$emergency releases the minimal set',
        status: 200,
        request: async (w, c) =>
          c.fetch(
            '/fhir/Consent/$emergency',
            json(w.leeds, { resourceType: 'Parameters', parameter: [{ name: 'patient', valueIdentifier: PATIENT }, { name: 'reason', valueString: 'Unconscious on arrival at A&E, needs allergies and medicines' }] }),
          ),
        expectAudit: { action: 'emergency-access', outcome: '0' },
      },
    ],
  },
  'POST /fhir/Consent/:id/:op': {
    patientData: true,
    cases: [
      {
        name: '$revoke withdraws a consent',
        status: 200,
        request: async (w, c) => c.fetch(`/fhir/Consent/${(await torontoGrant(w)).consent.id}/$revoke`, { method: 'POST', headers: { authorization: `Bearer ${w.hospital}` } }),
        expectAudit: { action: 'consent-revoke', outcome: '0', operation: '$revoke' },
      },
    ],
  },
  'GET /fhir/Consent': {
    patientData: true,
    cases: [
      {
        name: "searches a patient's consents",
        status: 200,
        request: async (w, c) => c.fetch(`/fhir/Consent?${patientQuery}`, bearer(w.hospital)),
        expectAudit: { action: 'search', outcome: '0' },
      },
    ],
  },
  'GET /fhir/Consent/:id': {
    patientData: true,
    cases: [
      {
        name: 'reads a consent',
        status: 200,
        request: async (w, c) => c.fetch(`/fhir/Consent/${(await torontoGrant(w)).consent.id}`, bearer(w.hospital)),
        expectAudit: { action: 'read', outcome: '0' },
      },
    ],
  },
  'ALL /fhir/Consent': notAllowed('GET'),
  'POST /fhir/Bundle': {
    patientData: true,
    cases: [
      {
        name: 'stores a new discharge summary (CDA)',
        status: 201,
        request: async (w, c) => c.fetch('/fhir/Bundle', json(w.hospital, cda(), { 'content-type': 'application/hl7-cda+xml' })),
        expectAudit: { action: 'submit', outcome: '0' },
      },
      {
        name: 'answers an idempotent retry of a stored document with the stored version',
        status: 200,
        request: async (w, c) => c.fetch('/fhir/Bundle', json(w.hospital, fixture())),
        expectAudit: { action: 'submit', outcome: '0' },
      },
      {
        name: 'refuses what is not a document, with why',
        status: 422,
        request: async (w, c) => c.fetch('/fhir/Bundle', json(w.hospital, { resourceType: 'Patient' })),
        expectAudit: { action: 'submit', outcome: '4' },
      },
    ],
  },
  'POST /fhir/$convert': {
    patientData: true,
    cases: [
      {
        name: 'converts a CDA without storing it (the body is a patient record)',
        status: 200,
        request: async (w, c) => c.fetch('/fhir/$convert', json(w.hospital, cda(), { 'content-type': 'application/hl7-cda+xml' })),
        expectAudit: { action: 'validate', outcome: '0', operation: '$convert' },
      },
    ],
  },
  'ALL /fhir/$convert': notAllowed('POST'),
  'GET /fhir/Bundle': {
    patientData: true,
    cases: [
      {
        name: "a hospital searches its patient's documents",
        status: 200,
        request: async (w, c) => c.fetch(`/fhir/Bundle?${patientQuery}`, bearer(w.hospital)),
        expectAudit: { action: 'search', outcome: '0' },
      },
      {
        name: 'a provider searches under a consent token',
        status: 200,
        request: async (w, c) => c.fetch(`/fhir/Bundle?${patientQuery}`, bearer(w.toronto, { 'x-consent-token': (await torontoGrant(w)).token! })),
        expectAudit: { action: 'search', outcome: '0' },
      },
      {
        name: 'a provider without a consent token is refused',
        status: 404,
        request: async (w, c) => c.fetch(`/fhir/Bundle?${patientQuery}`, bearer(w.toronto)),
        expectAudit: { action: 'consent-refused', outcome: '8' },
      },
    ],
  },
  'GET /fhir/Bundle/:id': {
    patientData: true,
    cases: [
      {
        name: 'a hospital reads its document',
        status: 200,
        request: async (w, c) => c.fetch(`/fhir/Bundle/${w.docId}`, bearer(w.hospital)),
        expectAudit: { action: 'read', outcome: '0' },
      },
      {
        name: 'a provider reads under a consent token',
        status: 200,
        request: async (w, c) => c.fetch(`/fhir/Bundle/${w.docId}`, bearer(w.toronto, { 'x-consent-token': (await torontoGrant(w)).token! })),
        expectAudit: { action: 'read', outcome: '0' },
      },
      {
        name: "another provider with Toronto's consent token is refused",
        status: 404,
        request: async (w, c) => c.fetch(`/fhir/Bundle/${w.docId}`, bearer(w.leeds, { 'x-consent-token': (await torontoGrant(w)).token! })),
        expectAudit: { action: 'consent-refused', outcome: '8' },
      },
    ],
  },
  'ALL /fhir/Bundle': notAllowed('GET, POST'),
  'ALL /fhir/Bundle/:id': notAllowed('GET'),
};

const key = (e: Endpoint) => `${e.method} ${e.path}`;

describe('audit coverage: every HTTP route that touches patient data writes its audit entry', function () {
  let server: TestServer;
  let w: ConsentWorld;
  let endpoints: string[];

  before(async () => {
    server = await startTestServer();
    w = {
      server,
      hospital: await accessToken(server.url, client('hospital', 0)),
      otherHospital: await accessToken(server.url, client('hospital', 1)),
      toronto: await accessToken(server.url, client('provider', 0)),
      leeds: await accessToken(server.url, client('provider', 1)),
      admin: await accessToken(server.url, client('admin', 0)),
      docId: '',
    };
    w.docId = await submit(w, fixture());
    endpoints = listEndpoints(server.app).map(key);
  });
  after(() => server?.close());

  it('lists the routes of the real application', () => {
    // The walker must see through nested routers: a few known routes from different routers.
    expect(endpoints).to.include.members(['POST /auth/token', 'POST /shl/:segment', 'GET /api/manage', 'POST /fhir/Bundle', 'GET /fhir/Bundle/:id', 'GET /fhir/AuditEvent']);
    expect(endpoints.length).to.be.at.least(30);
  });

  it('has a decision (patient data or not, and why) for every route, and none for a route that does not exist', () => {
    const undecided = endpoints.filter((e) => !(e in ROUTES));
    expect(undecided, 'routes without a decision in ROUTES: decide whether they touch patient data and add their audit case').to.deep.equal([]);
    const stale = Object.keys(ROUTES).filter((k) => !endpoints.includes(k));
    expect(stale, 'decisions for routes the app no longer has').to.deep.equal([]);
    for (const [k, d] of Object.entries(ROUTES)) {
      if (d.patientData) expect(d.cases.length, k).to.be.greaterThan(0);
      else expect(d.why.length, `${k}: say why it touches no patient data`).to.be.greaterThan(10);
    }
  });

  for (const [route, decision] of Object.entries(ROUTES)) {
    if (!decision.patientData) continue;
    for (const kase of decision.cases) {
      const { action, outcome, operation } = kase.expectAudit;
      it(`${route}: ${kase.name} → a new '${action}' entry (outcome ${outcome}) with the request id`, async () => {
        const seen = await probeAudit(server, w.admin, action, (c) => kase.request(w, c));
        expect(seen.status, seen.bodyStart).to.equal(kase.status);
        expect(seen.echoedRequestId).to.equal(seen.requestId);
        const mine = seen.entries.filter((e) => e.codes.includes(action));
        expect(mine, `entries carrying ${seen.requestId}: ${JSON.stringify(seen.entries)}`).to.have.length.at.least(1);
        const entry = mine[0]!;
        expect(entry.outcome).to.equal(outcome);
        expect(entry.requestIds).to.deep.equal([seen.requestId]);
        if (operation) expect(entry.codes).to.include(operation);
        expect(seen.subtypeAfter, `count of '${action}' entries`).to.be.greaterThan(seen.subtypeBefore);
      });
    }
  }
});
