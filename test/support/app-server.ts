/**
 * Starts the real gateway like test/support/server.ts does (same composition, same express app,
 * embedded database in a temporary directory, ephemeral loopback port) but keeps the express
 * application in hand, so a test can list its routes (test/support/routes.ts) and call them.
 *
 * Mirrors src/server.ts `startServer`: listen first so the ephemeral port is known before links
 * are built, then build the gateway with that public base URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { loadConfig } from '../../src/config/index.js';
import { buildGateway } from '../../src/compose.js';
import { createApp } from '../../src/http/app.js';
import { repoRoot, type TestServer } from './server.js';

/** A TestServer (usable wherever one is expected) that also exposes its express application. */
export interface AppServer extends TestServer {
  app: Express;
}

export async function startAppServer(env: Record<string, string> = {}): Promise<AppServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'emr-test-app-'));
  let handler: http.RequestListener = (_req, res) => void res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DEMO: 'false',
    CERTS_DIR: path.join(repoRoot, 'certs-example'),
    TRUST_LIST: path.join(repoRoot, 'certs-example/trust-list.json'),
    ...env,
  });
  let built: Awaited<ReturnType<typeof buildGateway>>;
  try {
    built = await buildGateway(config);
  } catch (e) {
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const app = createApp(built.gateway, built.http);
  handler = app;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await built.close();
    })());
  return {
    app,
    url,
    port: (server.address() as AddressInfo).port,
    base: `${url}/fhir`,
    dataDir,
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
