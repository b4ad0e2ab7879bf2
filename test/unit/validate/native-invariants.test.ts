/**
 * The native forms of per-1 and bdl-ips-1 (invariants.ts NATIVE_EXPR) must give fhirpath.js's
 * answer wherever they answer at all: each case runs the compiled runner and fhirpath.js with the
 * R4 model on the same value. Where fhirpath.js throws (an impossible date), the runner must throw
 * or skip too, never pass or fail the value on its own.
 */
import { expect } from 'chai';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { makeRunners } from '../../../src/validate/invariants.js';
import type { Ctx } from '../../../src/validate/context.js';
import type { ConstraintDef } from '../../../src/validate/model.js';

const PER1 = 'start.hasValue().not() or end.hasValue().not() or (start <= end)';
const BDL_IPS1 = 'entry.tail().where(resource is Composition).empty()';

function def(key: string, expression: string): ConstraintDef {
  return { key, severity: 'error', human: key, expression } as ConstraintDef;
}

/** fhirpath.js's verdict as the validator reads it: only a single `true` passes; a throw is 'throws'. */
function reference(base: string, expression: string, v: unknown): boolean | 'throws' {
  try {
    const r = fhirpath.evaluate(v as object, { base, expression }, {}, r4model) as unknown[];
    return r.length === 1 && r[0] === true;
  } catch {
    return 'throws';
  }
}

function ours(base: string, expression: string, key: string, v: unknown): boolean | 'throws' | 'skip' {
  const [runner] = makeRunners([def(key, expression)], base);
  const ctx = { resource: v, root: v } as unknown as Ctx;
  try {
    return runner!.run(v, ctx, base);
  } catch {
    return 'throws';
  }
}

const periods: Record<string, unknown>[] = [
  { start: '2024-01-01T10:00:00+08:00', end: '2024-01-01T02:00:00Z' },
  { start: '2024-01-01T10:00:00+08:00', end: '2024-01-01T01:59:59Z' },
  { start: '2024-01-01T10:00:00+14:00', end: '2024-01-01T10:00:00-12:00' },
  { start: '2024-01-01T10:00:00-12:00', end: '2024-01-01T10:00:00+14:00' },
  { start: '2024-03-01T00:00:00Z', end: '2024-02-29T23:59:59Z' },
  { start: '2024-01-01T10:00:00Z', end: '2024-01-01T10:00:00Z' },
  { start: '2024-01-01', end: '2024-01-02' },
  { start: '2024-01-02', end: '2024-01-01' },
  { start: '2024-01-01', end: '2024-01-01' },
  { start: '2024-01-01', end: '2024-01-01T00:00:00Z' },
  { start: '2024-01', end: '2024-01-05' },
  { start: '2024-02', end: '2024-01' },
  { start: '2024', end: '2025' },
  { start: '2024-01-01T10:00:00.5+08:00', end: '2024-01-01T10:00:00+08:00' },
  { start: '2024-01-01T10:00:00Z', end: '2024-01-01T10:00:00.000Z' },
  { start: '2024-02-30', end: '2024-03-01' },
  { start: '2023-02-29', end: '2023-03-01' },
  { start: '2024-01-01T24:00:00Z', end: '2024-01-02T00:00:00Z' },
  { start: '2024-01-01T10:00:00+15:00', end: '2024-01-02T00:00:00Z' },
  { start: '2024-13-01', end: '2024-12-01' },
  { start: '2024-01-01' },
  { end: '2024-01-01' },
  { _start: { extension: [] }, end: '2024-01-01' },
  {},
];

const bundles: Record<string, unknown>[] = [
  { resourceType: 'Bundle' },
  { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Composition' } }] },
  { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Composition' } }, { resource: { resourceType: 'Composition' } }] },
  { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient' } }, { resource: { resourceType: 'Composition' } }] },
  { resourceType: 'Bundle', entry: [{}, { resource: { resourceType: 'Patient' } }, { fullUrl: 'urn:uuid:x' }] },
  { resourceType: 'Bundle', entry: { resource: { resourceType: 'Composition' } } },
  { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient' } }, { resource: { resourceType: 'Foo' } }] },
];

describe('validate: native per-1 and bdl-ips-1 equal fhirpath.js', () => {
  for (const p of periods) {
    it(`per-1 on ${JSON.stringify(p)}`, () => {
      const want = reference('Period', PER1, p);
      const got = ours('Period', PER1, 'per-1', p);
      if (want === 'throws') expect(got).to.be.oneOf(['throws', 'skip']);
      else expect(got).to.equal(want);
    });
  }
  for (const b of bundles) {
    it(`bdl-ips-1 on ${JSON.stringify(b)}`, () => {
      const want = reference('Bundle', BDL_IPS1, b);
      const got = ours('Bundle', BDL_IPS1, 'bdl-ips-1', b);
      if (want === 'throws') expect(got).to.be.oneOf(['throws', 'skip']);
      else expect(got).to.equal(want);
    });
  }

  it('a different rule under the key per-1 is not taken for the R4 one', () => {
    const other = 'start.exists()';
    const v = { end: '2024-01-01' };
    expect(ours('Period', other, 'per-1', v)).to.equal(false);
  });
});
