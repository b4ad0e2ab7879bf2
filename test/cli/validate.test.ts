/**
 * `emr-gateway validate`: exit 0 for the example documents, 3 once one is broken or a profile is
 * not met, 2 for unreadable or malformed files; each issue printed as `severity  expression  message`.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, fixtures, tempDir } from './support.js';

const fixtureFiles = readdirSync(fixtures).filter((f) => f.endsWith('.json')).map((f) => path.join(fixtures, f));
const IPS_PATIENT = 'http://hl7.org/fhir/uv/ips/StructureDefinition/Patient-uv-ips';

describe('cli: emr-gateway validate', function () {
  this.timeout(60_000);
  let dir: string;
  let broken: string;
  let patient: string;
  before(() => {
    dir = tempDir('validate');
    const doc = JSON.parse(readFileSync(fixtureFiles[0]!, 'utf8'));
    const pat = doc.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient').resource;
    delete pat.birthDate; // optional in R4 Patient, required (1..1) by the IPS Patient profile
    patient = path.join(dir, 'patient.json');
    writeFileSync(patient, JSON.stringify(pat));
    doc.entry[0].resource.status = 'bogus'; // Composition.status has a required binding
    broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify(doc));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`exits 0 for the ${fixtureFiles.length} example documents, validated as documents`, async () => {
    const r = await cli(['validate', ...fixtureFiles]);
    expect(r.code, r.out + r.err).to.equal(0);
    for (const f of fixtureFiles) expect(r.out).to.contain(`${f}: valid Bundle document (0 errors`);
  });

  it('exits 3 for a broken document and prints the issue with its FHIRPath', async () => {
    const r = await cli(['validate', broken]);
    expect(r.code).to.equal(3);
    expect(r.out).to.contain(`${broken}: INVALID Bundle document`);
    expect(r.out.split('\n')).to.satisfy((lines: string[]) => lines.some((l) => /^ {2}error {2}Bundle\.entry\[0\]\.resource\.status {2}\S/.test(l)));
  });

  it('exits 3 when any of several files is invalid, still reporting every file', async () => {
    const r = await cli(['validate', fixtureFiles[0]!, broken]);
    expect(r.code).to.equal(3);
    expect(r.out).to.contain(`${fixtureFiles[0]}: valid`);
    expect(r.out).to.contain(`${broken}: INVALID`);
  });

  it('validates a plain resource as a resource, and against --profile when given', async () => {
    const plain = await cli(['validate', patient]);
    expect(plain.code, plain.out).to.equal(0);
    expect(plain.out).to.contain(`${patient}: valid Patient (`);
    const profiled = await cli(['validate', patient, '--profile', IPS_PATIENT]);
    expect(profiled.code, profiled.out).to.equal(3);
    expect(profiled.out).to.match(/ {2}error {2}Patient(\.birthDate)? {2}/);
  });

  it('exits 3 with UNKNOWN_PROFILE for a profile URL it does not know', async () => {
    const r = await cli(['validate', patient, '--profile', 'https://example.org/fhir/StructureDefinition/nowhere']);
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/^UNKNOWN_PROFILE: /);
  });

  it('exits 2 for a missing file or malformed JSON, and for no file at all', async () => {
    const missing = await cli(['validate', path.join(dir, 'nope.json')]);
    expect(missing.code).to.equal(2);
    expect(missing.err).to.contain('BAD_REQUEST');
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"resourceType": "Bundle",');
    const malformed = await cli(['validate', bad, fixtureFiles[0]!]);
    expect(malformed.code).to.equal(2);
    expect(malformed.err).to.contain('MALFORMED_JSON');
    expect(malformed.out).to.contain(`${fixtureFiles[0]}: valid`);
    expect((await cli(['validate'])).code).to.equal(2);
  });
});
