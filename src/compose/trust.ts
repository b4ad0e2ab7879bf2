/**
 * Loads the trust list and the gateway's signing keys from files named by the configuration, and
 * enforces the production rule: a production gateway refuses to start with the development
 * certificates of certs-example/ (recognised by their "DEVELOPMENT ONLY" subject, not just by path).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors.js';
import { createGatewayKeys, createTrustList, isDevelopmentCertificate, readTrustListFile, type GatewayKeys, type TrustList } from '../trust/index.js';

export function loadTrust(config: Readonly<Config>, now: () => Date): { trust: TrustList; keys: GatewayKeys } {
  const trustFile = path.resolve(config.trustListFile);
  const certsDir = path.resolve(config.certsDir);
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (cause) {
      throw new GatewayError('CONFIG_INVALID', `Cannot read ${file}.`, { cause });
    }
  };
  const trust = createTrustList(readTrustListFile(trustFile, read), { now });
  const previousDir = path.join(certsDir, 'previous');
  const previous = existsSync(previousDir)
    ? readdirSync(previousDir).filter((f) => f.endsWith('.pem')).map((f) => read(path.join(previousDir, f)))
    : [];
  let keys: GatewayKeys;
  try {
    keys = createGatewayKeys({
      privateKeyPem: read(path.join(certsDir, 'gateway.key.pem')),
      certificateChainPem: read(path.join(certsDir, 'gateway.cert.pem')),
      previous,
    });
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('CONFIG_INVALID', `The gateway key or certificate in ${certsDir} is not usable.`, { cause });
  }
  if (config.mode === 'production') {
    const dev = [
      ...keys.current.chain.map((c) => c.info),
      ...trust.anchors.map((a) => a.info),
      ...trust.participants.flatMap((p) => p.chains.flat().map((c) => c.info)),
    ].filter(isDevelopmentCertificate);
    if (dev.length) {
      throw new GatewayError(
        'CONFIG_INVALID',
        `GATEWAY_MODE=production refuses the development certificates of certs-example/ (${dev.length} found, e.g. "${dev[0]!.subject}"). Configure CERTS_DIR and TRUST_LIST with production keys.`,
      );
    }
  }
  return { trust, keys };
}
