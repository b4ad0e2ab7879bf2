/**
 * The PGlite template (src/store/pglite-template.ts): a first start that unpacks it gives the same
 * database as initdb — migrations run on it, data survives a restart — and a template that is stale
 * (another PGlite version), damaged, or fails to unpack is never used: initdb runs instead.
 */
import { expect } from 'chai';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createStore } from '../../src/store/index.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations.js';
import { openPglite } from '../../src/store/pglite.js';
import { installedPgliteVersion, readPgliteTemplate, writePgliteTemplate } from '../../src/store/pglite-template.js';
import type { Bundle } from '../../src/fhir/types.js';
import { templateBlob } from './template-db.js';

const doc = {
  id: 't1',
  identifier: { system: 'urn:oid:2.16.156.10011.1.1', value: 'TPL-1' },
  contentHash: 'h-t1',
  submitter: 'hospital-a',
  patientIdentifiers: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '110105194912310029' }],
  lastUpdated: '2026-11-23T08:00:00.000Z',
  resource: { resourceType: 'Bundle', id: 't1', type: 'document', identifier: { system: 'urn:oid:2.16.156.10011.1.1', value: 'TPL-1' } } as Bundle,
};

describe('PGlite template data directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'emr-tpl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('unpacks on a first start; every migration runs on it, and data survives a restart', async () => {
    const dataDir = path.join(dir, 'data');
    const db = await openPglite(dataDir, { template: await templateBlob() });
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).to.equal(true);
    expect(await migrate(db)).to.deep.equal(MIGRATIONS.map((m) => m.version));
    const store = await createStore(db);
    await store.withTransaction((tx) => tx.documents.insertVersion(doc, 1));
    await store.close();

    // Restart on the existing directory: resumed as it is, template not needed.
    const again = await openPglite(dataDir, { template: false });
    expect(await migrate(again)).to.deep.equal([]);
    const restarted = await createStore(again);
    expect((await restarted.documents.get('t1'))?.resource).to.deep.equal(doc.resource);
    await restarted.close();
  });

  it('is read only when its stamp names the installed PGlite and its digest matches', async () => {
    const file = path.join(dir, 'pglite-template.tgz');
    const bytes = Buffer.from(await (await templateBlob()).arrayBuffer());
    writeFileSync(file, bytes);
    const stamp = { pglite: installedPgliteVersion(), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    const variant = (name: string, s: object, content: Buffer = bytes) => {
      const f = path.join(dir, `${name}.tgz`);
      writeFileSync(f, content);
      writeFileSync(`${f}.json`, JSON.stringify(s));
      return f;
    };
    expect(readPgliteTemplate(variant('good', stamp))).to.be.instanceOf(Blob);
    expect(readPgliteTemplate(variant('other-version', { ...stamp, pglite: '0.0.1' }))).to.equal(undefined);
    const damaged = Buffer.from(bytes);
    damaged[damaged.length >> 1]! ^= 0xff;
    expect(readPgliteTemplate(variant('damaged', stamp, damaged))).to.equal(undefined);
    expect(readPgliteTemplate(variant('truncated', stamp, bytes.subarray(0, 1000)))).to.equal(undefined);
    copyFileSync(file, path.join(dir, 'no-stamp.tgz'));
    expect(readPgliteTemplate(path.join(dir, 'no-stamp.tgz'))).to.equal(undefined);
    expect(readPgliteTemplate(path.join(dir, 'absent.tgz'))).to.equal(undefined);
  });

  it('writes an archive with its stamp that reads back', async () => {
    const file = path.join(dir, 'made.tgz');
    const stamp = await writePgliteTemplate(file);
    expect(stamp.pglite).to.equal(installedPgliteVersion());
    expect(JSON.parse(readFileSync(`${file}.json`, 'utf8'))).to.deep.equal(stamp);
    expect(readPgliteTemplate(file)?.size).to.equal(stamp.bytes);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('falls back to initdb when the archive does not unpack', async () => {
    const dataDir = path.join(dir, 'data');
    // Half of the tar, gzipped whole: base/, global/, pg_wal/… unpack, then PostgreSQL cannot start.
    // (A cut gzip stream is not used: PGlite 0.5.16 lets that zlib error escape as an uncaught one.)
    const tar = gunzipSync(Buffer.from(await (await templateBlob()).arrayBuffer()));
    const db = await openPglite(dataDir, { template: new Blob([gzipSync(tar.subarray(0, tar.length >> 1))]) });
    const store = await createStore(db);
    await store.withTransaction((tx) => tx.documents.insertVersion(doc, 1));
    expect((await store.documents.get('t1'))?.versionId).to.equal(1);
    await store.close();
  });
});
