/**
 * Contract of AuditLog.appendChainedMany on PGlite and PostgreSQL (issue 10): a group commit's
 * batch appended under one lock, one head read and one multi-row INSERT is the SAME chain as the
 * entries appended one by one — each entry its own link, numbered and hashed in order — and it
 * verifies with `audit verify`.
 */
import { expect } from 'chai';
import { generateKeyPair } from 'jose';
import { chainLink } from '../../src/audit/chain.js';
import { auditVerify } from '../../src/audit/commands.js';
import { buildAuditEvent } from '../../src/audit/events.js';
import { createStore } from '../../src/store/index.js';
import type { AuditRecord, Store } from '../../src/store/ports.js';
import { testDatabases } from '../support/databases.js';
import { OBSERVER, facts } from '../unit/audit/support/fixtures.js';

const N = 40;
const events = (from: number) => Array.from({ length: N }, (_, i) => buildAuditEvent(facts(from + i), OBSERVER));
const chainForm = (records: AuditRecord[]) => records.map((r) => ({ seq: r.seq, prevHash: r.prevHash, hash: r.hash, canonical: r.canonical }));

async function all(store: Store): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of store.audit.iterate()) out.push(r);
  return out;
}

for (const tdb of testDatabases()) {
  describe(`audit batch append contract on ${tdb.name}`, function () {
    this.timeout(60_000);
    let keys: CryptoKey;
    before(async () => {
      keys = (await generateKeyPair('ES256')).publicKey;
    });

    it(`${N} entries appended as one batch verify and equal ${N} single appends' chain form`, async () => {
      const single = await createStore(await tdb.open());
      const batched = await createStore(await tdb.open());
      try {
        // Same prefix on both, so the batch starts from a non-genesis head.
        for (const e of events(1).slice(0, 3)) {
          await single.audit.appendChained(chainLink(e));
          await batched.audit.appendChained(chainLink(e));
        }
        for (const e of events(100)) await single.audit.appendChained(chainLink(e));
        const returned = await batched.audit.appendChainedMany(events(100).map((e) => chainLink(e)));
        expect(returned.map((r) => r.seq)).to.deep.equal(Array.from({ length: N }, (_, i) => 4 + i));

        const a = await all(single);
        const b = await all(batched);
        expect(b).to.have.length(N + 3);
        expect(chainForm(b)).to.deep.equal(chainForm(a));
        expect(chainForm(returned)).to.deep.equal(chainForm(b.slice(3)));
        for (let i = 1; i < b.length; i++) expect(b[i]!.prevHash).to.equal(b[i - 1]!.hash);

        const report = await auditVerify(batched.audit, keys);
        expect(report.exitCode, report.summary).to.equal(0);
        expect(report.result.checked).to.equal(N + 3);
        // The search columns are filled for every row of the multi-row INSERT.
        const found = await batched.audit.search({
          patient: [], patientIdentifier: [], agent: [], entity: [], type: [], subtype: [], outcome: [['0']],
          recordedFrom: [], recordedBefore: [], sort: 'seq', count: 0, offset: 0,
        });
        const foundSingle = await single.audit.search({
          patient: [], patientIdentifier: [], agent: [], entity: [], type: [], subtype: [], outcome: [['0']],
          recordedFrom: [], recordedBefore: [], sort: 'seq', count: 0, offset: 0,
        });
        expect(found.total).to.equal(foundSingle.total).and.to.be.greaterThan(0);
      } finally {
        await single.close();
        await batched.close();
      }
    });

    it('an empty batch writes nothing; a build that misnumbers its event fails the whole batch', async () => {
      const store = await createStore(await tdb.open());
      try {
        expect(await store.audit.appendChainedMany([])).to.deep.equal([]);
        const good = chainLink(buildAuditEvent(facts(1), OBSERVER));
        const bad = (h: Parameters<typeof good>[0]) => ({ ...good(h), event: { ...good(h).event, id: '999' } });
        const err = await store.audit.appendChainedMany([good, bad]).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(TypeError);
        expect(await store.audit.head()).to.equal(null);
      } finally {
        await store.close();
      }
    });
  });
}
