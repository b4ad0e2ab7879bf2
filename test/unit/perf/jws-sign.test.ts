/**
 * src/trust/jws-sign.ts (node:crypto detached JWS) against jose as the independent verifier:
 * every accepted algorithm produces a signature jose verifies over the same payload, a changed
 * payload does not verify, and a key that does not fit the algorithm is a TypeError.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { flattenedVerify } from 'jose';
import { signDetachedJws } from '../../../src/trust/jws-sign.js';

const payload = JSON.stringify({ resourceType: 'Bundle', note: '出院小结 — discharge summary \ud83d\ude02' });
const keys = {
  rsa: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  p256: crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  p521: crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' }),
};
const cases: [string, keyof typeof keys][] = [
  ['RS256', 'rsa'], ['RS384', 'rsa'], ['RS512', 'rsa'], ['PS256', 'rsa'], ['PS384', 'rsa'], ['PS512', 'rsa'],
  ['ES256', 'p256'], ['ES384', 'p384'], ['ES512', 'p521'],
];

describe('perf: detached JWS signing over node:crypto', () => {
  for (const [alg, k] of cases) {
    it(`${alg}: jose verifies the detached signature over the UTF-8 payload; a changed payload fails`, async () => {
      const jws = await signDetachedJws({ alg, typ: 'JOSE', x: 'é' }, payload, keys[k].privateKey);
      const [protectedB64, empty, sig] = jws.split('.');
      expect(empty).to.equal('');
      const ok = await flattenedVerify({ protected: protectedB64!, payload: Buffer.from(payload).toString('base64url'), signature: sig! }, keys[k].publicKey);
      expect(Buffer.from(ok.payload).toString('utf8')).to.equal(payload);
      expect(ok.protectedHeader).to.deep.equal({ alg, typ: 'JOSE', x: 'é' });
      let failed = false;
      try {
        await flattenedVerify({ protected: protectedB64!, payload: Buffer.from(`${payload} `).toString('base64url'), signature: sig! }, keys[k].publicKey);
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
    });
  }

  it('bytes and the same text sign the same input (RS384 is deterministic)', async () => {
    const a = await signDetachedJws({ alg: 'RS384' }, payload, keys.rsa.privateKey);
    const b = await signDetachedJws({ alg: 'RS384' }, new TextEncoder().encode(payload), keys.rsa.privateKey);
    expect(a).to.equal(b);
  });

  it('refuses a key that does not fit the algorithm, a weak RSA key and an unknown algorithm (TypeError)', async () => {
    const weak = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const attempts: [string, crypto.KeyObject][] = [
      ['ES384', keys.p256.privateKey], ['ES256', keys.rsa.privateKey], ['RS384', keys.p384.privateKey], ['RS256', weak],
      ['HS256', keys.rsa.privateKey], ['none', keys.rsa.privateKey], ['RS384', keys.rsa.publicKey],
    ];
    for (const [alg, key] of attempts) {
      let err: unknown;
      try {
        await signDetachedJws({ alg }, payload, key);
      } catch (e) {
        err = e;
      }
      expect(err, alg).to.be.instanceOf(TypeError);
    }
  });
});
