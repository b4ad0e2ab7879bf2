// Consent token (gateway-signed JWT bound to the recipient) and secret handling.
import { expect } from 'chai';
import { generateKeyPair } from 'jose';
import { buildConsent, parseGrantParameters, readConsent } from '../../../src/consent/model.js';
import { constantTimeEqual, hashPasscode, hashSecret, newSecret, verifyPasscode, verifySecret } from '../../../src/consent/secrets.js';
import { patientFromClaim, signConsentToken, verifyConsentToken } from '../../../src/consent/token.js';
import { GatewayError } from '../../../src/errors.js';
import { grantParams, NOW, PATIENT, resolveOrganization, seededRandom } from './fixtures.js';

const view = readConsent(
  buildConsent(parseGrantParameters(grantParams(), { resolveOrganization, now: NOW }), { id: 'c1', now: NOW, hospital: { id: 'pumch', name: 'PUMCH' }, channel: 'hospital-on-behalf' }),
);
const issuer = 'https://gw.example.org';

describe('consent token', () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let token: string;
  before(async () => {
    keys = await generateKeyPair('ES256');
    token = await signConsentToken(view, { issuer, key: keys.privateKey, kid: 'gw-1', now: NOW, jti: 'j1' });
  });

  it('names the consent, patient, scope and recipient, and expires with the consent', async () => {
    const claims = await verifyConsentToken(token, { issuer, audience: 'charite', key: keys.publicKey, now: new Date('2025-04-01T00:00:00Z') });
    expect(claims).to.include({ iss: issuer, sub: 'c1', aud: 'charite', scope: 'patient/Bundle.rs', jti: 'j1' });
    expect(claims.exp).to.equal(Date.parse('2025-06-01T00:00:00Z') / 1000);
    expect(patientFromClaim(claims.patient)).to.deep.equal(PATIENT);
  });

  const failing: [string, () => Parameters<typeof verifyConsentToken>[1]][] = [
    ['another participant presents it', () => ({ issuer, audience: 'mayo', key: keys.publicKey, now: NOW })],
    ['after the consent ended', () => ({ issuer, audience: 'charite', key: keys.publicKey, now: new Date('2025-06-01T00:00:01Z') })],
    ['another issuer is expected', () => ({ issuer: 'https://evil.example', audience: 'charite', key: keys.publicKey, now: NOW })],
  ];
  for (const [name, o] of failing) {
    it(`is TOKEN_INVALID when ${name}`, async () => {
      try {
        await verifyConsentToken(token, o());
        expect.fail('accepted');
      } catch (e) {
        expect((e as GatewayError).code).to.equal('TOKEN_INVALID');
      }
    });
  }

  it('is TOKEN_INVALID when signed by another key or tampered', async () => {
    const other = await generateKeyPair('ES256');
    const forged = await signConsentToken(view, { issuer, key: other.privateKey, kid: 'gw-1', now: NOW, jti: 'j2' });
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = [h, Buffer.from(JSON.stringify({ ...claims, aud: 'mayo' })).toString('base64url'), s].join('.');
    for (const t of [forged, tampered, 'not.a.jwt']) {
      try {
        await verifyConsentToken(t, { issuer, audience: t === tampered ? 'mayo' : 'charite', key: keys.publicKey, now: NOW });
        expect.fail('accepted');
      } catch (e) {
        expect((e as GatewayError).code).to.equal('TOKEN_INVALID');
      }
    }
  });

  it('is not issued for a person recipient (no audience to bind)', async () => {
    const person = readConsent(
      buildConsent(
        parseGrantParameters(grantParams({ recipient: [{ name: 'recipient', valueString: 'Dr. A' }, { name: 'recipientContact', valueString: 'a@example.de' }] }), { resolveOrganization, now: NOW }),
        { id: 'c2', now: NOW, hospital: { id: 'pumch', name: 'PUMCH' }, channel: 'hospital-on-behalf' },
      ),
    );
    try {
      await signConsentToken(person, { issuer, key: keys.privateKey, kid: 'gw-1', now: NOW, jti: 'j3' });
      expect.fail('signed');
    } catch (e) {
      expect(e).to.be.instanceOf(TypeError);
    }
  });
});

describe('secrets', () => {
  it('makes 43-character base64url secrets from 32 injected bytes, distinct per call', () => {
    const rb = seededRandom(1);
    const a = newSecret(rb);
    const b = newSecret(rb);
    expect(a).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(a).to.not.equal(b);
    expect(() => newSecret(() => new Uint8Array(16))).to.throw(TypeError);
  });

  it('stores SHA-256 hex and verifies in constant time', () => {
    const s = newSecret(seededRandom(2));
    expect(hashSecret(s)).to.match(/^[0-9a-f]{64}$/);
    expect(verifySecret(s, hashSecret(s))).to.equal(true);
    expect(verifySecret(s + 'x', hashSecret(s))).to.equal(false);
    expect(constantTimeEqual('abc', 'abcd')).to.equal(false);
  });

  it('hashes passcodes with salted scrypt and verifies only the right one', async () => {
    const h1 = await hashPasscode('1234', seededRandom(3));
    const h2 = await hashPasscode('1234', seededRandom(4));
    expect(h1).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(h1).to.not.equal(h2);
    expect(await verifyPasscode('1234', h1)).to.equal(true);
    expect(await verifyPasscode('12345', h1)).to.equal(false);
    expect(await verifyPasscode('1234', 'sha256$abc')).to.equal(false);
  });
});
