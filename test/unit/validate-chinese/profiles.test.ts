// Every JSON in fhir-profiles/cn/ is a well-formed FHIR R4 resource of the type its folder says,
// with a unique canonical URL under our base; differentials use valid ids and base paths, slices
// are declared and discriminable, and bindings / profiles point at resources that exist.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { isResourceType, resolveBasePath, structuralErrors } from './support/r4-base.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BASE = 'https://emr-gateway.example.org/fhir';
type Json = Record<string, any>;

function jsonFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? jsonFiles(path.join(dir, d.name)) : d.name.endsWith('.json') ? [path.join(dir, d.name)] : []);
}
const cnDir = path.join(repo, 'fhir-profiles/cn');
const cn = jsonFiles(cnDir).map((file) => ({ file: path.relative(cnDir, file), res: JSON.parse(fs.readFileSync(file, 'utf8')) as Json }));
const profiles = cn.filter((f) => f.res.resourceType === 'StructureDefinition').map((f) => f.res);

/** Canonical URLs of every FHIR resource anywhere under fhir-profiles/ (other areas included). */
const known = new Map<string, Set<string>>();
for (const file of jsonFiles(path.join(repo, 'fhir-profiles'))) {
  let res: Json;
  try { res = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { continue; }
  const list = res?.resourceType === 'Bundle' ? (res.entry ?? []).map((e: Json) => e.resource) : [res];
  for (const r of list) if (r?.url && r.resourceType) (known.get(r.resourceType) ?? known.set(r.resourceType, new Set()).get(r.resourceType)!).add(r.url);
}
const exists = (type: string, url: string) => known.get(type)?.has(url.split('|')[0]!) ?? false;
/** Profiles we may reference without holding them: R4 core, and HL7 China's sex extension (accepted, not ours). */
const external = (url: string) =>
  (url.startsWith('http://hl7.org/fhir/StructureDefinition/') && isResourceType(url.split('/').pop()!)) ||
  url === 'http://hl7.org.cn/fhir/StructureDefinition/ext-person-gender';

const EXPECTED_PROFILES = ['cn-discharge-summary-bundle', 'cn-discharge-summary-composition', 'cn-patient', 'cn-encounter', 'cn-condition',
  'cn-procedure', 'cn-medication-request', 'cn-medication-statement', 'cn-observation', 'cn-allergy-intolerance', 'cn-practitioner', 'cn-organization'];

describe('fhir-profiles/cn resources', () => {
  it('holds the twelve agreed profiles (urls.md) and seven value sets', () => {
    expect(profiles.map((p) => p.url).sort()).to.deep.equal(EXPECTED_PROFILES.map((id) => `${BASE}/StructureDefinition/${id}`).sort());
    expect(cn.filter((f) => f.res.resourceType === 'ValueSet')).to.have.length(7);
  });

  it('are well-formed R4 resources of the type their folder and file name say', () => {
    for (const { file, res } of cn) {
      const folderType = file.startsWith('valuesets/') ? 'ValueSet' : file.startsWith('codesystems/') ? 'CodeSystem' : 'StructureDefinition';
      expect(res.resourceType, file).to.equal(folderType);
      expect(path.basename(file), file).to.equal(`${res.resourceType}-${res.id}.json`);
      expect(structuralErrors(res), file).to.deep.equal([]);
    }
  });

  it('have unique canonical URLs under our base (Chinese code systems keep their urn:oid)', () => {
    const urls = cn.map((f) => f.res.url as string);
    expect(new Set(urls).size).to.equal(urls.length);
    for (const { file, res } of cn) {
      if (res.resourceType === 'CodeSystem' && res.url.startsWith('urn:oid:2.16.156.10011.')) continue;
      expect(res.url, file).to.equal(`${BASE}/${res.resourceType}/${res.id}`);
    }
  });
});

describe('cn StructureDefinitions', () => {
  for (const sd of profiles) {
    describe(sd.id, () => {
      const els: Json[] = sd.differential.element;

      it('constrains its R4 base resource', () => {
        expect(sd).to.include({ fhirVersion: '4.0.1', kind: 'resource', derivation: 'constraint', abstract: false });
        expect(sd.baseDefinition).to.equal(`http://hl7.org/fhir/StructureDefinition/${sd.type}`);
        expect(sd.snapshot, 'differential only: the engine layers it over the base').to.equal(undefined);
      });

      it('has unique element ids starting with the base type, paths matching ids, all in the base model', () => {
        expect(new Set(els.map((e) => e.id)).size).to.equal(els.length);
        for (const e of els) {
          expect(e.id === sd.type || e.id.startsWith(`${sd.type}.`), e.id).to.equal(true);
          expect(e.path, e.id).to.equal(e.id.replace(/:[^.]+/g, ''));
          expect(e.sliceName, e.id).to.equal(/:([^.:]+)$/.exec(e.id)?.[1]);
          expect(resolveBasePath(e.path), `${e.path} in base R4`).to.not.equal(undefined);
          if (e.max !== undefined) expect(e.max === '*' || Number(e.max) >= (e.min ?? 0), e.id).to.equal(true);
        }
      });

      it('declares slicing before each slice, and gives each slice what its discriminator needs', () => {
        for (const e of els.filter((x) => x.sliceName)) {
          const slicedId = e.id.slice(0, e.id.lastIndexOf(':'));
          const sliced = els.find((x) => x.id === slicedId);
          expect(sliced?.slicing, `slicing for ${e.id}`).to.not.equal(undefined);
          expect(els.indexOf(sliced!)).to.be.lessThan(els.indexOf(e));
          for (const d of sliced!.slicing.discriminator as { type: string; path: string }[]) {
            const target = d.path === '$this' ? e : els.find((x) => x.id === `${e.id}.${d.path}`);
            if (d.type === 'pattern') expect(Object.keys(target ?? {}).some((k) => k.startsWith('pattern')), `${e.id} pattern on ${d.path}`).to.equal(true);
            if (d.type === 'type') expect(target?.type, `${e.id} type on ${d.path}`).to.have.length(1);
            if (d.type === 'value' && d.path === 'url') expect(e.type?.[0]?.profile, `${e.id} extension profile`).to.have.length(1);
          }
        }
      });

      it('references only profiles and value sets that exist (or R4 core / the HL7 China sex extension)', () => {
        for (const e of els) {
          for (const t of e.type ?? []) {
            for (const url of [...(t.profile ?? []), ...(t.targetProfile ?? [])]) {
              expect(exists('StructureDefinition', url) || external(url), `${e.id} → ${url}`).to.equal(true);
            }
          }
          if (e.binding) {
            expect(['required', 'extensible', 'preferred', 'example']).to.include(e.binding.strength);
            expect(exists('ValueSet', e.binding.valueSet), `${e.id} → ${e.binding.valueSet}`).to.equal(true);
          }
        }
      });

      it('has invariants with unique keys whose FHIRPath compiles against the R4 model', () => {
        for (const e of els) {
          for (const c of e.constraint ?? []) {
            expect(c.key).to.match(/^cn-[a-z]+-\d+$/);
            expect(['error', 'warning']).to.include(c.severity);
            expect(c.source).to.equal(sd.url);
            expect(() => fhirpath.compile(c.expression, r4model), c.key).to.not.throw();
          }
        }
      });
    });
  }

  it('uses each invariant key once across all profiles', () => {
    const keys = profiles.flatMap((p) => p.differential.element.flatMap((e: Json) => (e.constraint ?? []).map((c: Json) => c.key)));
    expect(new Set(keys).size).to.equal(keys.length);
  });
});

describe('cn ValueSets and CodeSystems', () => {
  it('value sets include code systems we or the terminology area hold, or LOINC by explicit codes', () => {
    for (const { file, res } of cn.filter((f) => f.res.resourceType === 'ValueSet')) {
      for (const inc of res.compose.include as Json[]) {
        if (inc.system === 'http://loinc.org') {
          expect(inc.concept, file).to.be.an('array').that.is.not.empty;
          for (const c of inc.concept) expect(c.code, file).to.match(/^\d{1,7}-\d$/);
        } else {
          expect(inc.system, file).to.match(/^(urn:oid:2\.16\.156\.10011\.|https:\/\/emr-gateway\.example\.org\/fhir\/CodeSystem\/)/);
        }
        if (inc.system.startsWith(`${BASE}/`)) expect(exists('CodeSystem', inc.system), `${file} → ${inc.system}`).to.equal(true);
      }
    }
  });

  it('code systems name their source and licence, with unique codes and zh-CN + en designations', () => {
    for (const { file, res } of cn.filter((f) => f.res.resourceType === 'CodeSystem')) {
      expect(res.copyright, file).to.be.a('string').and.match(/licen[cs]e|standard|MIT/i);
      const codes = res.concept.map((c: Json) => c.code);
      expect(new Set(codes).size, file).to.equal(codes.length);
      expect(res.count, file).to.equal(codes.length);
      for (const c of res.concept) expect(c.designation.map((d: Json) => d.language).sort(), `${file} ${c.code}`).to.deep.equal(['en', 'zh-CN']);
      expect(exists('ValueSet', res.valueSet), file).to.equal(true);
    }
  });
});

describe('r4-base support (the checker above can fail)', () => {
  it('rejects unknown properties, wrong arrays, wrong primitives and missing base-mandatory elements', () => {
    const errors = structuralErrors({ resourceType: 'ValueSet', status: 5, bogus: 1, identifier: { value: 'x' } });
    expect(errors.some((e) => e.includes('bogus'))).to.equal(true);
    expect(errors.some((e) => e.includes('status'))).to.equal(true);
    expect(errors.some((e) => e.includes('identifier') && e.includes('array'))).to.equal(true);
    expect(structuralErrors({ resourceType: 'Patient', deceasedBoolean: true, name: [{ given: ['A'] }] })).to.deep.equal([]);
    expect(structuralErrors({ resourceType: 'Patient', deceasedQuantity: {} })).to.have.length(1);
    expect(structuralErrors({ resourceType: 'Observation', code: {}, subject: {} })[0]).to.match(/status/);
    const sd = structuredClone(profiles.find((p) => p.id === 'cn-patient')!);
    sd.differential.element[5].patternIdentifer = {};
    sd.differential.element[5].min = '0';
    expect(structuralErrors(sd)).to.have.members([
      'StructureDefinition.differential.element[5].patternIdentifer: not an element of ElementDefinition',
      'StructureDefinition.differential.element[5].min: unsignedInt must be a JSON number',
    ]);
  });
  it('resolves paths through datatypes and content references only when they exist', () => {
    expect(resolveBasePath('Composition.type.coding.system')).to.not.equal(undefined);
    expect(resolveBasePath('Composition.section.section.code')).to.not.equal(undefined);
    expect(resolveBasePath('Patient.extension.value[x]')).to.not.equal(undefined);
    expect(resolveBasePath('Patient.identifer')).to.equal(undefined);
    expect(resolveBasePath('Encounter.period.begin')).to.equal(undefined);
  });
});
