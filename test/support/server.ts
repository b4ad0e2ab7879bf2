/**
 * Starts the real gateway (composition, express, HTTP on an ephemeral loopback port) for HTTP
 * tests, on the embedded database in a temporary directory or on a PostgreSQL URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/server.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface TestServer extends RunningServer {
  base: string;
  dataDir: string;
  /** Stops the server but keeps its data directory (close() removes it). */
  stop(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'emr-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DEMO: 'false',
    CERTS_DIR: path.join(repoRoot, 'certs-example'),
    TRUST_LIST: path.join(repoRoot, 'certs-example/trust-list.json'),
    ...env,
  });
  const running = await startServer(config, () => undefined);
  return {
    ...running,
    base: `${running.url}/fhir`,
    dataDir,
    stop: () => running.close(),
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
