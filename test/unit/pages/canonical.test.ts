/**
 * The viewer's RFC 8785 canonicaliser (src/http/pages/assets/canonical.js) must produce exactly the
 * bytes of the gateway's (src/fhir/canonical.ts), or signatures would not verify in the browser.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../../../src/fhir/canonical.js';
import { repoRoot } from '../../support/server.js';
import { client } from './helpers.js';

describe('pages: RFC 8785 canonicaliser in the browser', () => {
  let canonicalize: (v: unknown) => string;
  before(async () => {
    ({ canonicalize } = await client('canonical.js'));
  });

  it('equals the gateway canonicaliser on every fixture document', () => {
    const dir = path.join(repoRoot, 'test/fixtures');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).to.be.greaterThan(2);
    for (const f of files) {
      const doc = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
      expect(canonicalize(doc), f).to.equal(canonicalJson(doc));
    }
  });

  it('sorts keys by UTF-16 code units and writes ECMAScript numbers (RFC 8785 §3.2.2.3, §3.2.3)', () => {
    expect(canonicalize({ b: 1, a: 2, '\u20ac': 3, '\r': 4, '\ud83d\ude00': 5, 'ﬀ': 6 })).to.equal('{"\\r":4,"a":2,"b":1,"€":3,"😀":5,"ﬀ":6}');
    expect(canonicalize([1e21, 1e-7, 0.000001, -0, 333333333.3333333, 4.5, 2e-3])).to.equal('[1e+21,1e-7,0.000001,0,333333333.3333333,4.5,0.002]');
    expect(canonicalize({ s: 'é\u2028"\\\u0001' })).to.equal('{"s":"é\u2028\\"\\\\\\u0001"}');
    expect(() => canonicalize({ x: Number.NaN })).to.throw(TypeError);
  });

  it('agrees with the gateway on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalize(v)).to.equal(canonicalJson(v));
      }),
      { numRuns: 300 },
    );
  });
});
