/**
 * IPS: every example of hl7.fhir.uv.ips 1.1.0 and 2.0.0 (../shared/corpus/ips-uv-*) validates with
 * no errors against its declared profiles (meta.profile) and, for documents, the IPS Bundle
 * profile; deliberately broken copies fail at the expected FHIRPath expression.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createValidator, type Validator } from '../../../src/validate/index.js';
import { loadFhirResources } from '../../../src/profiles/load.js';
import type { Issue } from '../../../src/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(root, '../shared');
const IPS_BUNDLE = 'http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips';

const errors = (issues: Issue[]): Issue[] => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
const fmt = (issues: Issue[]): string => issues.map((i) => `${i.expression?.[0]}: ${i.diagnostics}`).join('\n');

const validators = new Map<string, Validator>();
function validatorFor(version: string): Validator {
  let v = validators.get(version);
  if (!v) {
    v = createValidator({ resources: loadFhirResources([path.join(root, 'fhir-profiles', `ips-${version}`)]) });
    validators.set(version, v);
  }
  return v;
}

function examples(version: string): { file: string; resource: Record<string, any> }[] {
  const dir = path.join(shared, 'corpus', `ips-uv-${version}`, 'package', 'example');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .sort()
    .map((file) => ({ file, resource: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) }));
}

function validate(v: Validator, r: Record<string, any>): Issue[] {
  return r.resourceType === 'Bundle' && r.type === 'document'
    ? v.validateDocument(r, { profiles: [IPS_BUNDLE] }).issues
    : v.validateResource(r).issues;
}

for (const version of ['1.1.0', '2.0.0']) {
  describe(`IPS ${version} examples`, () => {
    const list = examples(version);
    it('has the examples of the package', () => {
      expect(list.length).to.be.greaterThan(35);
    });
    for (const { file, resource } of list) {
      it(`${file} validates with 0 errors`, () => {
        const issues = validate(validatorFor(version), resource);
        expect(errors(issues), fmt(errors(issues))).to.have.length(0);
      });
    }
  });
}

describe('IPS broken documents fail at the right expression', () => {
  const version = '2.0.0';
  const base = examples(version).find((e) => e.file === 'Bundle-bundle-minimal.json')!.resource;
  const cases: { name: string; breakIt: (b: any) => void; expression: string; code?: string }[] = [
    {
      name: 'missing required element (Composition.title, 1..1)',
      breakIt: (b) => delete b.entry[0].resource.title,
      expression: 'Bundle.entry[0].resource',
      code: 'structure',
    },
    {
      name: 'wrong code in a required binding (Composition.status)',
      breakIt: (b) => (b.entry[0].resource.status = 'nonsense'),
      expression: 'Bundle.entry[0].resource.status',
      code: 'code-invalid',
    },
    {
      name: 'wrong cardinality (two subjects where 0..1)',
      breakIt: (b) => (b.entry[0].resource.subject = [b.entry[0].resource.subject, b.entry[0].resource.subject]),
      expression: 'Bundle.entry[0].resource.subject',
    },
    {
      name: 'broken reference (subject points outside the document)',
      breakIt: (b) => (b.entry[0].resource.subject = { reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' }),
      expression: 'Bundle.entry[0].resource.subject',
      code: 'invalid',
    },
    {
      name: 'bad date format (Bundle.timestamp)',
      breakIt: (b) => (b.timestamp = '2024-02-30T10:00:00Z'),
      expression: 'Bundle.timestamp',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const copy = structuredClone(base);
      expect(errors(validate(validatorFor(version), copy))).to.have.length(0);
      c.breakIt(copy);
      const errs = errors(validate(validatorFor(version), copy));
      const hit = errs.filter((i) => i.expression?.[0] === c.expression && (!c.code || i.code === c.code));
      expect(hit, fmt(errs)).to.not.be.empty;
    });
  }
});
