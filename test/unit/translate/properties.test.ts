/**
 * "Nothing lost" properties (fast-check): over generated documents (bench/synthetic.ts with random
 * size and seed, and fixtures with random extra codings) and the fixtures/IPS examples under random
 * options, every original Coding, every identifier kept by policy and every narrative of the source
 * is present in the translation; zh→en→zh and en→zh→en never drop a Coding.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { syntheticDischargeSummary } from '../../../bench/synthetic.js';
import type { Bundle } from '../../../src/fhir/types.js';
import type { ResidentIdPolicy } from '../../../src/translate/index.js';
import { codingsDropped, whatIsLost } from './lost.js';
import { fixture, FIXTURES, getTranslator, ipsExamples } from './setup.js';

const policy = fc.constantFrom<ResidentIdPolicy>('remove', 'pseudonym', 'keep');
const units = fc.constantFrom<'si' | 'conventional'>('si', 'conventional');

describe('translate/properties: nothing lost', function () {
  this.timeout(120000);
  const t = () => getTranslator();

  it('synthetic discharge summaries (any size, any seed) lose nothing zh→en and keep every Coding zh→en→zh', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 60 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), policy, units, (n, seed, residentId, u) => {
        const src = syntheticDischargeSummary(n, seed);
        const en = t().translateDocument(src, { target: 'en', units: u, identifierPolicy: { residentId } });
        expect(whatIsLost(src, en.document, { residentIdKept: residentId === 'keep' })).to.deep.equal([]);
        const back = t().translateDocument(en.document, { target: 'zh-CN', identifierPolicy: { residentId } });
        expect(codingsDropped(src, back.document, { residentIdKept: residentId === 'keep' })).to.deep.equal([]);
        expect(whatIsLost(src, back.document, { residentIdKept: residentId === 'keep' })).to.deep.equal([]);
      }),
      { numRuns: 25, seed: 20240513 },
    );
  });

  it('fixtures with arbitrary extra codings lose none of them, whatever the options', () => {
    const codingArb = fc.record({
      system: fc.constantFrom('urn:oid:2.16.156.10011.2.3.3.11.5', 'http://hl7.org/fhir/sid/icd-10', 'http://snomed.info/sct', 'urn:x-local', 'https://emr-gateway.example.org/fhir/CodeSystem/nhsa-drug'),
      code: fc.oneof(fc.constantFrom('I21.001', 'E11.9', 'XB01ACA056A001', 'K80.000x002'), fc.string({ minLength: 1, maxLength: 12 })),
      display: fc.oneof(fc.constant(undefined), fc.string(), fc.constantFrom('高血压', '阿司匹林肠溶片', 'Asthma')),
    }).map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.array(codingArb, { minLength: 1, maxLength: 4 }), fc.constantFrom<'en' | 'zh-CN'>('en', 'zh-CN'), policy, units,
        (name, extra, target, residentId, u) => {
          const src = fixture(name);
          for (const e of src.entry ?? []) {
            const r = e.resource as Record<string, any>;
            if (r.resourceType === 'Condition') r.code = { ...r.code, coding: [...(r.code.coding ?? []), ...extra] };
          }
          const out = t().translateDocument(src, { target, units: u, identifierPolicy: { residentId } });
          expect(whatIsLost(src, out.document, { residentIdKept: residentId === 'keep' })).to.deep.equal([]);
        }),
      { numRuns: 40, seed: 7 },
    );
  });

  const examples = ipsExamples();
  it(`IPS examples (${examples.length}) lose nothing en→zh and keep every Coding en→zh→en`, () => {
    expect(examples.length).to.be.greaterThan(4);
    fc.assert(
      fc.property(fc.constantFrom(...examples), policy, ([, src], residentId) => {
        const zh = t().translateDocument(src, { target: 'zh-CN', identifierPolicy: { residentId } });
        expect(whatIsLost(src, zh.document, { residentIdKept: true })).to.deep.equal([]);
        const en = t().translateDocument(zh.document, { target: 'en', identifierPolicy: { residentId } });
        expect(codingsDropped(src, en.document)).to.deep.equal([]);
        expect(whatIsLost(src as Bundle, en.document, { residentIdKept: true })).to.deep.equal([]);
      }),
      { numRuns: 20, seed: 11 },
    );
  });

  it('restores the original narrative on the way back (zh→en→zh)', () => {
    const src = fixture('cn-ami-pci');
    const back = t().translateDocument(t().translateDocument(src, { target: 'en', identifierPolicy: { residentId: 'keep' } }).document, { target: 'zh-CN', identifierPolicy: { residentId: 'keep' } });
    const s0 = (src.entry![0]!.resource as any).section.map((s: any) => s.text.div);
    const s2 = (back.document.entry![0]!.resource as any).section.map((s: any) => s.text.div);
    expect(s2).to.deep.equal(s0);
  });
});
