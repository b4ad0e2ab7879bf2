/**
 * Test support for the PGlite template (src/store/pglite-template.ts): the archive the build makes
 * (dist/pglite-template.tgz) when current, else one made once into a temp folder, and a database
 * opened on a fresh data directory unpacked from it — as the gateway's first start does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/store/db.js';
import { openPglite } from '../../src/store/pglite.js';
import { readPgliteTemplate, writePgliteTemplate } from '../../src/store/pglite-template.js';

let made: Promise<Blob> | undefined;

export function templateBlob(): Promise<Blob> {
  made ??= (async () => {
    const built = readPgliteTemplate();
    if (built) return built;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'emr-tpl-')), 'pglite-template.tgz');
    await writePgliteTemplate(file);
    const blob = readPgliteTemplate(file);
    if (!blob) throw new TypeError('the template just written does not read back');
    return blob;
  })();
  return made;
}

/** A new data directory created from the template; closing the database removes the directory. */
export async function openTemplateDataDir(): Promise<Database> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'emr-tpl-db-'));
  const db = await openPglite(dir, { template: await templateBlob() });
  return {
    ...db,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
