/**
 * `emr-gateway convert`: every WS/T 500.53 fixture converts (exit 0) to a FHIR document Bundle that
 * `validate` accepts; its known defect is reported on stderr by rule; another document type exits
 * 3 (CONVERSION_FAILED, every issue listed) and malformed XML 2.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, fixtures, tempDir } from './support.js';

const cdaDir = path.join(fixtures, 'cda');
const cdaFiles = readdirSync(cdaDir).filter((f) => f.endsWith('.xml')).sort();
/** The normalised defect each fixture carries (test/fixtures/cda/README.md). */
const DEFECT_RULE: Record<string, string> = {
  '01': 'cda-icd10-oid',
  '02': 'cda-de-codesystem',
  '03': 'cda-broken-attribute',
  '04': 'cda-id-document-type-as-number',
  '05': 'cda-template-72',
};

describe('cli: emr-gateway convert', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = tempDir('convert')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const f of cdaFiles) {
    it(`converts ${f} to a document Bundle on stdout, its defect reported on stderr`, async () => {
      const r = await cli(['convert', path.join(cdaDir, f)]);
      expect(r.code, r.err).to.equal(0);
      const bundle = JSON.parse(r.out);
      expect(bundle).to.include({ resourceType: 'Bundle', type: 'document' });
      expect(bundle.entry[0].resource.resourceType).to.equal('Composition');
      expect(bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).to.include.members(['Patient', 'Binary', 'Provenance']);
      const rule = DEFECT_RULE[f.slice(0, 2)];
      expect(r.err.split('\n').some((l) => l.startsWith('warning  /ClinicalDocument') && l.endsWith(`[${rule}]`)), r.err).to.equal(true);
    });
  }

  it('writes --out, and the written Bundle passes `validate` (exit 0)', async () => {
    const out = path.join(dir, 'converted.json');
    const r = await cli(['convert', path.join(cdaDir, cdaFiles[0]!), '--out', out]);
    expect(r.code).to.equal(0);
    expect(r.out).to.equal('');
    expect(JSON.parse(readFileSync(out, 'utf8')).resourceType).to.equal('Bundle');
    const v = await cli(['validate', out]);
    expect(v.code, v.out).to.equal(0);
  });

  it('exits 3 with CONVERSION_FAILED for another WS/T 500 document type, listing each issue', async () => {
    const xml = readFileSync(path.join(cdaDir, cdaFiles[0]!), 'utf8').replace('code="C0053"', 'code="C0001"');
    const file = path.join(dir, 'other-type.xml');
    writeFileSync(file, xml);
    const r = await cli(['convert', file]);
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/^CONVERSION_FAILED: /);
    expect(r.err).to.contain('[cda-wrong-document-type]');
    expect(r.out).to.equal('');
  });

  it('exits 2 for malformed XML (MALFORMED_XML) and for a missing file', async () => {
    const file = path.join(dir, 'truncated.xml');
    writeFileSync(file, readFileSync(path.join(cdaDir, cdaFiles[0]!), 'utf8').slice(0, 2000));
    const r = await cli(['convert', file]);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/^MALFORMED_XML: /);
    expect((await cli(['convert', path.join(dir, 'absent.xml')])).code).to.equal(2);
  });
});
