/**
 * Verified access tokens are remembered (src/gateway/auth.ts) without accepting anything a fresh
 * verification would refuse: a cached token is refused once it expires, once the gateway key that
 * signed it expires, when its participant leaves the trust list; a tampered token is never a hit.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { GatewayError } from '../../../src/errors.js';
import { authUseCases } from '../../../src/gateway/auth.js';
import type { GatewayDeps } from '../../../src/gateway/deps.js';
import { createGatewayKeys, issueAccessToken, type GatewayKeys, type TrustList } from '../../../src/trust/index.js';
import { certs, exampleNow, exampleTrust, readText } from '../trust/support.js';

const ISSUER = 'https://gateway.test';
const FHIR = 'https://gateway.test/fhir';

describe('perf: access token cache', () => {
  let clock = exampleNow();
  const now = () => clock;
  const realTrust = exampleTrust(now);
  let removed = new Set<string>();
  const trust = { ...realTrust, byClientId: (id: string) => (removed.has(id) ? undefined : realTrust.byClientId(id)) } as TrustList;
  const gatewayKeys = createGatewayKeys({ privateKeyPem: readText(certs('gateway.key.pem')), certificateChainPem: readText(certs('gateway.cert.pem')) });

  const auth = (keys: GatewayKeys) =>
    authUseCases({ trust, keys, urls: { issuer: ISSUER, fhirBase: FHIR, token: `${ISSUER}/auth/token`, jwks: '' }, clock: { now }, store: {} } as unknown as GatewayDeps);
  const issue = async (keys: GatewayKeys, lifetimeSeconds = 300) =>
    (await issueAccessToken({
      keys, issuer: ISSUER, audience: FHIR, participant: realTrust.byClientId('provider-toronto-example')!, scopes: ['system/Bundle.r'], now,
      newId: () => crypto.randomUUID(), lifetimeSeconds,
    })).access_token;
  const refused = async (p: Promise<unknown>) => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e, 'refused').to.be.instanceOf(GatewayError);
    expect((e as GatewayError).code).to.equal('TOKEN_INVALID');
  };
  beforeEach(() => {
    clock = exampleNow();
    removed = new Set();
  });

  it('a cached token is refused from its expiry on', async () => {
    const a = auth(gatewayKeys);
    const token = await issue(gatewayKeys, 60);
    expect((await a.authenticate(token)).clientId).to.equal('provider-toronto-example');
    clock = new Date(clock.getTime() + 30_000);
    expect((await a.authenticate(token)).clientId, 'still valid (a hit)').to.equal('provider-toronto-example');
    clock = new Date(exampleNow().getTime() + 61_000);
    await refused(a.authenticate(token));
  });

  it('a cached token is refused once the gateway key that signed it has expired', async () => {
    // The same key pair with a certificate ending 10 s from now: a fresh verification refuses its
    // tokens after that although they have not expired themselves.
    const k = gatewayKeys.current;
    const shortLived = { ...k, notAfter: new Date(clock.getTime() + 10_000) };
    const keys: GatewayKeys = { current: shortLived, all: [shortLived] };
    const a = auth(keys);
    const token = await issue(keys, 300);
    await a.authenticate(token);
    clock = new Date(clock.getTime() + 11_000);
    await refused(a.authenticate(token));
  });

  it('a participant removed from the trust list loses access although its token is cached', async () => {
    const a = auth(gatewayKeys);
    const token = await issue(gatewayKeys);
    await a.authenticate(token);
    removed.add('provider-toronto-example');
    await refused(a.authenticate(token));
  });

  it('a tampered token is refused after the genuine one was cached', async () => {
    const a = auth(gatewayKeys);
    const token = await issue(gatewayKeys);
    await a.authenticate(token);
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'system/*.*' })).toString('base64url')}.${s}`;
    await refused(a.authenticate(forged));
  });

  it('principals handed out do not share the cached scope list', async () => {
    const a = auth(gatewayKeys);
    const token = await issue(gatewayKeys);
    const p1 = await a.authenticate(token);
    p1.scopes.push('system/*.*');
    expect((await a.authenticate(token)).scopes).to.deep.equal(['system/Bundle.r']);
  });
});
