import { expect } from 'chai';
import { ERROR_TABLE, GatewayError } from '../../src/errors.js';
import { parseJsonResource } from '../../src/fhir/json.js';

describe('errors', () => {
  it('maps every code to a status, an issue type and an exit code', () => {
    for (const [code, spec] of Object.entries(ERROR_TABLE)) {
      expect(spec.status, code).to.be.within(400, 599);
      expect(spec.issueType, code).to.match(/^[a-z-]+$/);
      expect(spec.exitCode, code).to.be.above(1);
    }
  });
  it('builds a default issue carrying the expression', () => {
    const e = new GatewayError('INVALID_RESOURCE', 'bad', { expression: 'Bundle.type' });
    expect(e.status).to.equal(422);
    expect(e.issues[0]).to.include({ severity: 'error', code: 'invalid' });
    expect(e.issues[0]!.expression).to.deep.equal(['Bundle.type']);
  });
  it('refuses an unknown code as our own misuse', () => {
    expect(() => new GatewayError('NOPE' as never, 'x')).to.throw(TypeError);
  });
});

describe('parseJsonResource', () => {
  const cases: [string, string, string][] = [
    ['truncated JSON', '{"resourceType":"Bundle"', 'MALFORMED_JSON'],
    ['an array', '[1,2]', 'INVALID_RESOURCE'],
    ['no resourceType', '{"a":1}', 'INVALID_RESOURCE'],
    ['__proto__ key', '{"resourceType":"Bundle","__proto__":{"x":1}}', 'MALFORMED_JSON'],
    ['10,000 levels', '['.repeat(10000) + ']'.repeat(10000), 'MALFORMED_JSON'],
  ];
  for (const [name, text, code] of cases) {
    it(`refuses ${name} with ${code}`, () => {
      try {
        parseJsonResource(text);
        expect.fail('accepted');
      } catch (e) {
        expect(e).to.be.instanceOf(GatewayError);
        expect((e as GatewayError).code).to.equal(code);
      }
    });
  }
  it('accepts a resource and keeps a string containing brackets intact', () => {
    const r = parseJsonResource('{"resourceType":"Patient","name":[{"text":"[{{"}]}');
    expect(r).to.deep.equal({ resourceType: 'Patient', name: [{ text: '[{{' }] });
  });
});
