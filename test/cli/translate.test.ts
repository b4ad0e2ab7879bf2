/**
 * `emr-gateway translate`: a Chinese discharge summary to English (exit 0) with the resident ID
 * removed by default and the coverage line on stderr; bad options exit 2; a non-Bundle exits 3.
 */
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { certs, cli, fixtures, tempDir } from './support.js';

const doc = path.join(fixtures, 'cn-ami-pci.json');
const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
type Entry = { resource: { resourceType: string; identifier?: { system?: string }[]; language?: string } };
const patientOf = (b: { entry: Entry[] }) => b.entry.find((e) => e.resource.resourceType === 'Patient')!.resource;

describe('cli: emr-gateway translate', function () {
  this.timeout(60_000);

  it('translates to English: exit 0, resident ID removed, coverage on stderr; --out writes the file', async () => {
    expect(patientOf(JSON.parse(readFileSync(doc, 'utf8'))).identifier!.some((i) => i.system === RESIDENT_ID_SYSTEM)).to.equal(true);
    const dir = tempDir('translate');
    try {
      const out = path.join(dir, 'en.json');
      const r = await cli(['translate', doc, '--to', 'en', '--units', 'conventional', '--out', out]);
      expect(r.code, r.err).to.equal(0);
      const b = JSON.parse(readFileSync(out, 'utf8'));
      expect(b.resourceType).to.equal('Bundle');
      expect(b.entry[0].resource.language).to.equal('en');
      expect(patientOf(b).identifier!.some((i) => i.system === RESIDENT_ID_SYSTEM)).to.equal(false);
      expect(r.err).to.match(/^codings \d+\/\d+ translated/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 for an unknown target language or a pseudonym policy without PSEUDONYM_KEY', async () => {
    expect((await cli(['translate', doc, '--to', 'fr'])).code).to.equal(2);
    expect((await cli(['translate', doc, '--to', 'en', '--units', 'imperial'])).code).to.equal(2);
    expect((await cli(['translate', doc, '--to', 'en', '--resident-id', 'pseudonym'])).code).to.equal(2);
  });

  it('exits 3 for JSON that is not a FHIR resource', async () => {
    const r = await cli(['translate', path.join(certs, 'clients.json'), '--to', 'en']);
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/^INVALID_RESOURCE: /);
  });
});
