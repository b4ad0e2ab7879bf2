/**
 * Graceful shutdown (issue 2): on SIGTERM the gateway stops accepting, lets the in-flight request
 * finish (a submission whose body is still arriving is stored and acknowledged), writes its final
 * audit checkpoint, closes the store and exits 0.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/server.js';
import { accessToken, client } from '../support/clients.js';
import { openStore } from '../../src/store/index.js';

function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/server.ts')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
}

describe('graceful shutdown', function () {
  this.timeout(120000);
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'emr-shutdown-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finishes a submission in flight at SIGTERM, then exits 0', async () => {
    const { child, url } = await startChild(dataDir);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const token = await accessToken(url, client('hospital', 0));
    const body = Buffer.from(readFileSync(path.join(repoRoot, 'test/fixtures/cn-lap-chole.json'), 'utf8'));
    const { port } = new URL(url);
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/fhir/Bundle', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', 'content-length': body.length } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 1000));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(1000)), 500);
      }, 200);
    });
    const res = await response;
    expect(res.status, res.text.slice(0, 300)).to.equal(201);
    const id = JSON.parse(res.text).id as string;
    expect(await exited).to.equal(0);
    const store = await openStore({ dataDir });
    try {
      expect((await store.documents.get(id))?.versionId).to.equal(1);
      let checkpoints = 0;
      for await (const _ of store.audit.checkpoints()) checkpoints++;
      expect(checkpoints, 'checkpoint written at shutdown').to.be.at.least(1);
    } finally {
      await store.close();
    }
  });
});
