/**
 * src/gateway/delivery-cache.ts: the key separates consent versions, document versions, languages
 * and permits; concurrent requests share one delivery; a failed delivery is not kept; entries are
 * frozen, expire, and the cache stays within its entry and size bounds.
 */
import { expect } from 'chai';
import type { Permit } from '../../../src/consent/index.js';
import type { Bundle } from '../../../src/fhir/types.js';
import { createDeliveryCache, deliveredJson, type DeliveryKey } from '../../../src/gateway/delivery-cache.js';

const permit: Permit = {
  permit: true, consentId: 'c1', allowedSections: 'all', exportResidentId: false, exportEthnicity: false, exportGenomic: false,
  processingMethod: 'treatment' as Permit['processingMethod'], legalBasis: 'consent' as Permit['legalBasis'],
};
const key: DeliveryKey = { consentId: 'c1', consentVersion: 1, documentId: 'd1', documentVersion: 1, target: 'en', emergency: false, permit };
const bundle = (n: number): Bundle => ({ resourceType: 'Bundle', type: 'document', id: `b${n}`, entry: [{ resource: { resourceType: 'Basic', id: 'x'.repeat(n) } }] } as Bundle);

describe('perf: delivery cache', () => {
  it('reuses a delivery for the same key and makes a new one when any part of the key differs', async () => {
    let t = 0;
    let produced = 0;
    const c = createDeliveryCache({ now: () => t });
    const produce = async () => bundle(++produced);
    const a = await c.get(key, produce);
    expect(await c.get({ ...key }, produce)).to.equal(a);
    const variants: DeliveryKey[] = [
      { ...key, consentVersion: 2 }, { ...key, documentVersion: 2 }, { ...key, target: 'zh-CN' }, { ...key, documentId: 'd2' },
      { ...key, consentId: 'c2' }, { ...key, emergency: true }, { ...key, permit: { ...permit, allowedSections: ['11348-0'] } },
      { ...key, permit: { ...permit, exportResidentId: true } },
    ];
    for (const v of variants) expect((await c.get(v, produce)).id, JSON.stringify(v)).to.not.equal(a.id);
    expect(produced).to.equal(1 + variants.length);
    expect(c.stats()).to.include({ hits: 1, misses: 1 + variants.length });
    t += 10 * 60_000; // past the maximum age
    expect((await c.get(key, produce)).id).to.not.equal(a.id);
  });

  it('shares one delivery among concurrent requests and forgets a failed one', async () => {
    let calls = 0;
    const c = createDeliveryCache({ now: () => 0 });
    const slow = () => new Promise<Bundle>((resolve) => setTimeout(() => resolve(bundle(++calls)), 10));
    const all = await Promise.all(Array.from({ length: 20 }, () => c.get(key, slow)));
    expect(calls).to.equal(1);
    expect(new Set(all).size).to.equal(1);
    const k2 = { ...key, documentId: 'fails' };
    let failures = 0;
    const failing = async (): Promise<Bundle> => {
      failures++;
      throw new Error('signing failed');
    };
    for (let i = 0; i < 2; i++) {
      const e = await c.get(k2, failing).then(() => undefined, (x: Error) => x);
      expect(e?.message).to.equal('signing failed');
    }
    expect(failures, 'a failure is not cached').to.equal(2);
  });

  it('hands out frozen documents', async () => {
    const c = createDeliveryCache({ now: () => 0 });
    const b = await c.get(key, async () => bundle(3));
    const resource = b.entry![0]!.resource as { id: string };
    expect(Reflect.set(resource, 'id', 'changed'), 'nested resource is read-only').to.equal(false);
    expect(Reflect.set(b, 'id', 'changed'), 'the Bundle is read-only').to.equal(false);
    expect(resource.id).to.equal('xxx');
  });

  it('keeps the JSON text of each delivery, identical to serialising it, and none for other objects', async () => {
    const c = createDeliveryCache({ now: () => 0 });
    const b = await c.get(key, async () => bundle(5));
    expect(deliveredJson(b)).to.equal(JSON.stringify(b));
    expect(deliveredJson(await c.get(key, async () => bundle(9))), 'a hit: the same text').to.equal(JSON.stringify(bundle(5)));
    const other = await c.get({ ...key, documentVersion: 2 }, async () => bundle(7));
    expect(deliveredJson(other)).to.equal(JSON.stringify(bundle(7)));
    expect(deliveredJson(bundle(5)), 'not a delivery of the cache').to.equal(undefined);
  });

  it('stays within its entry and size bounds, dropping the least recently used first', async () => {
    const c = createDeliveryCache({ now: () => 0, maxEntries: 3, maxChars: 1_000_000 });
    for (let i = 1; i <= 3; i++) await c.get({ ...key, documentId: `d${i}` }, async () => bundle(i));
    await c.get({ ...key, documentId: 'd1' }, async () => bundle(99)); // d1 used again: d2 is now the oldest
    await c.get({ ...key, documentId: 'd4' }, async () => bundle(4));
    expect(c.stats().entries).to.equal(3);
    let again = 0;
    await c.get({ ...key, documentId: 'd1' }, async () => bundle(++again));
    await c.get({ ...key, documentId: 'd2' }, async () => bundle(++again));
    expect(again, 'd1 kept, d2 evicted').to.equal(1);

    const small = createDeliveryCache({ now: () => 0, maxChars: 5_000 });
    for (let i = 0; i < 10; i++) await small.get({ ...key, documentId: `s${i}` }, async () => bundle(2_000));
    expect(small.stats().chars).to.be.at.most(5_000);
    expect(small.stats().entries).to.be.at.most(2);
  });
});
