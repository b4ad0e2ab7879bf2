import { expect } from 'chai';
import { Command } from 'commander';
import { generateKeyPair } from 'jose';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chainLink } from '../../../src/audit/chain.js';
import { signCheckpoint } from '../../../src/audit/checkpoint.js';
import { buildAuditEvent } from '../../../src/audit/events.js';
import { auditRegistrar, type AuditCliDeps } from '../../../src/cli/audit.js';
import type { Database } from '../../../src/store/db.js';
import { createStore } from '../../../src/store/index.js';
import { openPglite } from '../../../src/store/pglite.js';
import type { Store } from '../../../src/store/ports.js';
import { asAttacker } from './support/databases.js';
import { OBSERVER, RESIDENT_ID, facts } from './support/fixtures.js';

describe('cli: emr-gateway audit verify / export', function () {
  this.timeout(60_000);
  let store: Store;
  let db: Database;
  let keys: CryptoKey;
  let dir: string;
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} };

  before(async () => {
    db = await openPglite();
    store = await createStore(db);
    const kp = await generateKeyPair('ES256');
    keys = kp.publicKey;
    for (let i = 1; i <= 20; i++) await store.audit.appendChained(chainLink(buildAuditEvent(facts(i), OBSERVER)));
    await store.audit.addCheckpoint(await signCheckpoint(await store.audit.head(), new Date(), { key: kp.privateKey, kid: 'gw', alg: 'ES256' }));
    dir = mkdtempSync(path.join(os.tmpdir(), 'audit-cli-'));
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(argv: string[]): Promise<number> {
    out.length = 0;
    err.length = 0;
    let exit = 0;
    const program = new Command('emr-gateway').exitOverride();
    // the store stays open across runs in this test: close is a no-op here
    const deps: AuditCliDeps = { store: { audit: store.audit, close: async () => undefined }, keys };
    auditRegistrar(async () => deps)(program, io, (c) => (exit = c));
    await program.parseAsync(argv, { from: 'user' });
    return exit;
  }

  it('exports NDJSON and the accounting of disclosures for a patient and period', async () => {
    const ndjson = path.join(dir, 'events.ndjson');
    const csv = path.join(dir, 'disclosures.csv');
    const code = await run(['audit', 'export', '--patient', `${RESIDENT_ID.system}|${RESIDENT_ID.value}`, '--from', '2025-01-01T00:00:05Z', '--to', '2025-01-01T00:00:09Z', '--out', ndjson, '--disclosures', csv]);
    expect(code).to.equal(0);
    const lines = readFileSync(ndjson, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).to.deep.equal(['5', '6', '7', '8', '9']);
    expect(readFileSync(csv, 'utf8').split('\r\n').filter(Boolean)).to.have.length(6);
  });

  it('verify exits 0 on an intact chain and 3 naming the entry once one is modified', async () => {
    expect(await run(['audit', 'verify'])).to.equal(0);
    expect(out.join('\n')).to.contain('intact: 20 entries, 1 signed checkpoints');
    await asAttacker(db, [{ sql: `UPDATE audit_log SET event = replace(event, 'doc-', 'DOC-') WHERE seq = 13` }]);
    expect(await run(['audit', 'verify'])).to.equal(3);
    expect(err.join('\n')).to.contain('BROKEN at entry 13: content-modified');
  });
});
