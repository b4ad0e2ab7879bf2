import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyChain } from '../../../src/audit/chain.js';
import { createSqlAuditLog } from '../../../src/store/sql/audit.js';
import { postgresDb, type TestDb } from './support/databases.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

function runWorker(url: string, name: string, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'support/append-worker.ts'), url, name, String(count)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${name} exited ${code}: ${err}`))));
  });
}

if (TEST_DATABASE_URL) {
  describe('audit/sql: two gateway processes appending to one PostgreSQL', function () {
    this.timeout(180_000);
    let t: TestDb;
    before(async () => (t = await postgresDb(TEST_DATABASE_URL)));
    after(async () => t?.drop());

    it('writes one unbroken chain of 1,000 entries from 2 × 500 concurrent appends', async () => {
      const outs = await Promise.all([runWorker(t.url!, 'worker-a', 500), runWorker(t.url!, 'worker-b', 500)]);
      expect(outs.join('')).to.contain('worker-a appended 500').and.to.contain('worker-b appended 500');
      const log = createSqlAuditLog(t.db);
      const r = await verifyChain(log.iterate(), [], async () => {
        throw new Error('no checkpoints');
      });
      expect(r).to.include({ ok: true, checked: 1000 });
      // The two processes really interleaved: the chain switches writer more than once.
      const writers = (await t.db.query<{ w: string }>(`SELECT agent_keys[1] AS w FROM audit_log ORDER BY seq`, [])).rows.map((x) => x.w);
      const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
      expect(new Set(writers)).to.have.property('size', 2);
      expect(switches).to.be.above(1);
    });
  });
} else {
  console.log('audit/sql two-process test SKIPPED: TEST_DATABASE_URL is not set (it needs a PostgreSQL server)');
}
