/**
 * The CDA fixtures (WS/T 500.53, test/fixtures/cda/), once converted to FHIR by the ingest stage,
 * translate to English: nothing lost, every ICD-10 China diagnosis has WHO ICD-10 with an English
 * display or an `unmapped` report entry (the .11.3 / .11.5 OIDs included), 0 IPS errors.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { convertCdaDischargeSummary } from '../../../src/ingest/cda/index.js';
import { normaliseSystem } from '../../../src/translate/terminology.js';
import { whatIsLost } from './lost.js';
import { getTranslator, getValidator, root } from './setup.js';

const dir = path.join(root, 'test', 'fixtures', 'cda');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();

describe('translate/cda: converted WS/T 500.53 documents → English', function () {
  this.timeout(60000);
  it('finds the CDA fixtures', () => expect(files.length).to.be.greaterThan(3));
  for (const f of files) {
    it(f, () => {
      let n = 0;
      const { bundle } = convertCdaDischargeSummary(fs.readFileSync(path.join(dir, f), 'utf8'), {
        now: () => new Date('2024-09-01T02:00:00Z'),
        newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      });
      const out = getTranslator().translateDocument(bundle, { target: 'en', units: 'conventional' });
      expect(whatIsLost(bundle, out.document)).to.deep.equal([]);
      (out.document.entry ?? []).forEach((e, i) => {
        const r = e.resource as Record<string, any>;
        if (r.resourceType !== 'Condition') return;
        const codings = (r.code?.coding ?? []) as Record<string, any>[];
        if (!codings.some((c) => normaliseSystem(c.system) === 'urn:oid:2.16.156.10011.2.3.3.11')) return;
        const who = codings.find((c) => c.system === 'http://hl7.org/fhir/sid/icd-10' && /^[A-Za-z]/.test(c.display ?? ''));
        const unmapped = out.report.some((x) => x.rule === 'unmapped' && x.expression?.[0]?.startsWith(`Bundle.entry[${i}].resource.code`));
        expect(Boolean(who) || unmapped, `entry ${i} ${JSON.stringify(codings)}`).to.equal(true);
      });
      const errors = getValidator().validateDocument(out.document).issues.filter((x) => x.severity === 'error' || x.severity === 'fatal');
      expect(errors, JSON.stringify(errors.slice(0, 3))).to.deep.equal([]);
    });
  }
});
