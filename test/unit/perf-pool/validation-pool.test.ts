/**
 * The validation worker pool (issue 10): same answers as the in-thread validator, a crashed worker
 * is survived (its in-flight requests rejected INTERNAL, a replacement serves the next ones), many
 * concurrent validations all settle, and close() refuses further work.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { buildValidator, documentCheck, resourceCheck } from '../../../src/compose/validation.js';
import { createValidationPool, type ValidationPool } from '../../../src/compose/validation-pool.js';
import { GatewayError } from '../../../src/errors.js';
import type { Validator } from '../../../src/validate/index.js';
import type { Bundle, Resource } from '../../../src/fhir/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const profileDirs = [path.join(root, 'fhir-profiles')];
const fixturesDir = path.join(root, 'test/fixtures');
const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f, bundle: JSON.parse(readFileSync(path.join(fixturesDir, f), 'utf8')) as Bundle }));

/** A fixture with its Composition's subject and date removed and an entry without fullUrl. */
function broken(): Bundle {
  const b = structuredClone(fixtures[0]!.bundle) as Bundle & { entry: { fullUrl?: string; resource: Record<string, unknown> }[] };
  const comp = b.entry[0]!.resource;
  delete comp.subject;
  delete comp.date;
  delete b.entry[1]!.fullUrl;
  return b;
}

describe('validation worker pool (issue 10)', function () {
  this.timeout(120_000);
  let validator: Validator;
  let pool: ValidationPool;

  before(() => {
    validator = buildValidator(profileDirs).validator;
    pool = createValidationPool({ size: 2, profileDirs });
  });
  after(() => pool.close());

  it('gives the in-thread issues for every fixture and a broken document', async () => {
    expect(fixtures.length).to.be.greaterThan(0);
    for (const { name, bundle } of [...fixtures, { name: 'broken', bundle: broken() }]) {
      const here = validator.validateDocument(structuredClone(bundle)).issues;
      const there = (await pool.validate(bundle, 'document')).issues;
      expect(there, name).to.deep.equal(here);
    }
    const bad = (await pool.validate(broken(), 'document')).issues;
    expect(bad.some((i) => i.severity === 'error')).to.equal(true);
  });

  it('gives the in-thread issues for a resource against a named profile ($validate)', async () => {
    const patient = (fixtures[0]!.bundle.entry as { resource: Resource }[]).map((e) => e.resource).find((r) => r.resourceType === 'Patient')!;
    const profiles = ['http://hl7.org/fhir/StructureDefinition/Patient'];
    const here = await resourceCheck(validator)(patient, profiles);
    const there = await resourceCheck(pool)(patient, profiles);
    expect(there.issues).to.deep.equal(here.issues);
  });

  it('documentCheck over the pool refuses a broken document with VALIDATION_FAILED and its issues', async () => {
    const err = await documentCheck(pool)(broken()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(GatewayError);
    expect((err as GatewayError).code).to.equal('VALIDATION_FAILED');
    expect((err as GatewayError).issues.some((i) => i.severity === 'error')).to.equal(true);
    const ok = await documentCheck(pool)(fixtures[0]!.bundle);
    expect(ok.issues.every((i) => i.severity !== 'error' && i.severity !== 'fatal')).to.equal(true);
  });

  it('completes 20 concurrent validations with the same answers', async () => {
    const inputs = Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? broken() : fixtures[i % fixtures.length]!.bundle));
    const expected = inputs.map((b) => validator.validateDocument(structuredClone(b)).issues);
    const results = await Promise.all(inputs.map((b) => pool.validate(b, 'document')));
    results.forEach((r, i) => expect(r.issues, `#${i}`).to.deep.equal(expected[i]));
  });

  it('survives a crashed worker: in-flight requests are rejected INTERNAL, later ones are served', async () => {
    const spawned: Worker[] = [];
    const crashing = createValidationPool({ size: 1, profileDirs, onSpawn: (w) => spawned.push(w) });
    try {
      await crashing.validate(fixtures[0]!.bundle, 'document'); // started and ready
      const pending = Array.from({ length: 20 }, () => crashing.validate(fixtures[0]!.bundle, 'document'));
      // Kill the worker from outside, as an out-of-memory abort or native crash would.
      await spawned[0]!.terminate();
      const outcomes = await Promise.all(
        pending.map((p) =>
          p.then(
            () => 'resolved',
            (e: unknown) => (e instanceof GatewayError ? e.code : 'other'),
          ),
        ),
      );
      expect(outcomes).to.include('INTERNAL');
      expect(outcomes.filter((o) => o !== 'resolved' && o !== 'INTERNAL')).to.deep.equal([]);
      expect(spawned).to.have.length(2);
      const after = await crashing.validate(fixtures[0]!.bundle, 'document');
      expect(after.issues).to.deep.equal(validator.validateDocument(structuredClone(fixtures[0]!.bundle)).issues);
    } finally {
      await crashing.close();
    }
  });

  it('ready() settles once the workers are built, and rejects INTERNAL when they cannot start', async () => {
    await pool.ready();
    const broken = createValidationPool({ size: 1, profileDirs: [path.join(root, 'no-such-profiles-folder')] });
    try {
      const err = await broken.ready().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(GatewayError);
      expect((err as GatewayError).code).to.equal('INTERNAL');
      const code = await broken.validate(fixtures[0]!.bundle, 'document').then(
        () => 'resolved',
        (e: unknown) => (e instanceof GatewayError ? e.code : 'other'),
      );
      expect(code).to.equal('INTERNAL');
    } finally {
      await broken.close();
    }
  });

  it('refuses work after close() with INTERNAL instead of hanging', async () => {
    const p = createValidationPool({ size: 1, profileDirs });
    const pending = p.validate(fixtures[0]!.bundle, 'document');
    await p.close();
    const codes = await Promise.all(
      [pending, p.validate(fixtures[0]!.bundle, 'document')].map((x) =>
        x.then(
          () => 'resolved',
          (e: unknown) => (e instanceof GatewayError ? e.code : 'other'),
        ),
      ),
    );
    expect(codes).to.deep.equal(['INTERNAL', 'INTERNAL']);
  });
});
