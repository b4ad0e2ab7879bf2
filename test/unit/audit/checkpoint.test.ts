import { expect } from 'chai';
import { createLocalJWKSet, exportJWK, generateKeyPair, CompactSign } from 'jose';
import { GENESIS_HASH } from '../../../src/audit/chain.js';
import { CHECKPOINT_TYP, checkpointPayload, signCheckpoint, verifyCheckpointJws } from '../../../src/audit/checkpoint.js';
import { isGatewayError } from '../../../src/errors.js';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    return isGatewayError(e) ? e.code : 'other';
  }
}

describe('audit/checkpoint: signed chain heads', () => {
  const head = { seq: 1234, hash: 'ab'.repeat(32) };
  const now = new Date('2025-05-01T12:00:00Z');

  it('signs {seq, headHash, time} as a compact JWS with kid and typ, verified through a JWKS', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const cp = await signCheckpoint(head, now, { key: privateKey, kid: 'gw-2025', alg: 'ES256' });
    expect(cp).to.include({ seq: 1234, headHash: head.hash, time: '2025-05-01T12:00:00.000Z' });
    const [h, p] = cp.jws.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).to.deep.equal({ alg: 'ES256', kid: 'gw-2025', typ: CHECKPOINT_TYP });
    // payload is the canonical JSON of the three members
    expect(Buffer.from(p!, 'base64url').toString()).to.equal(`{"headHash":"${head.hash}","seq":1234,"time":"2025-05-01T12:00:00.000Z"}`);
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'gw-2025', alg: 'ES256' }] });
    expect(await verifyCheckpointJws(cp.jws, jwks)).to.deep.equal({ seq: 1234, headHash: head.hash, time: cp.time });
  });

  it('checkpoints an empty chain as seq 0 with the genesis hash', () => {
    expect(checkpointPayload(null, now)).to.deep.equal({ seq: 0, headHash: GENESIS_HASH, time: now.toISOString() });
  });

  it('answers SIGNATURE_INVALID for another key, a changed payload, a wrong typ or alg none', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const cp = await signCheckpoint(head, now, { key: privateKey, kid: 'k', alg: 'ES256' });
    expect(await code(verifyCheckpointJws(cp.jws, other.publicKey))).to.equal('SIGNATURE_INVALID');
    const [h, , s] = cp.jws.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ seq: 1, headHash: head.hash, time: cp.time })).toString('base64url');
    expect(await code(verifyCheckpointJws(`${h}.${forgedPayload}.${s}`, publicKey))).to.equal('SIGNATURE_INVALID');
    const wrongTyp = await new CompactSign(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(privateKey);
    expect(await code(verifyCheckpointJws(wrongTyp, publicKey))).to.equal('SIGNATURE_INVALID');
    const none = `${Buffer.from('{"alg":"none","typ":"audit-checkpoint+jws"}').toString('base64url')}.${forgedPayload}.`;
    expect(await code(verifyCheckpointJws(none, publicKey))).to.equal('SIGNATURE_INVALID');
  });

  it('answers SIGNATURE_INVALID for a validly signed but malformed payload', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jws = await new CompactSign(new TextEncoder().encode('{"seq":-1,"headHash":"x","time":"t"}'))
      .setProtectedHeader({ alg: 'ES256', typ: CHECKPOINT_TYP })
      .sign(privateKey);
    expect(await code(verifyCheckpointJws(jws, publicKey))).to.equal('SIGNATURE_INVALID');
  });

  it('refuses to sign without a kid or with an unsupported alg (our misuse)', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    let err: unknown;
    await signCheckpoint(head, now, { key: privateKey, kid: '', alg: 'ES256' }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(TypeError);
    err = undefined;
    await signCheckpoint(head, now, { key: privateKey, kid: 'k', alg: 'HS256' as never }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(TypeError);
  });
});
