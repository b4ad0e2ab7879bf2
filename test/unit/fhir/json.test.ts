/**
 * The fast paths of safe JSON intake (src/fhir/json.ts) give exactly the results of the plain
 * definitions: jsonDepth (which skips strings with indexOf) equals a char-by-char scan on random
 * and tricky texts, and parseJsonResource refuses every forbidden member name however it is
 * spelt (literally or with \u escapes) while accepting the same texts as JSON.parse with a reviver.
 */
import { expect } from 'chai';
import { GatewayError } from '../../../src/errors.js';
import { jsonDepth, parseJsonResource } from '../../../src/fhir/json.js';

/** The reference: the char-by-char scan jsonDepth replaced. */
function depthReference(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fhir/json fast paths', () => {
  it('jsonDepth equals the char-by-char scan on tricky texts', () => {
    const texts = [
      '', '{}', '[[[]]]', '{"a":"[[["}', '{"a":"\\"[["}', '{"a":"\\\\"}', '{"a":"\\\\\\"{{"}', '{"a":"x\\\\\\\\"}',
      '{"a":"unterminated [[[', '"', '"\\', '"\\"', '{"a":["\\\\",{"b":"\\\\\\\\\\"]"}]}', '{"名":"「[」","b":[{"c":"\\u005b"}]}',
    ];
    for (const t of texts) expect(jsonDepth(t), t).to.equal(depthReference(t));
  });

  it('jsonDepth equals the char-by-char scan on random texts of JSON punctuation, quotes and backslashes', () => {
    const next = random(10);
    const alphabet = ['{', '}', '[', ']', '"', '\\', 'a', ':', ',', '中'];
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(next() * 40);
      let t = '';
      for (let i = 0; i < len; i++) t += alphabet[Math.floor(next() * alphabet.length)];
      expect(jsonDepth(t), JSON.stringify(t)).to.equal(depthReference(t));
    }
  });

  it('refuses forbidden member names spelt literally or with \\u escapes', () => {
    const spellings = ['__proto__', 'constructor', 'prototype', '\\u005f\\u005fproto\\u005f\\u005f', '\\u0063onstructor', 'prot\\u006ftype'];
    for (const name of spellings) {
      const text = `{"resourceType":"Patient","x":{"${name}":{"polluted":true}}}`;
      const e = (() => {
        try {
          parseJsonResource(text);
          return undefined;
        } catch (x) {
          return x;
        }
      })();
      expect(e, name).to.be.instanceOf(GatewayError);
      expect((e as GatewayError).code, name).to.equal('MALFORMED_JSON');
    }
  });

  it('accepts the same data as JSON.parse where the forbidden words are only values, and with escapes', () => {
    for (const text of [
      '{"resourceType":"Patient","text":"the constructor of the prototype __proto__"}',
      '{"resourceType":"Patient","name":[{"text":"\\u674e\\u56db","given":["a\\nb"]}]}',
      '{"resourceType":"Patient","id":"p1","active":true,"n":[1,2.5,-0]}',
    ]) {
      expect(parseJsonResource(text)).to.deep.equal(JSON.parse(text));
    }
  });
});
