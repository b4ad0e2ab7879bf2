/**
 * The viewer's signature check (src/http/pages/assets/signature.js) against documents signed by
 * the gateway's own code (src/trust/document-signature.ts) with the example gateway key and its
 * JWKS as served at /.well-known/jwks.json: verified only for the exact bytes, never otherwise.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createGatewayKeys, jwks } from '../../../src/trust/tokens.js';
import { signDocument } from '../../../src/trust/document-signature.js';
import type { Bundle } from '../../../src/fhir/types.js';
import { repoRoot } from '../../support/server.js';
import { client } from './helpers.js';

const certs = path.join(repoRoot, 'certs-example');
const pem = (f: string) => readFileSync(path.join(certs, f), 'utf8');
const fixture = () => JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/cn-t2dm-htn.json'), 'utf8')) as Bundle;
const now = () => new Date();

describe('pages: gateway signature verified in the browser', () => {
  let verify: (b: unknown, k: unknown) => Promise<{ status: string; reason?: string; signedAt?: string; kid?: string }>;
  const keys = createGatewayKeys({ certificateChainPem: pem('gateway.cert.pem'), privateKeyPem: pem('gateway.key.pem') });
  const set = jwks(keys, now);
  let signed: Bundle;

  before(async () => {
    ({ verifyBundleSignature: verify } = await client('signature.js'));
    signed = await signDocument(fixture(), { key: keys.current.privateKey, chain: keys.current.chain, now, kid: keys.current.kid });
  });

  it('verifies a document the gateway signed (RS384 over base64url(JCS(Bundle − signature)))', async () => {
    const r = await verify(signed, set);
    expect(r).to.include({ status: 'verified', kid: keys.current.kid });
    expect(r.signedAt).to.equal(signed.signature!.when);
  });

  it('matches the key by x5c when the header has no kid', async () => {
    const noKid = await signDocument(fixture(), { key: keys.current.privateKey, chain: keys.current.chain, now });
    expect((await verify(noKid, set)).status).to.equal('verified');
  });

  it('does not verify changed content, a foreign key, a missing or malformed signature', async () => {
    const changed = structuredClone(signed) as any;
    changed.entry[0].resource.title = '出院小结(已改)';
    expect(await verify(changed, set)).to.deep.equal({ status: 'not-verified', reason: 'mismatch' });
    const reordered = { signature: signed.signature, ...fixture() } as any;
    expect((await verify(reordered, set)).status, 'member order does not matter (JCS)').to.equal('verified');
    const hospital = createGatewayKeys({ certificateChainPem: pem('hospital-shanghai-example.cert.pem'), privateKeyPem: pem('hospital-shanghai-example.key.pem') });
    const foreign = await signDocument(fixture(), { key: hospital.current.privateKey, chain: hospital.current.chain, now });
    expect(await verify(foreign, set)).to.deep.equal({ status: 'not-verified', reason: 'unknown-key' });
    expect(await verify(fixture(), set)).to.deep.equal({ status: 'not-verified', reason: 'absent' });
    expect(await verify({ ...signed, signature: { ...signed.signature, data: 'bm90IGEgandz' } }, set)).to.deep.equal({ status: 'not-verified', reason: 'format' });
    const none = Buffer.from(`${Buffer.from('{"alg":"none"}').toString('base64url')}..AAAA`).toString('base64');
    expect(await verify({ ...signed, signature: { ...signed.signature, data: none } }, set)).to.deep.equal({ status: 'not-verified', reason: 'algorithm' });
    expect(await verify(signed, { keys: [] })).to.deep.equal({ status: 'not-verified', reason: 'unknown-key' });
  });
});
