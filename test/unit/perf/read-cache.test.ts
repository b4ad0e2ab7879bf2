/**
 * The embedded store's read cache (src/store/read-cache.ts): the current consent and document
 * head are served from memory only while no write could have changed them — a withdrawal saved
 * (alone or in a transaction) is seen by the very next read, a read that raced a write never puts
 * its value back, a rolled-back write leaves the committed version, and cached values are frozen.
 */
import { expect } from 'chai';
import type { ConsentRecord } from '../../../src/consent/ports.js';
import { createStore } from '../../../src/store/index.js';
import { openPglite } from '../../../src/store/pglite.js';
import type { NewDocument, Store } from '../../../src/store/ports.js';
import { VersionedCache, withReadCache } from '../../../src/store/read-cache.js';

const PATIENT = { system: 'urn:oid:2.16.156.10011.1.3', value: '440106196309220486' };

function consentVersion(versionId: number, status = 'active'): ConsentRecord {
  return {
    id: 'c-1', versionId, key: 'k-1', patient: PATIENT, recipientId: 'org-toronto', hospitalId: 'org-shanghai', status,
    end: '2099-01-01T00:00:00.000Z', recorded: new Date(Date.UTC(2025, 0, versionId)).toISOString(),
    resource: { resourceType: 'Consent', id: 'c-1', status, meta: { versionId: String(versionId) } } as unknown as ConsentRecord['resource'],
  };
}

function documentVersion(): NewDocument {
  return {
    id: 'd-1', identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:1' }, contentHash: 'h', submitter: 'hospital-1',
    patientIdentifiers: [PATIENT], lastUpdated: '2025-01-01T00:00:00.000Z', resource: { resourceType: 'Bundle', type: 'document' },
  };
}

describe('perf: embedded store read cache', function () {
  this.timeout(60_000);
  let store: Store;
  beforeEach(async () => {
    store = await createStore(await openPglite());
  });
  afterEach(() => store.close());

  it('serves the current consent from memory, frozen, until a new version is saved alone', async () => {
    await store.consent.consents.saveVersion(consentVersion(1));
    const a = await store.consent.consents.getCurrent('c-1');
    const b = await store.consent.consents.getCurrent('c-1');
    expect(b, 'the second read is the cached record').to.equal(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a!.resource) && Object.isFrozen(a!.patient)).to.equal(true);
    await store.consent.consents.saveVersion(consentVersion(2, 'inactive'));
    const c = await store.consent.consents.getCurrent('c-1');
    expect(c).to.include({ versionId: 2, status: 'inactive' });
  });

  it('a withdrawal committed in a transaction is seen by the next read; a rolled-back one is not', async () => {
    await store.consent.consents.saveVersion(consentVersion(1));
    expect((await store.consent.consents.getCurrent('c-1'))!.versionId).to.equal(1);
    await store
      .withTransaction(async (tx) => {
        await tx.consent.consents.saveVersion(consentVersion(2, 'inactive'));
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect((await store.consent.consents.getCurrent('c-1'))!.versionId, 'rollback: still v1').to.equal(1);
    await store.withTransaction((tx) => tx.consent.consents.saveVersion(consentVersion(2, 'inactive')));
    expect(await store.consent.consents.getCurrent('c-1')).to.include({ versionId: 2, status: 'inactive' });
  });

  it('a read running while a withdrawal commits does not put the old version back', async () => {
    await store.consent.consents.saveVersion(consentVersion(1));
    // A read and a withdrawal started together: whichever the database runs first, the cache must
    // hold nothing older than v2 afterwards.
    const [early] = await Promise.all([
      store.consent.consents.getCurrent('c-1'),
      store.withTransaction((tx) => tx.consent.consents.saveVersion(consentVersion(2, 'inactive'))),
    ]);
    expect([1, 2]).to.include(early!.versionId);
    expect((await store.consent.consents.getCurrent('c-1'))!.versionId).to.equal(2);
    expect((await store.consent.consents.getCurrent('c-1'))!.versionId).to.equal(2);
  });

  it('the document head follows insertVersion, in and out of transactions', async () => {
    const v1 = documentVersion();
    await store.documents.insertVersion(v1, 1);
    const h1 = await store.documents.currentVersion('d-1');
    expect(await store.documents.currentVersion('d-1')).to.equal(h1);
    expect(h1!.versionId).to.equal(1);
    await store.withTransaction((tx) => tx.documents.insertVersion(v1, 2));
    expect((await store.documents.currentVersion('d-1'))!.versionId).to.equal(2);
    await store.documents.insertVersion(v1, 3);
    expect((await store.documents.currentVersion('d-1'))!.versionId).to.equal(3);
    expect(await store.documents.currentVersion('unknown')).to.equal(undefined);
  });

  it('refuses to wrap a store several processes may share', () => {
    expect(() => withReadCache({ ...store, capabilities: { multiProcess: true } })).to.throw(TypeError);
  });
});

describe('perf: VersionedCache fill rules', () => {
  const deferred = <T>() => {
    let resolve!: (v: T) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('a read whose query overlapped a write is answered but not cached', async () => {
    const c = new VersionedCache<{ v: number }>();
    let loads = 0;
    const slow = deferred<{ v: number }>();
    const racing = c.read('x', () => (loads++, slow.promise));
    c.beginWrite('x');
    c.endWrite('x');
    slow.resolve({ v: 1 }); // read before the write committed: stale once it arrives
    expect((await racing)!.v).to.equal(1);
    expect(c.size).to.equal(0);
    expect((await c.read('x', async () => (loads++, { v: 2 })))!.v).to.equal(2);
    expect((await c.read('x', async () => (loads++, { v: 3 })))!.v, 'now cached').to.equal(2);
    expect(loads, "the third read was a hit").to.equal(2);
  });

  it('no read fills while a write is in flight, and the write drops the entry', async () => {
    const c = new VersionedCache<{ v: number }>();
    await c.read('x', async () => ({ v: 1 }));
    c.beginWrite('x');
    expect((await c.read('x', async () => ({ v: 2 })))!.v, 'entry dropped at write start').to.equal(2);
    expect(c.size, 'not filled during the write').to.equal(0);
    c.endWrite('x');
    expect((await c.read('x', async () => ({ v: 3 })))!.v).to.equal(3);
    expect(c.size).to.equal(1);
  });
});
