/**
 * An exclusive lock on the embedded database directory. PGlite serves one process
 * (capabilities.multiProcess = false): a second gateway or CLI process opening the same DATA_DIR
 * would corrupt it, so the store refuses to open while another live process holds the lock. A lock
 * left by a killed process (its pid no longer runs) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { GatewayError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'gateway.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new GatewayError(
          'STORE_UNAVAILABLE',
          `The embedded database in ${dir} is in use by process ${holder}. The embedded store serves one process; stop it first, or use PostgreSQL (DATABASE_URL) for several processes.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new GatewayError('STORE_UNAVAILABLE', `Could not lock ${dir}.`);
}
