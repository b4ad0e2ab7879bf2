/**
 * Group commit of read-path audit entries (src/store/group-commit.ts) on the embedded store:
 * 200 concurrent appends make one unbroken chain that `audit verify` accepts, in arrival order,
 * in far fewer transactions than appends, each caller answered only after its commit; a failing
 * commit rejects every waiter with AUDIT_FAILED and leaves nothing behind; a unit's own refusal
 * fails that caller only.
 */
import { expect } from 'chai';
import { generateKeyPair } from 'jose';
import { auditVerify } from '../../../src/audit/commands.js';
import { createGroupCommit } from '../../../src/store/group-commit.js';
import { createAuditWriter } from '../../../src/compose/audit.js';
import { GatewayError } from '../../../src/errors.js';
import type { AuditNote } from '../../../src/gateway/deps.js';
import { createStore } from '../../../src/store/index.js';
import { openPglite } from '../../../src/store/pglite.js';
import type { Store, Stores } from '../../../src/store/ports.js';
import { OBSERVER, RESIDENT_ID, TREAT } from '../audit/support/fixtures.js';

describe('perf: audit group commit (read paths)', function () {
  this.timeout(60_000);
  let store: Store;
  let keys: CryptoKey;
  let t = Date.UTC(2025, 0, 1);
  const write = createAuditWriter({ clock: { now: () => new Date((t += 1000)) }, observer: OBSERVER });
  const note = (i: number): AuditNote => ({
    action: 'read', outcome: 'success', ctx: { requestId: `req-${i}`, sourceAddress: '203.0.113.7' },
    consentId: 'consent-1', patientIdentifiers: [RESIDENT_ID], documents: [`doc-${i}`], purposeOfUse: [TREAT],
  });
  /** The store with its transactions counted, and optionally a commit that fails. */
  const counted = (failCommit = false) => {
    let n = 0;
    const s: Pick<Store, 'withTransaction'> = {
      withTransaction: <T>(fn: (tx: Stores) => Promise<T>) => {
        n++;
        return store.withTransaction(async (tx) => {
          const r = await fn(tx);
          if (failCommit) throw new Error('could not write to file "pg_wal": No space left on device');
          return r;
        });
      },
    };
    return { s, count: () => n };
  };
  const requestIds = async () => {
    const out: string[] = [];
    for await (const r of store.audit.iterate(1)) out.push(JSON.stringify(r.event).match(/req-\d+/)?.[0] ?? '');
    return out;
  };

  before(async () => {
    store = await createStore(await openPglite());
    keys = (await generateKeyPair('ES256')).publicKey;
  });
  after(() => store?.close());

  it('200 concurrent appends: one unbroken chain in arrival order, far fewer transactions, each resolved after its commit', async () => {
    const { s, count } = counted();
    const g = createGroupCommit(s);
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        g.run((tx) => write(tx, note(i))).then(async () => {
          // Durable when answered: the entry is readable outside the batch's transaction.
          const head = await store.audit.head();
          expect(head!.seq).to.be.at.least(i + 1);
          done.push(i);
        })),
    );
    expect(done).to.have.length(200);
    expect(count(), 'transactions').to.be.below(20);
    expect(g.stats()).to.deep.equal({ transactions: count(), committedUnits: 200 });
    const report = await auditVerify(store.audit, keys);
    expect(report.exitCode, report.summary).to.equal(0);
    expect(report.result.checked).to.equal(200);
    expect(await requestIds()).to.deep.equal(Array.from({ length: 200 }, (_, i) => `req-${i}`));
  });

  it('a failing commit rejects every waiter of that transaction with AUDIT_FAILED and commits none of them', async () => {
    const before = await store.audit.head();
    const { s } = counted(true);
    const g = createGroupCommit(s);
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => g.run((tx) => write(tx, note(1000 + i))).then(() => 'ok', (e: unknown) => e)));
    for (const o of outcomes) {
      expect(o).to.be.instanceOf(GatewayError);
      expect((o as GatewayError).code).to.equal('AUDIT_FAILED');
      expect((o as GatewayError).message).to.not.match(/pg_wal|space/); // the database message stays in `cause`
    }
    expect(await store.audit.head()).to.deep.equal(before);
    expect(g.stats().committedUnits).to.equal(0);
  });

  it("a unit's own refusal (e.g. EXPORT_LIMIT) fails that caller only; the others commit on an intact chain", async () => {
    const before = (await store.audit.head())!.seq;
    const g = createGroupCommit(counted().s);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        g.run(async (tx) => {
          await write(tx, note(2000 + i));
          if (i === 17) throw new GatewayError('EXPORT_LIMIT', 'The exporting hospital may not transfer this record abroad now (ceiling-reached).');
          return i;
        }).then((v) => v, (e: GatewayError) => e.code)),
    );
    expect(outcomes.filter((o) => o === 'EXPORT_LIMIT')).to.have.length(1);
    expect(outcomes[17]).to.equal('EXPORT_LIMIT');
    expect(outcomes.filter((o) => typeof o === 'number')).to.have.length(39);
    expect((await store.audit.head())!.seq).to.equal(before + 39);
    const report = await auditVerify(store.audit, keys);
    expect(report.exitCode, report.summary).to.equal(0);
  });
});
