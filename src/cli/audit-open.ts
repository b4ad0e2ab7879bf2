/**
 * Composition for `emr-gateway audit …` (the commands live in src/cli/audit.ts): opens the store the
 * server uses (DATABASE_URL, else the PGlite DATA_DIR — same configuration as the server) and the
 * gateway's public keys, current and previous, as a local JWKS resolver for the signed checkpoints.
 *
 * Invariants: previous keys stay in the set even after their certificate expired (an old checkpoint
 * was signed while they were valid); JWKs carry no `alg`, so a key matches the checkpoint's own
 * `alg` header (jose matches a JWK's alg when present). PGlite is single-process: run these
 * commands while the server on the same DATA_DIR is stopped.
 */
import path from 'node:path';
import { createLocalJWKSet, type JWK } from 'jose';
import { loadTrust } from '../compose/trust.js';
import { openStore } from '../store/index.js';
import type { AuditCliDeps } from './audit.js';
import { cliConfig } from './common.js';
import type { CliIo } from './main.js';

export async function openAuditDeps(io: Pick<CliIo, 'env'>): Promise<AuditCliDeps> {
  const config = cliConfig(io);
  const { keys } = loadTrust(config, () => new Date());
  const set = {
    keys: keys.all.map((k) => ({ ...(k.publicKey.export({ format: 'jwk' }) as JWK), kid: k.kid, use: 'sig' })),
  };
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: path.resolve(config.dataDir) });
  return { store, keys: createLocalJWKSet(set) };
}
