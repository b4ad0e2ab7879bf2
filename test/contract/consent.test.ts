/**
 * Contract of the consent SQL ports (src/consent/ports.ts) on PGlite and PostgreSQL: versions
 * append-only, links looked up by hash, the passcode budget consumed exactly under parallel calls,
 * single-use file tickets and invitations, and the export ceiling under parallel admissions.
 */
import { expect } from 'chai';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/ports.js';
import type { ConsentRecord, LinkRecord } from '../../src/consent/index.js';
import { testDatabases } from '../support/databases.js';

const patient = { system: 'urn:oid:2.16.156.10011.1.3', value: '440106196309220486' };
const consent = (id: string, versionId: number, status = 'active', key = 'k1'): ConsentRecord => ({
  id, versionId, key, patient, recipientId: 'org-toronto-heart-example', hospitalId: 'org-shanghai-example', status,
  end: '2099-01-01T00:00:00.000Z', recorded: `2026-11-23T08:00:0${versionId}.000Z`,
  resource: { resourceType: 'Consent', id, status, meta: { versionId: String(versionId) } },
});
const link = (hash: string, budget = 10): LinkRecord => ({
  hash, kind: 'shl', consentId: 'c1', passcodeHash: 'scrypt$x', key: 'k'.repeat(43), failures: 0, budget, active: true,
  created: '2026-11-23T08:00:00.000Z', expires: '2099-01-01T00:00:00.000Z',
});

for (const tdb of testDatabases()) {
  describe(`consent store contract on ${tdb.name}`, function () {
    let store: Store;
    beforeEach(async () => {
      store = await createStore(await tdb.open());
    });
    afterEach(() => store.close());

    it('appends versions, refuses a duplicate version, finds current and active-by-key', async () => {
      const c = store.consent.consents;
      await c.saveVersion(consent('c1', 1));
      await c.saveVersion(consent('c1', 2, 'inactive'));
      let code: string | undefined;
      try {
        await c.saveVersion(consent('c1', 2));
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code).to.equal('23505');
      expect((await c.getCurrent('c1'))?.versionId).to.equal(2);
      expect(await c.findActiveByKey('k1')).to.equal(undefined);
      await c.saveVersion(consent('c2', 1, 'active', 'k1'));
      expect((await c.findActiveByKey('k1'))?.id).to.equal('c2');
      const list = await c.listByPatient(patient);
      expect(list.map((r) => `${r.id}/${r.versionId}`).sort()).to.deep.equal(['c1/2', 'c2/1']);
      expect(list[0]!.resource.resourceType).to.equal('Consent');
    });

    it('consumes exactly the passcode budget under 20 parallel failures, then the link is inactive', async () => {
      await store.consent.links.create(link('h-budget', 10));
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consent.links.recordFailedAttempt('h-budget')));
      const counted = results.filter((r) => r !== undefined);
      expect(counted).to.have.length(10);
      expect(counted.map((r) => r!.remainingAttempts).sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(counted.filter((r) => r!.disabled)).to.have.length(1);
      const after = await store.consent.links.findByHash('h-budget');
      expect(after).to.include({ failures: 10, active: false });
      expect(await store.consent.links.recordFailedAttempt('h-budget')).to.equal(undefined);
    });

    it('deactivates the links of a consent and lists them', async () => {
      await store.consent.links.create(link('h-a'));
      await store.consent.links.create({ ...link('h-b'), kind: 'management', passcodeHash: null, key: null, budget: 0 });
      expect(await store.consent.links.deactivateByConsent('c1', 'shl')).to.equal(1);
      expect((await store.consent.links.findByHash('h-b'))?.active).to.equal(true);
      expect(await store.consent.links.deactivateByConsent('c1')).to.equal(1);
      expect(await store.consent.links.deactivateByConsent('c1')).to.equal(0);
      expect((await store.consent.links.listByConsent('c1')).map((l) => l.active)).to.deep.equal([false, false]);
      expect(await store.consent.links.findByHash('unknown')).to.equal(undefined);
    });

    it('uses a file ticket once and never after it expired', async () => {
      const t = { hash: 't1', linkHash: 'h', consentId: 'c1', documentId: 'd1', recipient: 'Dr Who', expires: '2026-11-23T09:00:00.000Z' };
      await store.consent.files.create(t);
      await store.consent.files.create({ ...t, hash: 't2' });
      const both = await Promise.all([store.consent.files.consume('t1', '2026-11-23T08:00:00.000Z'), store.consent.files.consume('t1', '2026-11-23T08:00:00.000Z')]);
      expect(both.filter(Boolean)).to.have.length(1);
      expect(both.find(Boolean)).to.include({ documentId: 'd1', recipient: 'Dr Who' });
      expect(await store.consent.files.consume('t2', '2026-11-23T09:00:00.000Z')).to.equal(undefined);
    });

    it('uses an invitation once (parallel consumers), refuses expired ones', async () => {
      const inv = { hash: 'i1', hospitalId: 'org-shanghai-example', patient, documents: ['d1'], created: '2026-11-23T08:00:00.000Z', expires: '2026-11-26T08:00:00.000Z', used: null };
      await store.consent.invitations.create(inv);
      expect((await store.consent.invitations.peek('i1', '2026-11-23T09:00:00.000Z'))?.documents).to.deep.equal(['d1']);
      expect(await store.consent.invitations.peek('i1', '2026-11-27T00:00:00.000Z')).to.equal(undefined);
      const used = await Promise.all(Array.from({ length: 5 }, () => store.consent.invitations.consume('i1', '2026-11-23T09:00:00.000Z')));
      expect(used.filter(Boolean)).to.have.length(1);
      expect(await store.consent.invitations.peek('i1', '2026-11-23T09:00:00.000Z')).to.equal(undefined);
    });

    it('admits distinct persons up to the ceiling under parallel exports; repeats are not counted', async () => {
      const led = store.consent.ledger;
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => led.admitPerson('org-a', 2026, `p${i}`, 5)));
      expect(results.filter((r) => r === 'recorded')).to.have.length(5);
      expect(results.filter((r) => r === 'refused')).to.have.length(3);
      expect(await led.countDistinct('org-a', 2026)).to.equal(5);
      const admitted = results.map((r, i) => (r === 'recorded' ? `p${i}` : '')).filter(Boolean);
      expect(await led.admitPerson('org-a', 2026, admitted[0]!, 5)).to.equal('existing');
      expect(await led.hasPerson('org-a', 2026, admitted[0]!)).to.equal(true);
      expect(await led.admitPerson('org-a', 2027, 'p7', 5)).to.equal('recorded');
      expect(await led.recordPerson('org-b', 2026, 'x')).to.equal(true);
      expect(await led.recordPerson('org-b', 2026, 'x')).to.equal(false);
      expect(await store.consent.exportCounts()).to.deep.include({ hospitalId: 'org-a', year: 2026, persons: 5 });
    });
  });
}
