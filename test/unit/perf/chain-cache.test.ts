/**
 * The trust stage's memoised certificate work (src/trust/chain-cache.ts) keeps every refusal:
 * a cached chain validation is reused only by the same trust-list instance, only after the instant
 * it was made and before the earliest notAfter / 5 minutes; a revocation (new trust-list instance)
 * is seen at once; a key that does not match stays refused after another pair was remembered.
 */
import { expect } from 'chai';
import { GatewayError } from '../../../src/errors.js';
import type { Bundle } from '../../../src/fhir/types.js';
import {
  createTrustList, parsePemCertificates, readTrustListFile, signDocument, verifyDocumentSignature, type TrustList,
} from '../../../src/trust/index.js';
import { validateChainCached } from '../../../src/trust/chain-cache.js';
import { certs, corpusBundle, exampleNow, participantKey, readText } from '../trust/support.js';

/** The example trust list with a counter on `validate` (the trust list itself is frozen). */
function counting(trust: TrustList): { trust: TrustList; calls: () => number } {
  let n = 0;
  const wrapped: TrustList = { ...trust, validate: (chain, at) => (n++, trust.validate(chain, at)) };
  return { trust: wrapped, calls: () => n };
}

const listData = () => readTrustListFile(certs('trust-list.json'), readText);

async function codeOf(p: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(GatewayError);
    return { code: (e as GatewayError).code, reason: (e as GatewayError).details.reason };
  }
  throw new Error('expected a refusal');
}

describe('perf: trust chain cache', () => {
  const t0 = exampleNow();
  const { key, chainPem } = participantKey('hospital-shanghai-example');
  const chain = parsePemCertificates(chainPem);
  let signed: Bundle;
  before(async () => {
    signed = await signDocument(corpusBundle(), { key, chain, now: () => t0 });
  });

  it('validates a chain once per trust list within the window, then again after 5 minutes or when the clock goes back', async () => {
    const { trust, calls } = counting(createTrustList(listData(), { now: () => t0 }));
    for (let i = 0; i < 5; i++) await verifyDocumentSignature(signed, { trust, now: () => new Date(t0.getTime() + i * 1000) });
    expect(calls()).to.equal(1);
    await verifyDocumentSignature(signed, { trust, now: () => new Date(t0.getTime() + 6 * 60_000) });
    expect(calls()).to.equal(2);
    await verifyDocumentSignature(signed, { trust, now: () => new Date(t0.getTime() - 60_000) });
    expect(calls()).to.equal(3);
  });

  it('a certificate past its notAfter is refused even right after a cached success', () => {
    const trust = createTrustList(listData(), { now: () => t0 });
    const leaf = chain[0]!.info;
    const justBefore = new Date(leaf.notAfter.getTime() - 1000);
    expect(validateChainCached(trust, chain, justBefore).leaf.fingerprint).to.equal(leaf.fingerprint);
    try {
      validateChainCached(trust, chain, new Date(leaf.notAfter.getTime() + 1000));
      expect.fail('expected expired');
    } catch (e) {
      expect((e as GatewayError).code).to.equal('CERTIFICATE_UNTRUSTED');
      expect((e as GatewayError).details.reason).to.equal('expired');
    }
  });

  it('a revocation takes effect at once: the new trust-list instance does not see the old success', async () => {
    // certs-example/test-only/hospital-shanghai-revoked is revoked in the example list: a list
    // without that revocation accepts it (and caches the success); the real list refuses it at once.
    const r = participantKey('test-only/hospital-shanghai-revoked');
    const doc = await signDocument(corpusBundle(), { key: r.key, chain: parsePemCertificates(r.chainPem), now: () => t0 });
    const data = listData();
    expect(data.revoked?.length).to.be.greaterThan(0);
    const before = createTrustList({ ...data, revoked: [] }, { now: () => t0 });
    await verifyDocumentSignature(doc, { trust: before, now: () => t0 });
    const revokedList = createTrustList(data, { now: () => t0 });
    expect(await codeOf(verifyDocumentSignature(doc, { trust: revokedList, now: () => t0 }))).to.deep.equal({ code: 'CERTIFICATE_UNTRUSTED', reason: 'revoked' });
    // …and the old instance is unaffected (it is immutable by design).
    await verifyDocumentSignature(doc, { trust: before, now: () => t0 });
  });

  it('a failure is never cached: an unknown-CA chain is refused every time', async () => {
    const trust = createTrustList(listData(), { now: () => t0 });
    const bad = participantKey('test-only/untrusted-hospital');
    const other = await signDocument(corpusBundle(), { key: bad.key, chain: parsePemCertificates(bad.chainPem), now: () => t0 });
    for (let i = 0; i < 2; i++) {
      expect((await codeOf(verifyDocumentSignature(other, { trust, now: () => t0 }))).code).to.equal('CERTIFICATE_UNTRUSTED');
    }
  });

  it('signing with a key that does not match the certificate stays a TypeError after a matching pair was remembered', async () => {
    await signDocument(corpusBundle(), { key, chain, now: () => t0 });
    const wrong = participantKey('hospital-hainan-example').key;
    let err: unknown;
    try {
      await signDocument(corpusBundle(), { key: wrong, chain, now: () => t0 });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(TypeError);
  });

  it('a document holding a lone surrogate is refused as malformed (no RFC 8785 form), not a crash', async () => {
    const trust = createTrustList(listData(), { now: () => t0 });
    const bad = JSON.parse(JSON.stringify(signed).replace(/"language":"[^"]*"/, '"language":"\\ud800"')) as Bundle;
    expect(bad.language).to.equal('\ud800');
    expect(await codeOf(verifyDocumentSignature(bad, { trust, now: () => t0 }))).to.deep.equal({ code: 'SIGNATURE_INVALID', reason: 'malformed' });
  });
});
