// A realistic Chinese discharge summary (fixtures/discharge-summary-bundle.json) meets our
// profiles' structure, cardinalities, invariants and slices, passes the Chinese checks and is
// recognised by its Composition type; targeted breakages are caught by the matching rule.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { chineseChecks, chineseDocumentProfile, CN_DISCHARGE_SUMMARY_BUNDLE } from '../../../src/validate/chinese/index.js';
import { structuralErrors } from './support/r4-base.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
type Json = Record<string, any>;
const load = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Json;
const fixture = () => load(path.join(here, 'fixtures/discharge-summary-bundle.json'));
const profiles = new Map<string, Json>(
  fs.readdirSync(path.join(repo, 'fhir-profiles/cn')).filter((f) => f.startsWith('StructureDefinition-'))
    .map((f) => load(path.join(repo, 'fhir-profiles/cn', f))).map((sd) => [sd.url, sd]),
);
const bundleProfile = profiles.get(CN_DISCHARGE_SUMMARY_BUNDLE)!;
const els = (sd: Json): Json[] => sd.differential.element;

/** Resource type → profile URL, read from the Bundle profile's entry slices. */
const profileForType = new Map<string, string>(
  els(bundleProfile).filter((e) => /^Bundle\.entry:[^.]+\.resource$/.test(e.id)).map((e) => [e.type[0].code, e.type[0].profile[0]]),
);

const truthy = (r: unknown[]) => r.length === 1 && r[0] === true;
/** Keys of the invariants of `sd` that `resource` violates. */
function failedInvariants(sd: Json, resource: Json): string[] {
  return els(sd).flatMap((e) => (e.constraint ?? []).filter((c: Json) => {
    const expr = e.path === sd.type ? c.expression : `${e.path}.all(${c.expression})`;
    return !truthy(fhirpath.evaluate(resource, expr, undefined, r4model) as unknown[]);
  }).map((c: Json) => c.key));
}
/** Unsliced elements with min ≥ 1 (and fixed codes) that `resource` does not meet. */
function failedCardinalities(sd: Json, resource: Json): string[] {
  return els(sd).filter((e) => !e.id.includes(':') && e.path !== sd.type && !e.path.endsWith('[x]')).flatMap((e) => {
    const parent = e.path.slice(0, e.path.lastIndexOf('.'));
    const name = e.path.slice(parent.length + 1);
    const out: string[] = [];
    if ((e.min ?? 0) >= 1 && !truthy(fhirpath.evaluate(resource, `${parent}.all(${name}.exists())`, undefined, r4model) as unknown[])) out.push(e.id);
    if (e.fixedCode && !truthy(fhirpath.evaluate(resource, `${e.path} = '${e.fixedCode}'`, undefined, r4model) as unknown[])) out.push(`${e.id}=${e.fixedCode}`);
    return out;
  });
}
function allFailures(bundle: Json): string[] {
  const out = [...failedInvariants(bundleProfile, bundle), ...failedCardinalities(bundleProfile, bundle)];
  for (const [i, entry] of (bundle.entry as Json[]).entries()) {
    const sd = profiles.get(profileForType.get(entry.resource.resourceType) ?? '');
    if (sd) out.push(...[...failedInvariants(sd, entry.resource), ...failedCardinalities(sd, entry.resource)].map((k) => `entry[${i}] ${k}`));
  }
  return out;
}

describe('the discharge summary fixture against the cn profiles', () => {
  it('is well-formed R4 and recognised as a Chinese discharge summary by its Composition type', () => {
    const b = fixture();
    expect(structuralErrors(b)).to.deep.equal([]);
    expect(chineseDocumentProfile(b)).to.equal(CN_DISCHARGE_SUMMARY_BUNDLE);
  });

  it('meets every invariant, cardinality and fixed value of the profiles its entries fall under', () => {
    const b = fixture();
    expect(b.entry.every((e: Json) => profileForType.has(e.resource.resourceType))).to.equal(true);
    expect(allFailures(b)).to.deep.equal([]);
  });

  it('fills the required slices: one Composition, one Patient, a 出院诊断 section', () => {
    const b = fixture();
    const count = (t: string) => b.entry.filter((e: Json) => e.resource.resourceType === t).length;
    expect([count('Composition'), count('Patient')]).to.deep.equal([1, 1]);
    const comp = profiles.get(profileForType.get('Composition')!)!;
    const required = els(comp).filter((e) => /^Composition\.section:[^.]+$/.test(e.id) && e.min >= 1);
    expect(required.map((e) => e.sliceName)).to.deep.equal(['dischargeDiagnosis']);
    const pattern = els(comp).find((e) => e.id === 'Composition.section:dischargeDiagnosis.code')!.patternCodeableConcept.coding[0];
    expect(b.entry[0].resource.section.some((s: Json) => s.code.coding.some((c: Json) => c.system === pattern.system && c.code === pattern.code))).to.equal(true);
  });

  it('passes every Chinese check without an issue', () => {
    const b = fixture();
    for (const check of chineseChecks) {
      expect(check(b, 'Bundle')).to.deep.equal([]);
      b.entry.forEach((e: Json, i: number) => expect(check(e.resource, `Bundle.entry[${i}].resource`)).to.deep.equal([]));
    }
  });

  // [what breaks, mutation, the rule that must catch it]
  const breakages: [string, (b: Json) => void, string][] = [
    ['Composition type neither C0053 nor 18842-5', (b) => { b.entry[0].resource.type.coding = [{ system: 'http://loinc.org', code: '34133-9' }]; }, 'entry[0] cn-comp-1'],
    ['Composition only with LOINC 18842-5 is fine', (b) => { b.entry[0].resource.type.coding.shift(); }, ''],
    ['Patient not second but Composition not first', (b) => { b.entry.reverse(); }, 'cn-bdl-1'],
    ['entry without fullUrl', (b) => { delete b.entry[3].fullUrl; }, 'Bundle.entry.fullUrl'],
    ['Bundle.type collection', (b) => { b.type = 'collection'; }, 'Bundle.type=document'],
    ['no Bundle.identifier', (b) => { delete b.identifier; }, 'Bundle.identifier'],
    ['section without narrative', (b) => { delete b.entry[0].resource.section[1].text; }, 'entry[0] Composition.section.text'],
    ['section without code is only a warning invariant', (b) => { delete b.entry[0].resource.section[3].code; }, 'entry[0] cn-comp-2'],
    ['no custodian', (b) => { delete b.entry[0].resource.custodian; }, 'entry[0] Composition.custodian'],
    ['Patient without gender', (b) => { delete b.entry[1].resource.gender; }, 'entry[1] Patient.gender'],
    ['Patient name without any part', (b) => { b.entry[1].resource.name = [{ use: 'official' }]; }, 'entry[1] cn-pat-1'],
    ['Patient identifier without value', (b) => { delete b.entry[1].resource.identifier[1].value; }, 'entry[1] Patient.identifier.value'],
    ['Encounter without admission time', (b) => { delete b.entry[2].resource.period.start; }, 'entry[2] Encounter.period.start'],
    ['Condition without code', (b) => { delete b.entry[5].resource.code; }, 'entry[5] Condition.code'],
    ['lab value in a non-UCUM unit system', (b) => { b.entry[8].resource.valueQuantity.system = 'urn:oid:2.16.156.10011.2.3.1.999'; }, 'entry[8] cn-obs-1'],
  ];
  for (const [what, mutate, rule] of breakages) {
    it(`${what} → ${rule || 'no failure'}`, () => {
      const b = fixture();
      mutate(b);
      expect(allFailures(b)).to.deep.equal(rule ? [rule] : []);
    });
  }
});
