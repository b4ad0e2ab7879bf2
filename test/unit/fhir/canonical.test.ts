/**
 * src/fhir/canonical.ts against its oracle, the `canonicalize` package (RFC 8785): byte-identical
 * output on random JSON values, our fixtures and the HL7 IPS examples; RFC 8785's own number
 * examples (Appendix B) and the test vectors of the RFC authors' reference implementation
 * (github.com/cyberphone/json-canonicalization, testdata/); refusals where JSON cannot represent
 * the value (lone surrogates, NaN, Infinity, cycles).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import canonicalizeImpl from 'canonicalize';
import { canonicalBytes, canonicalJson, canonicalJsonWithAndWithout } from '../../../src/fhir/canonical.js';
import { syntheticDischargeSummary } from '../../../bench/synthetic.js';

const oracle = canonicalizeImpl as unknown as (v: unknown) => string;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(repoRoot, '../shared');

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsonFiles(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []);

describe('canonicalJson (RFC 8785)', () => {
  it('canonicalJsonWithAndWithout equals canonicalJson of the object and of a copy without the member', () => {
    const name = fc.constantFrom('signature', 'a', '', 'resourceType', '\ud83d\ude02');
    const obj = fc.dictionary(fc.oneof(name, fc.string({ unit: 'binary', maxLength: 4 })), fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }));
    fc.assert(
      fc.property(obj, name, (o, n) => {
        const { [n]: _dropped, ...rest } = o;
        const r = canonicalJsonWithAndWithout(o, n);
        expect(r.whole).to.equal(canonicalJson(o));
        expect(r.without).to.equal(canonicalJson(rest));
      }),
      { numRuns: 500 },
    );
    const doc = syntheticDischargeSummary(10, 3) as Record<string, unknown>;
    const signed = { ...doc, signature: { sigFormat: 'application/jose', data: 'eyJ' } };
    expect(canonicalJsonWithAndWithout(signed, 'signature')).to.deep.equal({ whole: canonicalJson(signed), without: canonicalJson(doc) });
    const withUndefined = { b: 1, signature: undefined, a: [undefined, 2] };
    expect(canonicalJsonWithAndWithout(withUndefined, 'signature')).to.deep.equal({ whole: canonicalJson(withUndefined), without: canonicalJson({ b: 1, a: [undefined, 2] }) });
  });

  it('matches the canonicalize package on random JSON values (full Unicode strings, doubles, nesting)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' }), (v) => {
        expect(canonicalJson(v)).to.equal(oracle(v));
      }),
      { numRuns: 800 },
    );
  });

  it('matches it on objects whose member names collide in interesting ways (case, digits, non-BMP, escapes)', () => {
    const name = fc.oneof(
      fc.constantFrom('', '1', '10', '111', '2', 'A', 'a', 'aa', 'resourceType', '\u20ac', '\ud83d\ude02', '\ufb33', '\u0080', '"', '\\', '\n', '\u001f', '</script>'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.dictionary(name, fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: 'binary' }), fc.constant(null)), { maxKeys: 12 }), (o) => {
        expect(canonicalJson(o)).to.equal(oracle(o));
      }),
      { numRuns: 1000 },
    );
  });

  it('matches it on our fixtures, a synthetic 100-entry document and every IPS example of the shared corpus', () => {
    const files = [
      ...jsonFiles(path.join(repoRoot, 'test/fixtures')),
      ...jsonFiles(path.join(shared, 'corpus/ips-uv-1.1.0')),
      ...jsonFiles(path.join(shared, 'corpus/ips-uv-2.0.0')),
    ];
    expect(files.length).to.be.greaterThan(50);
    for (const f of files) {
      const v = JSON.parse(readFileSync(f, 'utf8')) as unknown;
      expect(canonicalJson(v), path.relative(shared, f)).to.equal(oracle(v));
    }
    const doc = syntheticDischargeSummary(100, 7);
    expect(canonicalJson(doc)).to.equal(oracle(doc));
  });

  it('serialises the numbers of RFC 8785 Appendix B as specified', () => {
    const cases: [string, string][] = [
      ['0000000000000000', '0'], ['8000000000000000', '0'], ['0000000000000001', '5e-324'], ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'], ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'], ['c340000000000000', '-9007199254740992'], ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'], ['44b52d02c7e14af6', '1e+23'], ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'], ['444b1ae4d6e2ef4f', '999999999999999900000'], ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'], ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'], ['41b3de4355555554', '333333333.33333325'], ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'], ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'], ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [hex, expected] of cases) {
      const n = Buffer.from(hex, 'hex').readDoubleBE(0);
      expect(canonicalJson(n), hex).to.equal(expected);
      expect(canonicalJson([n]), hex).to.equal(`[${expected}]`);
    }
  });

  it('produces the reference implementation\'s outputs for its test vectors (cyberphone/json-canonicalization testdata)', () => {
    const vectors: [string, string][] = [
      // arrays.json
      ['[56, {"d": true, "10": null, "1": [ ]}]', '[56,{"1":[],"10":null,"d":true}]'],
      // french.json: the order is by UTF-16 code units, not by locale
      ['{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}',
        '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}'],
      // structures.json
      ['{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},"10": { },"": "empty","a": { },"111": [ { } ],"A": { }}',
        '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}'],
      // unicode.json: no normalisation
      ['{"Unnormalized Unicode":"\\u1e0d\\u0307"}', '{"Unnormalized Unicode":"\u1e0d\u0307"}'],
      // values.json
      ['{"numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],"escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals": [null, true, false]}',
        '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}'],
      // weird.json
      ['{"\\u20ac": "Euro Sign","1": "One","\\u0080": "Control\\u007f","\\ud83d\\ude02": "Smiley","\\u00f6": "Latin Small Letter O With Diaeresis","\\ufb33": "Hebrew Letter Dalet With Dagesh","</script>": "Browser Challenge"}',
        '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}'],
    ];
    for (const [input, expected] of vectors) {
      const v = JSON.parse(input) as unknown;
      expect(canonicalJson(v)).to.equal(expected);
      expect(oracle(v)).to.equal(expected);
    }
  });

  it('refuses what RFC 8785 / I-JSON cannot represent with a TypeError, where the oracle refuses too', () => {
    const bad: unknown[] = [
      'a\ud800', '\udc00b', { ['x\ud83d']: 1 }, [1, '\ude02'], Number.NaN, Number.POSITIVE_INFINITY, [Number.NEGATIVE_INFINITY], { a: Number.NaN },
    ];
    for (const v of bad) {
      expect(() => canonicalJson(v)).to.throw(TypeError);
      expect(() => oracle(v)).to.throw();
    }
    const cyclic: Record<string, unknown> = { a: { b: [] } };
    ((cyclic.a as Record<string, unknown>).b as unknown[]).push(cyclic);
    expect(() => canonicalJson(cyclic)).to.throw(TypeError);
    expect(() => canonicalJson(undefined)).to.throw(TypeError);
    expect(() => canonicalJson(10n)).to.throw(TypeError);
  });

  it('leaves out undefined members, writes null for undefined array items and honours toJSON, as the oracle does', () => {
    const v = { b: undefined, a: [undefined, 1], when: new Date(Date.UTC(2024, 0, 2)), nested: { toJSON: () => ({ z: 1, y: 2 }) } };
    expect(canonicalJson(v)).to.equal('{"a":[null,1],"nested":{"y":2,"z":1},"when":"2024-01-02T00:00:00.000Z"}');
    expect(canonicalJson(v)).to.equal(oracle(v));
  });

  it('a deep but acyclic value (past the depth where cycles are looked for) is serialised', () => {
    let v: unknown = 'leaf';
    for (let i = 0; i < 200; i++) v = i % 2 ? { k: v, shared: 1 } : [v];
    expect(canonicalJson(v)).to.equal(oracle(v));
  });

  it('canonicalBytes is the UTF-8 encoding of canonicalJson', () => {
    const v = { 中文: '出院小结', emoji: '\ud83d\ude02' };
    expect(Buffer.from(canonicalBytes(v)).toString('utf8')).to.equal(canonicalJson(v));
  });
});
