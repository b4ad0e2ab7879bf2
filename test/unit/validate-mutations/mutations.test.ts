/**
 * Issue 3 "Done when": our fixtures validate clean, and a table-driven test breaks each one in at
 * least 20 distinct ways and checks the issue code and FHIRPath expression of each breakage.
 *
 * Uses the validator exactly as the gateway composes it (src/compose/validation.ts: fhir-profiles/
 * with the Chinese checks and profile selector), built once. The table is mutations.ts; a row that
 * does not apply to a fixture (no surgery → no Procedure) is left out for that fixture, and each
 * fixture must still get at least 20 rows.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildValidator } from '../../../src/compose/validation.js';
import type { Validator } from '../../../src/validate/index.js';
import type { Issue } from '../../../src/errors.js';
import { mutations } from './mutations.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const fixtureDir = path.join(repoRoot, 'test/fixtures');
const fixtureFiles = readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).sort();
const MIN_MUTATIONS_PER_FIXTURE = 20;

const isError = (i: Issue) => i.severity === 'error' || i.severity === 'fatal';
/** One row per (issue, expression), so chai's deep include can name the expected one exactly. */
const flat = (issues: Issue[]) =>
  issues.filter(isError).flatMap((i) => (i.expression ?? []).map((expression) => ({ severity: i.severity, code: i.code, expression, rule: i.rule })));

describe('validator: each fixture document broken in at least 20 ways', function () {
  let validator: Validator;
  before(function () {
    this.timeout(60_000); // compiling the profile registry takes a second or two
    validator = buildValidator([path.join(repoRoot, 'fhir-profiles')]).validator;
  });

  it('has fixtures and a table of distinct mutations', () => {
    expect(fixtureFiles.length).to.be.at.least(4);
    expect(new Set(mutations.map((m) => m.name)).size).to.equal(mutations.length);
  });

  for (const file of fixtureFiles) {
    const raw = readFileSync(path.join(fixtureDir, file), 'utf8');
    const applicable = mutations.filter((m) => !m.applies || m.applies(JSON.parse(raw)));

    describe(file, () => {
      it('validates with no errors', () => {
        const result = validator.validateDocument(JSON.parse(raw));
        expect(result.issues.filter(isError)).to.deep.equal([]);
        expect(result.valid).to.equal(true);
      });

      it(`gets at least ${MIN_MUTATIONS_PER_FIXTURE} mutations`, () => {
        expect(applicable.length).to.be.at.least(MIN_MUTATIONS_PER_FIXTURE);
      });

      for (const m of applicable) {
        it(m.name, () => {
          const expected = m.expected(JSON.parse(raw));
          const bundle = JSON.parse(raw);
          m.mutate(bundle);
          expect(JSON.stringify(bundle), 'the mutation changed nothing').not.to.equal(JSON.stringify(JSON.parse(raw)));
          const result = validator.validateDocument(bundle);
          expect(result.valid).to.equal(false);
          expect(flat(result.issues)).to.deep.include({ severity: 'error', ...expected });
        });
      }
    });
  }
});
