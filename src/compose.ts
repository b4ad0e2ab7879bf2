/**
 * Composition: builds the gateway and the HTTP options from a Config — the only place (with
 * server.ts and cli/) that touches files and picks adapters. Stages are plugged in here as plain
 * functions so that no stage imports another.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createTranslator } from './translate/index.js';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Config } from './config/index.js';
import { createGateway } from './gateway/index.js';
import type { AppOptions } from './http/app.js';
import { ingestBody } from './ingest/parse.js';
import { openStore } from './store/index.js';
import type { Store } from './store/ports.js';
import { createAuditWriter } from './compose/audit.js';
import { loadTrust } from './compose/trust.js';
import { startDemo } from './compose/demo.js';
import { consentDeps } from './compose/consent.js';
import { buildValidator, documentCheck, resourceCheck } from './compose/validation.js';
import { translationResources } from './compose/translation.js';
import { createValidationPool } from './compose/validation-pool.js';

/** The folder holding package.json, from src/ (tsx) or dist/src/ (built). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new TypeError('package.json not found above the gateway code');
    dir = up;
  }
  return dir;
}

export interface BuiltGateway {
  gateway: ReturnType<typeof createGateway> & { storeKind: string };
  store: Store;
  http: AppOptions;
  started?(url: string, out: (line: string) => void): Promise<void>;
  close(): Promise<void>;
}

export async function buildGateway(config: Readonly<Config>): Promise<BuiltGateway> {
  const clock = { now: () => new Date() };
  const { trust, keys } = loadTrust(config, clock.now);
  const base = config.publicBaseUrl;
  const profileDirs = [path.join(packageRoot(), 'fhir-profiles')];
  // Issue 10: validation in worker threads (both cores, event loop free), each building its own
  // validator; then this thread loads only what the translator needs (its CodeSystems and
  // ConceptMaps, compose/translation.ts). 0 workers = validate here.
  const pool = config.validationWorkers > 0 ? createValidationPool({ size: config.validationWorkers, profileDirs }) : undefined;
  const { validator, resources } = pool ? { validator: pool, resources: translationResources(profileDirs) } : buildValidator(profileDirs);
  const translator = createTranslator({ resources, pseudonymKey: config.pseudonymKey ?? randomBytes(32) });
  const log = pino({ level: config.logLevel, base: { service: 'emr-gateway' } });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: path.resolve(config.dataDir) });
  // Ready means able to validate: the workers built their validators meanwhile (in parallel).
  await pool?.ready();
  const gateway = createGateway({
    store,
    clock,
    ids: { newId: randomUUID },
    ingest: (input) => ingestBody(input.body, input.contentType, { now: clock.now, newId: randomUUID }),
    checkDocument: documentCheck(validator),
    validate: resourceCheck(validator),
    trust,
    keys,
    urls: { issuer: base, fhirBase: `${base}/fhir`, token: `${base}/auth/token`, jwks: `${base}/.well-known/jwks.json` },
    accessTokenSeconds: config.accessTokenSeconds,
    requireSignatures: config.requireSignatures,
    audit: createAuditWriter({ clock, observer: { site: new URL(config.publicBaseUrl).host, name: 'emr-gateway', baseUrl: `${config.publicBaseUrl}/fhir` } }),
    translator,
    consent: consentDeps(config, { trust, keys, now: clock.now, newId: randomUUID, translator }),
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    gateway: Object.assign(gateway, { storeKind: store.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL' }),
    store,
    http: { log, bodyLimitBytes: config.bodyLimitBytes, publicBaseUrl: config.publicBaseUrl },
    async started(_url, out) {
      if (config.mode === 'development' && config.demo) {
        await startDemo(gateway, packageRoot(), out).catch((err) => log.warn({ err }, 'development demo could not be prepared'));
      }
      const every = config.auditCheckpointSeconds * 1000;
      timer = setInterval(() => {
        gateway.auditLog.checkpoint().catch((err) => log.error({ err }, 'audit checkpoint failed'));
      }, every);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      // A signed checkpoint at shutdown (issue 7), then the store closes.
      await gateway.auditLog.checkpoint().catch((err) => log.error({ err }, 'audit checkpoint at shutdown failed'));
      await gateway.close();
      await pool?.close();
    },
  };
}
