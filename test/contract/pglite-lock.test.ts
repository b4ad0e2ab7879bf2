/**
 * The embedded store serves one process: a second opener of the same DATA_DIR is refused with a
 * coded error while the first holds it; a lock left by a dead process is taken over.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { lockDataDir } from '../../src/store/dir-lock.js';
import { GatewayError } from '../../src/errors.js';
import { openPglite } from '../../src/store/pglite.js';

describe('embedded store directory lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'emr-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a directory held by another live process', () => {
    writeFileSync(path.join(dir, 'gateway.lock'), String(process.ppid));
    try {
      lockDataDir(dir);
      expect.fail('locked twice');
    } catch (e) {
      expect(e).to.be.instanceOf(GatewayError);
      expect((e as GatewayError).code).to.equal('STORE_UNAVAILABLE');
    }
  });

  it('takes over the lock of a process that no longer runs', () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(path.join(dir, 'gateway.lock'), dead.stdout.trim());
    const release = lockDataDir(dir);
    release();
  });

  it('releases the lock when the store closes, so it can be opened again', async () => {
    const db = await openPglite(dir);
    await db.close();
    const again = await openPglite(dir);
    await again.close();
  });
});
