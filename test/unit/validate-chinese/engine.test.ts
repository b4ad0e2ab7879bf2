// The cn profiles and Chinese checks plugged into the validation engine (src/validate/index.ts):
// the fixture discharge summary is valid without meta.profile (picked by Composition type), and
// each kind of breakage the profiles exist for is reported as an error with its rule and path.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '../../../src/fhir/types.js';
import { createValidator, type Validator } from '../../../src/validate/index.js';
import { chineseChecks, chineseProfileSelector } from '../../../src/validate/chinese/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
type Json = Record<string, any>;
const files = (d: string): string[] =>
  fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : e.name.endsWith('.json') ? [path.join(d, e.name)] : []));
const fixture = (): Json => JSON.parse(fs.readFileSync(path.join(here, 'fixtures/discharge-summary-bundle.json'), 'utf8'));

describe('cn profiles in the validation engine', function () {
  this.timeout(60000);
  let validator: Validator;
  before(() => {
    const resources = files(path.join(repo, 'fhir-profiles/cn')).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Resource);
    validator = createValidator({ resources, profileSelectors: [chineseProfileSelector], extraChecks: chineseChecks });
  });
  const errors = (b: Json) => validator.validateDocument(b).issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');

  it('accepts the fixture discharge summary without meta.profile', () => {
    const result = validator.validateDocument(fixture());
    expect(errors(fixture())).to.deep.equal([]);
    expect(result.valid).to.equal(true);
  });

  // [what breaks, mutation, rule expected among the errors]
  const breakages: [string, (b: Json) => void, string][] = [
    ['resident ID checksum', (b) => { b.entry[1].resource.identifier[0].value = '340524198001010013'; }, 'cn-resident-id-checksum'],
    ['no 出院诊断 section', (b) => { b.entry[0].resource.section.splice(1, 1); }, 'slice-min'],
    ['no custodian', (b) => { delete b.entry[0].resource.custodian; }, 'min-cardinality'],
    ['Patient without birthDate', (b) => { delete b.entry[1].resource.birthDate; }, 'min-cardinality'],
    ['section without narrative', (b) => { delete b.entry[0].resource.section[0].text; }, 'min-cardinality'],
  ];
  for (const [what, mutate, rule] of breakages) {
    it(`reports ${what} as an error (${rule})`, () => {
      const b = fixture();
      mutate(b);
      expect(errors(b).map((i) => i.rule)).to.include(rule);
    });
  }

  it('holds a Bundle with the C0053 Composition first to the profile even when typed collection', () => {
    const b = fixture();
    b.type = 'collection';
    expect(errors(b).some((i) => i.expression?.includes('Bundle.type'))).to.equal(true);
  });

  it('reports a wrong document type code through the invariant when the profile is asked for', () => {
    const b = fixture();
    b.entry[0].resource.type.coding = [{ system: 'http://loinc.org', code: '11488-4' }];
    const result = validator.validateDocument(b, { profiles: ['https://emr-gateway.example.org/fhir/StructureDefinition/cn-discharge-summary-bundle'] });
    expect(result.issues.filter((i) => i.severity === 'error').map((i) => i.rule)).to.include('cn-comp-1');
  });

  it('keeps malformed permits and a GB sex code mismatch as warnings (document stays valid)', () => {
    const b = fixture();
    b.entry[1].resource.identifier.push({ type: { text: '港澳居民来往内地通行证' }, value: 'X1' });
    b.entry[1].resource.extension[0].valueCodeableConcept.coding[0].code = '1';
    const result = validator.validateDocument(b);
    expect(result.valid).to.equal(true);
    const rules = result.issues.filter((i) => i.severity === 'warning').map((i) => i.rule);
    expect(rules).to.include.members(['cn-hk-macau-permit-format', 'cn-gb-gender-mismatch']);
  });
});
