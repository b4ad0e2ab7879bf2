/**
 * Agreement with HL7's Java validator on the R4 JSON subset of FHIR/fhir-test-cases
 * (../shared/corpus/fhir-test-cases). Scores every step (base + profile) in three tiers and fails
 * when a figure drops below the committed ratchet (test/conformance/ratchet.json). Raise the
 * ratchet by hand when the engine improves; never lower it to make a change pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { figures, repoRoot, runCases, type Figures } from './harness.js';

const ratchetFile = path.join(repoRoot, 'test/conformance/ratchet.json');

describe('conformance: agreement with the HL7 Java validator (fhir-test-cases, R4 JSON)', () => {
  it('keeps valid/invalid, exact error count and (severity, location) agreement at or above the ratchet', () => {
    const results = runCases();
    const f = figures(results);
    const ratchet = JSON.parse(fs.readFileSync(ratchetFile, 'utf8')) as Figures;
    console.log(
      `      HL7 agreement over ${f.steps} steps: valid/invalid ${f.validInvalid}% (ratchet ${ratchet.validInvalid}), ` +
        `exact error count ${f.exactErrorCount}% (ratchet ${ratchet.exactErrorCount}), ` +
        `(severity, location) ${f.severityLocation}% (ratchet ${ratchet.severityLocation})`,
    );
    expect(f.steps, 'every case of the index is run').to.be.at.least(ratchet.steps);
    expect(f.validInvalid).to.be.at.least(ratchet.validInvalid);
    expect(f.exactErrorCount).to.be.at.least(ratchet.exactErrorCount);
    expect(f.severityLocation).to.be.at.least(ratchet.severityLocation);
  });
});
