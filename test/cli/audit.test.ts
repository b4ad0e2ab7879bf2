/**
 * `emr-gateway audit verify / export` on the store a real gateway wrote: the HTTP server produces
 * entries (submissions, reads) and a signed checkpoint at shutdown, then — the server closed, since
 * PGlite is single-process — the CLI opens the same DATA_DIR with the same configuration: exit 0
 * intact (checkpoint verified with the gateway key), NDJSON export per patient, and exit 3 naming
 * the first broken entry once a row is changed with SQL.
 */
import { expect } from 'chai';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openPglite } from '../../src/store/pglite.js';
import { accessToken, client } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { certs, cli, fixtures, tempDir } from './support.js';

const RESIDENT = 'urn:oid:2.16.156.10011.1.3|46900219751105013X'; // cn-lap-chole.json's patient

describe('cli: emr-gateway audit verify / export on a gateway store', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dataDir: string;
  let outDir: string;
  const ids: string[] = [];

  before(async () => {
    server = await startTestServer();
    dataDir = server.dataDir;
    const token = await accessToken(server.url, client('hospital', 1));
    const doc = JSON.parse(readFileSync(path.join(fixtures, 'cn-lap-chole.json'), 'utf8'));
    for (let i = 0; i < 3; i++) {
      doc.identifier = { system: 'urn:oid:2.16.156.10011.1.1', value: `CLI-AUDIT-${i}` };
      const res = await fetch(`${server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(doc) });
      expect(res.status).to.equal(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const read = await fetch(`${server.base}/Bundle/${ids[0]}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).to.equal(200);
    await server.stop(); // keeps DATA_DIR; writes the shutdown checkpoint
    outDir = tempDir('audit');
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });

  it('verify exits 0 on the intact chain, the shutdown checkpoint verified with the gateway key', async () => {
    const r = await cli(['audit', 'verify'], { DATA_DIR: dataDir });
    expect(r.code, r.err).to.equal(0);
    const m = /intact: (\d+) entries, (\d+) signed checkpoints/.exec(r.out);
    expect(m, r.out).to.not.equal(null);
    expect(Number(m![1])).to.be.at.least(4); // 3 submissions + 1 read (token requests may add more)
    expect(Number(m![2])).to.be.at.least(1);
  });

  it('export writes the patient\'s AuditEvents as NDJSON and prints the accounting of disclosures', async () => {
    const out = path.join(outDir, 'events.ndjson');
    const r = await cli(['audit', 'export', '--patient', RESIDENT, '--from', '2000-01-01', '--to', '2100-01-01', '--out', out], { DATA_DIR: dataDir });
    expect(r.code, r.err).to.equal(0);
    const events = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events.every((e) => e.resourceType === 'AuditEvent')).to.equal(true);
    const entities = events.flatMap((e) => (e.entity ?? []).map((x: { what?: { reference?: string } }) => x.what?.reference));
    for (const id of ids) expect(entities).to.include(`Bundle/${id}`);
    expect(r.err).to.match(/exported \d+ audit events, 0 disclosures/); // the hospital's own acts are no disclosures
    const none = await cli(['audit', 'export', '--patient', RESIDENT, '--from', '2000-01-01', '--to', '2000-01-02', '--out', out], { DATA_DIR: dataDir });
    expect(none.code).to.equal(0);
    expect(readFileSync(out, 'utf8')).to.equal('');
  });

  it('verify exits 3 when the checkpoints do not verify with the configured gateway key (another CERTS_DIR)', async () => {
    const other = path.join(outDir, 'other-certs');
    mkdirSync(other);
    copyFileSync(path.join(certs, 'hospital-shanghai-example.key.pem'), path.join(other, 'gateway.key.pem'));
    copyFileSync(path.join(certs, 'hospital-shanghai-example.cert.pem'), path.join(other, 'gateway.cert.pem'));
    const r = await cli(['audit', 'verify'], { DATA_DIR: dataDir, CERTS_DIR: other });
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/BROKEN at entry \d+: \S+/);
  });

  it('verify exits 3 naming the first broken entry after a row was changed with SQL', async () => {
    const db = await openPglite(dataDir);
    try {
      await db.transaction(async (tx) => {
        await tx.query('ALTER TABLE audit_log DISABLE TRIGGER USER', []);
        await tx.query(`UPDATE audit_log SET event = replace(event, '"AuditEvent"', '"AuditEvenT"') WHERE seq = 2`, []);
        await tx.query('ALTER TABLE audit_log ENABLE TRIGGER USER', []);
      });
    } finally {
      await db.close();
    }
    const r = await cli(['audit', 'verify'], { DATA_DIR: dataDir });
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/BROKEN at entry 2: \S+/);
  });
});
