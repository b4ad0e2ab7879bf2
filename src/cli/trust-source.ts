/**
 * The `--trust` option of `verify` and `certs verify`: which certificates an operator trusts.
 *  - absent: the configured TRUST_LIST (the same file the server loads);
 *  - a `.json` file: a trust list in the trust-list.json format (anchors, revoked, participants);
 *  - a folder: every `*.pem` in it is a trust anchor, with no participants (so no organisation
 *    check is possible: `registry` is false);
 *  - a `.pem` file: its certificates are the anchors.
 *
 * Invariant: the instant of validation is the caller's (`--at`, default now), so a test case
 * signed in the past (HL7's bundle-signed-good.json) can be checked at its signing time.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { GatewayError } from '../errors.js';
import { createTrustList, readTrustListFile, type TrustList } from '../trust/index.js';
import { cliConfig, readText } from './common.js';
import type { CliIo } from './main.js';

export interface TrustSource {
  trust: TrustList;
  /** True when the source registers participants (a trust list), false for bare anchors. */
  registry: boolean;
  /** What was loaded, for the operator. */
  described: string;
}

function anchorsOnly(pems: string[], now: () => Date, described: string): TrustSource {
  if (!pems.length) throw new GatewayError('BAD_REQUEST', `${described} holds no PEM certificate to trust.`);
  return { trust: createTrustList({ anchors: pems, participants: [] }, { now, errorCode: 'INVALID_RESOURCE' }), registry: false, described };
}

export function loadTrustSource(option: string | undefined, io: Pick<CliIo, 'env'>, now: () => Date): TrustSource {
  const target = option ?? cliConfig(io).trustListFile;
  let isDir: boolean;
  try {
    isDir = statSync(target).isDirectory();
  } catch (cause) {
    throw new GatewayError('BAD_REQUEST', `Cannot read ${target}.`, { cause });
  }
  if (isDir) {
    const files = readdirSync(target).filter((f) => f.endsWith('.pem')).sort();
    return anchorsOnly(files.map((f) => readText(path.join(target, f))), now, `folder ${target} (${files.length} anchor files)`);
  }
  if (target.endsWith('.pem')) return anchorsOnly([readText(target)], now, `anchors in ${target}`);
  const data = readTrustListFile(target, readText);
  return {
    trust: createTrustList(data, { now, ...(option ? { errorCode: 'INVALID_RESOURCE' as const } : {}) }),
    registry: true,
    described: `trust list ${target}`,
  };
}
