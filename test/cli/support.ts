/**
 * Runs the `emr-gateway` command line in-process (main(argv, io)) with captured output and an
 * environment that points at certs-example/ and a temporary DATA_DIR, like `npm start` would.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { repoRoot } from '../support/server.js';

export { repoRoot };
export const certs = path.join(repoRoot, 'certs-example');
export const fixtures = path.join(repoRoot, 'test/fixtures');
export const shared = path.resolve(repoRoot, '../shared');

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export const baseEnv = (): Record<string, string> => ({
  CERTS_DIR: certs,
  TRUST_LIST: path.join(certs, 'trust-list.json'),
  LOG_LEVEL: 'silent',
});

export async function cli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...baseEnv(), ...env } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `emr-cli-${prefix}-`));
}
