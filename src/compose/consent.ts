/**
 * Composition of the consent deps: randomness, budgets from the config, the hospitals' export
 * mechanisms from `export-mechanisms.json` next to the trust list, and the `deliver` seam.
 *
 * `export-mechanisms.json` = { "hospitals": { "<participant id or Organization id>": { "mechanism":
 * "standard-contract" | "certification" | "security-assessment" | "none", "reference": "...",
 * "approvedPersons"?: n, "validUntil"?: "YYYY-MM-DD" } } }. A missing file or hospital means no
 * mechanism: exports are refused (deny by default). A malformed file stops start-up.
 * `deliver`: signOnlyDeliver until the translation stage is wired here (translate → sign).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors.js';
import { TRANSFER_MECHANISMS, type HospitalMechanism } from '../consent/index.js';
import type { ConsentDeps, Deliver } from '../gateway/consent-deps.js';
import { signOnlyDeliver } from '../gateway/consent-deliver.js';
import type { GatewayKeys, TrustList } from '../trust/index.js';

export function loadExportMechanisms(file: string, trust: TrustList): Map<string, HospitalMechanism> {
  const out = new Map<string, HospitalMechanism>();
  if (!existsSync(file)) return out;
  let data: { hospitals?: Record<string, HospitalMechanism> };
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', `${file} is not valid JSON.`, { cause });
  }
  for (const [key, m] of Object.entries(data.hospitals ?? {})) {
    if (!m || !(TRANSFER_MECHANISMS as readonly string[]).includes(m.mechanism)) {
      throw new GatewayError('CONFIG_INVALID', `${file}: hospital ${key} needs a mechanism (${TRANSFER_MECHANISMS.join(', ')}).`);
    }
    const org = trust.byClientId(key)?.organization.id ?? key;
    out.set(org, { ...m });
  }
  return out;
}

export function consentDeps(
  config: Readonly<Config>,
  deps: { trust: TrustList; keys: GatewayKeys; now: () => Date; newId: () => string; deliver?: Deliver },
): ConsentDeps {
  const mechanisms = loadExportMechanisms(path.join(path.dirname(path.resolve(config.trustListFile)), 'export-mechanisms.json'), deps.trust);
  const base = config.publicBaseUrl.replace(/\/+$/, '');
  return {
    publicBaseUrl: base,
    randomBytes: (n) => randomBytes(n),
    passcodeBudget: config.linkAttemptBudget,
    invitationHours: config.invitationHours,
    exportMechanism: (org) => mechanisms.get(org),
    // Seam for the translation stage: compose translate → sign here when src/translate/ is ready.
    deliver: deps.deliver ?? signOnlyDeliver({ keys: deps.keys, now: deps.now, newId: deps.newId, fhirBase: `${base}/fhir` }),
  };
}
