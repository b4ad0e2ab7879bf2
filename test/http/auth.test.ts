/**
 * SMART Backend Services over real HTTP (issue 4; hl7.org/fhir/smart-app-launch/backend-services.html):
 * the smart-configuration advertises private_key_jwt with RS384/ES384; a valid client assertion
 * buys an access token (Cache-Control: no-store, scopes of the participant's role); a replayed
 * jti, a wrong `aud`, an expired assertion and an unregistered key are 401 invalid_client; a wrong
 * grant_type is 400 unsupported_grant_type; an expired or foreign-signed access token is refused on
 * /fhir with 401 + WWW-Authenticate; a provider cannot submit documents. Every refused token request
 * leaves a `token-issued` failure in the audit log (found by its X-Request-Id).
 *
 * Forged access tokens are signed with certs-example/gateway.key.pem (the development gateway key)
 * with the claims copied from a real token, so only the one changed property explains a refusal.
 */
import crypto, { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { startTestServer, repoRoot, type TestServer } from '../support/server.js';
import { accessToken, client, clientAssertion, exampleClients, requestToken, type ExampleClient } from '../support/clients.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SUBTYPE_SYSTEM = 'https://emr-gateway.example.org/fhir/CodeSystem/audit-event-subtype';
const certs = (f: string) => path.join(repoRoot, 'certs-example', f);

/** The role scopes documented in certs-example/README.md (SMART v2 system scopes). */
const ROLE_SCOPES: Record<string, string[]> = {
  hospital: ['system/Bundle.crus', 'system/Consent.crus', 'system/Patient.rs', 'system/DocumentReference.rs', 'system/AuditEvent.rs', 'system/Provenance.rs'],
  provider: ['system/Bundle.rs', 'system/Consent.rs', 'system/Patient.rs', 'system/DocumentReference.rs', 'system/Provenance.rs'],
  admin: ['system/*.rs', 'system/Organization.cru', 'gateway/trust-list.write'],
};

describe('SMART Backend Services over HTTP', function () {
  let server: TestServer;
  let tokenUrl: string;
  let admin: string;
  const shanghai = () => client('hospital', 0);

  /** POST /auth/token with a form and an X-Request-Id, so the audit entry can be found. */
  async function tokenRequest(form: Record<string, string>, requestId: string): Promise<{ status: number; headers: Headers; body: any }> {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': requestId },
      body: new URLSearchParams(form),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  }
  const form = (assertion: string, extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
    ...extra,
  });

  /** The audit entries of one request (entity = its X-Request-Id). */
  async function auditOf(requestId: string): Promise<any[]> {
    const res = await fetch(`${server.base}/AuditEvent?entity=${encodeURIComponent(requestId)}&subtype=${encodeURIComponent(`${SUBTYPE_SYSTEM}|token-issued`)}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).to.equal(200);
    return ((await res.json()).entry ?? []).map((e: any) => e.resource);
  }

  /** A refused token request: status, OAuth error, no-store, and a token-issued failure audited. */
  async function expectTokenRefused(formBody: Record<string, string>, status: number, error: string): Promise<void> {
    const id = `auth-test-${randomUUID()}`;
    const r = await tokenRequest(formBody, id);
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    expect(r.body.error).to.equal(error);
    expect(r.body).to.not.have.property('access_token');
    expect(r.headers.get('cache-control')).to.equal('no-store');
    const events = await auditOf(id);
    expect(events, `audit entry for ${error}`).to.have.length(1);
    expect(events[0].outcome).to.not.equal('0');
    expect(events[0].outcomeDesc).to.be.a('string').and.not.equal('');
  }

  before(async () => {
    server = await startTestServer();
    tokenUrl = `${server.url}/auth/token`;
    admin = await accessToken(server.url, client('admin', 0));
  });
  after(() => server.close());

  it('advertises the token endpoint, private_key_jwt, RS384/ES384 and the scopes in /.well-known/smart-configuration', async () => {
    const res = await fetch(`${server.url}/.well-known/smart-configuration`);
    expect(res.status).to.equal(200);
    const conf = await res.json();
    expect(conf.token_endpoint).to.equal(tokenUrl);
    expect(conf.grant_types_supported).to.include('client_credentials');
    expect(conf.token_endpoint_auth_methods_supported).to.include('private_key_jwt');
    expect(conf.token_endpoint_auth_signing_alg_values_supported).to.include.members(['RS384', 'ES384']);
    expect(conf.scopes_supported).to.include.members([...ROLE_SCOPES.hospital!, ...ROLE_SCOPES.provider!]);
    expect(conf.capabilities).to.include('client-confidential-asymmetric');
    const jwks = await (await fetch(conf.jwks_uri)).json();
    expect(jwks.keys.length).to.be.at.least(1);
  });

  it('answers a valid assertion with a bearer token, Cache-Control: no-store, and audits it', async () => {
    const id = `auth-test-${randomUUID()}`;
    const r = await tokenRequest(form(await clientAssertion(shanghai(), tokenUrl)), id);
    expect(r.status).to.equal(200);
    expect(r.headers.get('cache-control')).to.equal('no-store');
    expect(r.body.token_type.toLowerCase()).to.equal('bearer');
    expect(r.body.expires_in).to.be.within(30, 3600);
    expect(decodeProtectedHeader(r.body.access_token).typ).to.equal('at+jwt');
    const claims = decodeJwt(r.body.access_token);
    expect(claims.sub).to.equal(shanghai().client_id);
    expect(claims.aud).to.equal(server.base);
    expect(claims.exp! - claims.iat!).to.equal(r.body.expires_in);
    const events = await auditOf(id);
    expect(events.map((e) => e.outcome)).to.deep.equal(['0']);
  });

  it("gives every example participant exactly its role's scopes", async () => {
    for (const c of exampleClients) {
      const r = await tokenRequest(form(await clientAssertion(c, tokenUrl)), `auth-test-${randomUUID()}`);
      expect(r.status, c.client_id).to.equal(200);
      expect(r.body.scope.split(' '), c.client_id).to.have.members(ROLE_SCOPES[c.role]!);
      expect(decodeJwt(r.body.access_token)).to.include({ role: c.role, organization: c.organization, client_id: c.client_id });
    }
  });

  it('grants a narrower requested scope, and refuses a scope beyond the role', async () => {
    const narrow = await tokenRequest(form(await clientAssertion(shanghai(), tokenUrl), { scope: 'system/Bundle.rs' }), `auth-test-${randomUUID()}`);
    expect(narrow.status).to.equal(200);
    expect(narrow.body.scope).to.equal('system/Bundle.rs');
    const provider = client('provider', 0);
    await expectTokenRefused(form(await clientAssertion(provider, tokenUrl), { scope: 'system/Bundle.c' }), 400, 'invalid_scope');
  });

  it('refuses the same assertion replayed (same jti) with 401 invalid_client', async () => {
    const assertion = await clientAssertion(shanghai(), tokenUrl);
    expect((await requestToken(server.url, assertion)).status).to.equal(200);
    await expectTokenRefused(form(assertion), 401, 'invalid_client');
    // a fresh assertion reusing the jti is a replay too
    const jti = decodeJwt(assertion).jti!;
    await expectTokenRefused(form(await clientAssertion(shanghai(), tokenUrl, { jti })), 401, 'invalid_client');
  });

  it('refuses an assertion with a wrong aud with 401', async () => {
    await expectTokenRefused(form(await clientAssertion(shanghai(), `${server.url}/fhir`)), 401, 'invalid_client');
  });

  it('refuses an expired assertion with 401', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    await expectTokenRefused(form(await clientAssertion(shanghai(), tokenUrl, { exp: past })), 401, 'invalid_client');
  });

  it('refuses an assertion signed by a key not registered for the client with 401', async () => {
    // same iss/sub as Shanghai, signed with the untrusted test-only key; then with the revoked one
    const impostor: ExampleClient = { ...shanghai(), private_key: 'test-only/untrusted-hospital.key.pem' };
    await expectTokenRefused(form(await clientAssertion(impostor, tokenUrl)), 401, 'invalid_client');
    const revoked: ExampleClient = { ...shanghai(), private_key: 'test-only/hospital-shanghai-revoked.key.pem' };
    await expectTokenRefused(form(await clientAssertion(revoked, tokenUrl)), 401, 'invalid_client');
  });

  it('refuses an unknown client id with 401', async () => {
    const unknown: ExampleClient = { ...shanghai(), client_id: 'hospital-nowhere-example' };
    await expectTokenRefused(form(await clientAssertion(unknown, tokenUrl)), 401, 'invalid_client');
  });

  it('refuses a wrong grant_type with 400 unsupported_grant_type', async () => {
    await expectTokenRefused(form(await clientAssertion(shanghai(), tokenUrl), { grant_type: 'password' }), 400, 'unsupported_grant_type');
  });

  it('refuses a wrong client_assertion_type with 400 invalid_request', async () => {
    const assertion = await clientAssertion(shanghai(), tokenUrl);
    await expectTokenRefused(form(assertion, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }), 400, 'invalid_request');
    // the refused request did not spend the jti: the same assertion, sent properly, still works
    expect((await requestToken(server.url, assertion)).status).to.equal(200);
  });

  describe('access tokens on /fhir', () => {
    let real: string;
    let header: { alg: string; kid?: string; typ?: string };
    let claims: JWTPayload;
    const gatewayKey = () => crypto.createPrivateKey(readFileSync(certs('gateway.key.pem'), 'utf8'));
    const forge = (key: crypto.KeyObject, changes: JWTPayload) =>
      new SignJWT({ ...claims, ...changes }).setProtectedHeader({ alg: header.alg, kid: header.kid!, typ: header.typ! }).sign(key);
    const search = (token: string) => fetch(`${server.base}/Bundle?_count=1`, { headers: { authorization: `Bearer ${token}` } });

    before(async () => {
      real = await accessToken(server.url, shanghai());
      header = decodeProtectedHeader(real) as typeof header;
      claims = decodeJwt(real);
    });

    it('accepts a token forged with the gateway key and the real claims (control for the cases below)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const res = await search(await forge(gatewayKey(), { jti: randomUUID(), iat: now, exp: now + 120 }));
      expect(res.status).to.equal(200);
    });

    it('refuses an expired access token with 401 and WWW-Authenticate', async () => {
      const now = Math.floor(Date.now() / 1000);
      const res = await search(await forge(gatewayKey(), { jti: randomUUID(), iat: now - 600, exp: now - 300 }));
      expect(res.status).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer\b.*error="invalid_token"/);
      expect((await res.json()).resourceType).to.equal('OperationOutcome');
    });

    it('refuses a token with the same claims signed by another key with 401', async () => {
      const now = Math.floor(Date.now() / 1000);
      const other = crypto.createPrivateKey(readFileSync(certs('hospital-shanghai-example.key.pem'), 'utf8'));
      const res = await search(await forge(other, { jti: randomUUID(), iat: now, exp: now + 120 }));
      expect(res.status).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer\b/);
    });

    it('refuses a client assertion presented as an access token with 401', async () => {
      const res = await search(await clientAssertion(shanghai(), tokenUrl));
      expect(res.status).to.equal(401);
    });

    it('refuses a provider token on POST /fhir/Bundle with 403', async () => {
      const provider = await accessToken(server.url, client('provider', 0));
      const doc = readFileSync(path.join(repoRoot, 'test/fixtures/cn-ami-pci.json'), 'utf8');
      const res = await fetch(`${server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${provider}`, 'content-type': 'application/fhir+json' }, body: doc });
      expect(res.status).to.equal(403);
      expect((await res.json()).issue[0].code).to.equal('forbidden');
      expect((await search(provider)).status, 'the same token may search').to.not.equal(401);
    });
  });
});
