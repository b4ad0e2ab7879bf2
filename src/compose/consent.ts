/**
 * Composition of the consent deps: randomness, budgets from the config, the hospitals' export
 * mechanisms from `export-mechanisms.json` next to the trust list, and the `deliver` seam.
 *
 * `export-mechanisms.json` = { "hospitals": { "<participant id or Organization id>": { "mechanism":
 * "standard-contract" | "certification" | "security-assessment" | "none", "reference": "...",
 * "approvedPersons"?: n, "validUntil"?: "YYYY-MM-DD" } } }. A missing file or hospital means no
 * mechanism: exports are refused (deny by default). A malformed file stops start-up.
 * `deliver`: the translation stage, then a Provenance of the release and the gateway signature.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors.js';
import { TRANSFER_MECHANISMS, type HospitalMechanism } from '../consent/index.js';
import type { ConsentDeps, Deliver } from '../gateway/consent-deps.js';
import { signOnlyDeliver } from '../gateway/consent-deliver.js';
import type { Translator } from '../translate/index.js';
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
  deps: { trust: TrustList; keys: GatewayKeys; now: () => Date; newId: () => string; translator: Translator },
): ConsentDeps {
  const mechanisms = loadExportMechanisms(path.join(path.dirname(path.resolve(config.trustListFile)), 'export-mechanisms.json'), deps.trust);
  const base = config.publicBaseUrl.replace(/\/+$/, '');
  return {
    publicBaseUrl: base,
    randomBytes: (n) => randomBytes(n),
    passcodeBudget: config.linkAttemptBudget,
    invitationHours: config.invitationHours,
    exportMechanism: (org) => mechanisms.get(org),
    // translate (identifiers by the permit and RESIDENT_ID_POLICY) → Provenance → gateway signature
    deliver: signOnlyDeliver({ keys: deps.keys, now: deps.now, newId: deps.newId, fhirBase: `${base}/fhir` }, (bundle, options) =>
      deps.translator.translateDocument(bundle, {
        target: options.target,
        identifierPolicy: { residentId: options.decision.exportResidentId ? 'keep' : config.residentIdPolicy },
      }).document,
    ),
  };
}
