/**
 * Composition root of the HTTP server: reads the environment and files, picks the store adapter,
 * builds the gateway and the express app, listens, and shuts down gracefully on SIGTERM/SIGINT
 * (in-flight requests finish, then the store closes).
 */
import http from 'node:http';
import type { Express } from 'express';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from './config/index.js';
import { buildGateway } from './compose.js';
import { createApp } from './http/app.js';
import { isGatewayError } from './errors.js';
import { readConfigFile } from './config/file.js';

export interface RunningServer {
  url: string;
  port: number;
  /** The express application (tests list its routes). */
  app: Express;
  close(): Promise<void>;
}

export async function startServer(config: Readonly<Config>, out: (line: string) => void = console.log): Promise<RunningServer> {
  // Listen first so that an ephemeral port (PORT=0) is known before links are built; requests that
  // arrive before the gateway is ready get a 503.
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"starting"}');
  };
  const server = http.createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}`;
  const effective = config.publicBaseUrl.endsWith(':0') ? Object.freeze({ ...config, publicBaseUrl: url }) : config;
  let built: Awaited<ReturnType<typeof buildGateway>>;
  try {
    built = await buildGateway(effective);
  } catch (e) {
    server.close();
    throw e;
  }
  const app = createApp(built.gateway, built.http);
  handler = app;
  await built.started?.(url, out);
  out(`emr-gateway listening on ${url} (FHIR base ${url}/fhir, ${built.gateway.storeKind} store)`);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    app,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await built.close();
      })();
      return closing;
    },
  };
}

async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(process.env, readConfigFile(process.env.CONFIG_FILE));
  } catch (e) {
    console.error(isGatewayError(e) ? e.message : String(e));
    process.exitCode = 78;
    return;
  }
  const running = await startServer(config);
  const stop = (signal: string) => {
    console.log(`${signal} received: finishing in-flight requests, then closing the store`);
    running.close().then(
      () => process.exit(0),
      (e) => {
        console.error('shutdown failed', e);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(isGatewayError(e) ? `${e.code}: ${e.message}` : e);
    process.exit(1);
  });
}
