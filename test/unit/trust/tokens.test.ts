/**
 * SMART Backend Services client authentication and gateway access tokens: a good assertion is
 * accepted once; replay, wrong aud, alg none / HS256, expiry, unknown clients are refused with
 * TOKEN_INVALID; access tokens expire, are bound to aud/iss, survive key rotation.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { SignJWT, calculateJwkThumbprint, type JWK } from 'jose';
import { GatewayError } from '../../../src/errors.js';
import {
  createGatewayKeys, createMemoryJtiStore, grantScopes, issueAccessToken, jwks, scopeAllows, smartConfiguration,
  verifyAccessToken, verifyClientAssertion, type GatewayKeys,
} from '../../../src/trust/index.js';
import { certs, exampleNow, exampleTrust, participantKey, readText } from './support.js';

const TOKEN_URL = 'https://gateway.test/auth/token';
const ISSUER = 'https://gateway.test';
const FHIR = 'https://gateway.test/fhir';
let clock = exampleNow();
const now = () => clock;
const trust = exampleTrust(now);

async function assertion(clientId: string, o: { aud?: string; jti?: string; expIn?: number; alg?: string; key?: crypto.KeyObject | Uint8Array; sub?: string } = {}) {
  const iat = Math.floor(now().getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: o.alg ?? 'RS384' })
    .setIssuer(clientId)
    .setSubject(o.sub ?? clientId)
    .setAudience(o.aud ?? TOKEN_URL)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (o.expIn ?? 120))
    .setJti(o.jti ?? crypto.randomUUID())
    .sign(o.key ?? crypto.createPrivateKey(participantKey(clientId).key));
}

async function refused(p: Promise<unknown>, error: string): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(GatewayError);
    expect((e as GatewayError).code).to.equal('TOKEN_INVALID');
    expect((e as GatewayError).status).to.equal(401);
    expect((e as GatewayError).details.error).to.equal(error);
    return e as GatewayError;
  }
  throw new Error('expected a refusal');
}

const gatewayKeys = (previous?: string[]): GatewayKeys =>
  createGatewayKeys({ privateKeyPem: readText(certs('gateway.key.pem')), certificateChainPem: readText(certs('gateway.cert.pem')), ...(previous ? { previous } : {}) });

describe('trust/tokens: client assertions (SMART Backend Services)', () => {
  const opts = () => ({ trust, tokenUrl: TOKEN_URL, now, jtiSeen: createMemoryJtiStore(now) });

  it('accepts a fresh RS384 assertion from a registered hospital', async () => {
    const r = await verifyClientAssertion(await assertion('hospital-shanghai-example'), opts());
    expect(r.participant.id).to.equal('hospital-shanghai-example');
    expect(r.participant.role).to.equal('hospital');
  });

  it('refuses a replayed assertion (same jti), even re-signed', async () => {
    const o = opts();
    await verifyClientAssertion(await assertion('provider-leeds-example', { jti: 'jti-1' }), o);
    await refused(verifyClientAssertion(await assertion('provider-leeds-example', { jti: 'jti-1' }), o), 'invalid_client');
  });

  it('does not record the jti of an assertion whose signature fails', async () => {
    const seen: string[] = [];
    const o = { ...opts(), jtiSeen: async (jti: string) => (seen.push(jti), true) };
    const otherKey = crypto.createPrivateKey(participantKey('hospital-hainan-example').key);
    await refused(verifyClientAssertion(await assertion('hospital-shanghai-example', { key: otherKey, jti: 'forged' }), o), 'invalid_client');
    expect(seen).to.deep.equal([]);
  });

  it('refuses a wrong audience', async () => {
    await refused(verifyClientAssertion(await assertion('hospital-shanghai-example', { aud: 'https://elsewhere/token' }), opts()), 'invalid_client');
  });

  it('refuses an expired assertion and one living longer than 5 minutes', async () => {
    const old = await assertion('hospital-shanghai-example', { expIn: 60 });
    const o = opts();
    clock = new Date(clock.getTime() + 120_000);
    try {
      await refused(verifyClientAssertion(old, o), 'invalid_client');
    } finally {
      clock = exampleNow();
    }
    await refused(verifyClientAssertion(await assertion('hospital-shanghai-example', { expIn: 3600 }), o), 'invalid_client');
  });

  it('refuses alg none and HS256 assertions', async () => {
    const h = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const iat = Math.floor(now().getTime() / 1000);
    const claims = h({ iss: 'hospital-shanghai-example', sub: 'hospital-shanghai-example', aud: TOKEN_URL, exp: iat + 60, jti: 'n1' });
    await refused(verifyClientAssertion(`${h({ alg: 'none' })}.${claims}.`, opts()), 'invalid_client');
    const hs = await assertion('hospital-shanghai-example', { alg: 'HS256', key: new TextEncoder().encode(participantKey('hospital-shanghai-example').chainPem) });
    await refused(verifyClientAssertion(hs, opts()), 'invalid_client');
  });

  it('refuses an unknown client, iss != sub, and a key of another client', async () => {
    await refused(verifyClientAssertion(await assertion('nobody', { key: crypto.createPrivateKey(participantKey('hospital-shanghai-example').key) }), opts()), 'invalid_client');
    await refused(verifyClientAssertion(await assertion('hospital-shanghai-example', { sub: 'admin-example' }), opts()), 'invalid_client');
    const other = crypto.createPrivateKey(participantKey('provider-toronto-example').key);
    await refused(verifyClientAssertion(await assertion('provider-leeds-example', { key: other }), opts()), 'invalid_client');
  });

  it('refuses a client whose only certificate has expired', async () => {
    clock = new Date('2040-01-01T00:00:00Z'); // the assertion itself is fresh at that time
    try {
      const e = await refused(verifyClientAssertion(await assertion('hospital-shanghai-example'), opts()), 'invalid_client');
      expect((e.cause as GatewayError).details.reason).to.equal('expired');
    } finally {
      clock = exampleNow();
    }
  });
});

describe('trust/tokens: access tokens', () => {
  const keys = gatewayKeys();
  const shanghai = trust.byClientId('hospital-shanghai-example')!;
  const issue = (k: GatewayKeys = keys, lifetimeSeconds = 300) =>
    issueAccessToken({ keys: k, issuer: ISSUER, audience: FHIR, participant: shanghai, scopes: trust.scopesFor('hospital'), now, newId: () => crypto.randomUUID(), lifetimeSeconds });
  const verifyOpts = (k: GatewayKeys = keys) => ({ keys: k, issuer: ISSUER, audience: FHIR, now });

  it('issues a minutes-long token whose claims carry role, organisation and scopes', async () => {
    const t = await issue();
    expect(t.token_type).to.equal('bearer');
    expect(t.expires_in).to.equal(300);
    const c = await verifyAccessToken(t.access_token, verifyOpts());
    expect(c).to.include({ clientId: 'hospital-shanghai-example', role: 'hospital', organization: 'org-shanghai-example' });
    expect(c.scopes).to.include('system/Bundle.crus');
  });

  it('refuses an expired access token', async () => {
    const t = await issue(keys, 60);
    clock = new Date(clock.getTime() + 61_000);
    try {
      const e = await refused(verifyAccessToken(t.access_token, verifyOpts()), 'invalid_token');
      expect(e.headers['WWW-Authenticate']).to.match(/invalid_token/);
    } finally {
      clock = exampleNow();
    }
  });

  it('refuses a token for another audience or issuer, and a client assertion used as a token', async () => {
    const t = await issue();
    await refused(verifyAccessToken(t.access_token, { ...verifyOpts(), audience: 'https://other/fhir' }), 'invalid_token');
    await refused(verifyAccessToken(t.access_token, { ...verifyOpts(), issuer: 'https://other' }), 'invalid_token');
    await refused(verifyAccessToken(await assertion('hospital-shanghai-example'), verifyOpts()), 'invalid_token');
  });

  it('kid is the RFC 7638 thumbprint and the JWKS publishes it with x5c', async () => {
    const set = jwks(keys, now);
    expect(set.keys).to.have.length(1);
    const jwk = set.keys[0] as JWK & { x5c: string[] };
    expect(jwk.kid).to.equal(await calculateJwkThumbprint(jwk));
    expect(jwk).to.not.have.property('d');
    expect(jwk.x5c[0]).to.equal(new crypto.X509Certificate(readText(certs('gateway.cert.pem'))).raw.toString('base64'));
  });

  it('keeps tokens of the previous key verifiable after rotation, until its certificate expires', async () => {
    const old = createGatewayKeys({ privateKeyPem: readText(certs('admin-example.key.pem')), certificateChainPem: readText(certs('admin-example.cert.pem')) });
    const oldToken = await issue(old);
    const rotated = gatewayKeys([readText(certs('admin-example.cert.pem'))]);
    expect(jwks(rotated, now).keys.map((k) => k.kid)).to.deep.equal([keys.current.kid, old.current.kid]);
    expect((await verifyAccessToken(oldToken.access_token, verifyOpts(rotated))).clientId).to.equal('hospital-shanghai-example');
    await refused(verifyAccessToken(oldToken.access_token, verifyOpts(keys)), 'invalid_token');
    const withExpired = gatewayKeys([readText(certs('test-only/hospital-shanghai-expired.cert.pem'))]);
    expect(jwks(withExpired, now).keys).to.have.length(1);
  });

  it('refuses a private key that does not match the certificate (our misuse: TypeError)', () => {
    expect(() => createGatewayKeys({ privateKeyPem: readText(certs('admin-example.key.pem')), certificateChainPem: readText(certs('gateway.cert.pem')) })).to.throw(TypeError);
  });
});

describe('trust/scopes', () => {
  it('grants the role scopes, or the covered subset of those requested', () => {
    const hospital = trust.scopesFor('hospital');
    expect(grantScopes(hospital)).to.deep.equal([...hospital]);
    expect(grantScopes(hospital, 'system/Bundle.c system/Observation.r')).to.deep.equal(['system/Bundle.c']);
    expect(() => grantScopes(trust.scopesFor('provider'), 'system/Bundle.c')).to.throw(GatewayError).with.property('code', 'INVALID_PARAMETER');
  });

  it('decides interactions by role: providers read bundles but cannot create them; admins read all', () => {
    expect(scopeAllows(trust.scopesFor('provider'), 'Bundle', 'r')).to.equal(true);
    expect(scopeAllows(trust.scopesFor('provider'), 'Bundle', 'c')).to.equal(false);
    expect(scopeAllows(trust.scopesFor('hospital'), 'Bundle', 'c')).to.equal(true);
    expect(scopeAllows(trust.scopesFor('admin'), 'AuditEvent', 'r')).to.equal(true);
    expect(scopeAllows(trust.scopesFor('admin'), 'Bundle', 'c')).to.equal(false);
    expect(scopeAllows(['system/Bundle.read'], 'Bundle', 's')).to.equal(true);
    expect(scopeAllows(['system/Bundle.r?category=x'], 'Bundle', 'r')).to.equal(false);
  });

  it('smart-configuration advertises private_key_jwt with RS384/ES384 and the token URL', () => {
    const doc = smartConfiguration(trust, { tokenUrl: TOKEN_URL, jwksUrl: `${ISSUER}/.well-known/jwks.json` });
    expect(doc.token_endpoint).to.equal(TOKEN_URL);
    expect(doc.token_endpoint_auth_methods_supported).to.deep.equal(['private_key_jwt']);
    expect(doc.token_endpoint_auth_signing_alg_values_supported).to.deep.equal(['RS384', 'ES384']);
    expect(doc.scopes_supported).to.include('system/Bundle.rs');
  });
});
