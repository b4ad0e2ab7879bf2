/**
 * Hostile and broken CDA input: each case ends in the right coded GatewayError, never a crash,
 * never a read of the file system, never the parser's own message; plus a fast-check fuzz over
 * mutated fixtures.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
import { GatewayError } from '../../../src/errors.js';
import { convert, fixture, FIXTURES, thrown } from './helpers.js';

const BASE = fixture('01-pneumonia-icd10-oid-11-3.xml');
const BODY = BASE.slice(BASE.indexOf('<ClinicalDocument'));

function expectCoded(e: unknown, code: string, rule?: string): GatewayError {
  expect(e).to.be.instanceOf(GatewayError);
  const g = e as GatewayError;
  expect(g.code).to.equal(code);
  if (rule) expect(g.issues.map((i) => i.rule)).to.include(rule);
  return g;
}

describe('CDA ingest: malformed and hostile input', () => {
  it('truncated XML → MALFORMED_XML with line and column, without the parser message', () => {
    const g = expectCoded(thrown(() => convert(BASE.slice(0, 5000))), 'MALFORMED_XML', 'cda-xml-malformed');
    expect(g.message).to.match(/line \d+, column \d+/);
    expect(g.issues[0]!.expression![0]).to.match(/^line \d+, column \d+$/);
    expect(g.message).to.not.match(/unclosed|saxes|tag/i);
    expect(g.cause).to.be.instanceOf(Error);
  });

  it('DOCTYPE with an external entity → MALFORMED_XML, and no file is read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cda-xxe-'));
    const secret = path.join(dir, 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-MARKER');
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM "file://${secret}">]>\n` +
      BODY.replace('<title>出院小结</title>', '<title>&xxe;</title>');
    const calls: string[] = [];
    const names = ['readFileSync', 'readFile', 'openSync', 'open', 'createReadStream'] as const;
    const saved = names.map((n) => (fs as any)[n]);
    names.forEach((n, i) => {
      (fs as any)[n] = (...args: unknown[]) => {
        calls.push(`${n}:${String(args[0])}`);
        return saved[i](...args);
      };
    });
    syncBuiltinESMExports();
    let e: unknown;
    try {
      e = thrown(() => convert(xml));
    } finally {
      names.forEach((n, i) => ((fs as any)[n] = saved[i]));
      syncBuiltinESMExports();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const g = expectCoded(e, 'MALFORMED_XML', 'cda-xml-malformed');
    expect(calls).to.deep.equal([]);
    expect(JSON.stringify(g.issues) + g.message).to.not.include('TOP-SECRET');
  });

  it('billion laughs → MALFORMED_XML quickly', () => {
    const ents = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) ents.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE lolz [${ents.join('')}]>\n<lolz>&lol9;</lolz>`;
    const t0 = Date.now();
    expectCoded(thrown(() => convert(xml)), 'MALFORMED_XML');
    expect(Date.now() - t0).to.be.below(1000);
  });

  it('an undeclared entity reference (no DOCTYPE) → MALFORMED_XML', () => {
    expectCoded(thrown(() => convert(BODY.replace('<title>出院小结</title>', '<title>&xxe;</title>'))), 'MALFORMED_XML');
  });

  it('10,000-deep nesting → MALFORMED_XML (depth limit), no stack overflow', () => {
    const deep = BODY.replace('<title>出院小结</title>', `<title>${'<x>'.repeat(10000)}${'</x>'.repeat(10000)}</title>`);
    expectCoded(thrown(() => convert(deep)), 'MALFORMED_XML', 'cda-xml-depth');
  });

  it('input over the size limit → TOO_LARGE; element count over the limit → TOO_LARGE', () => {
    expectCoded(thrown(() => convert(BASE, { maxBytes: 1000 })), 'TOO_LARGE', 'cda-xml-size');
    expectCoded(thrown(() => convert(BASE, { maxElements: 50 })), 'TOO_LARGE', 'cda-xml-elements');
  });

  it('a CDA of another document type (C0001 病历概要) → CONVERSION_FAILED at /ClinicalDocument/code', () => {
    const other = BASE.replace('code="C0053"', 'code="C0001"').replace('2.16.156.10011.2.1.1.73', '2.16.156.10011.2.1.1.21');
    const g = expectCoded(thrown(() => convert(other)), 'CONVERSION_FAILED', 'cda-wrong-document-type');
    const issue = g.issues.find((i) => i.rule === 'cda-wrong-document-type')!;
    expect(issue.expression).to.deep.equal(['/ClinicalDocument/code']);
    expect(g.issues.map((i) => i.rule)).to.include('cda-wrong-template');
  });

  it('a C0053 code with another part\'s templateId → CONVERSION_FAILED (wrong template)', () => {
    expectCoded(thrown(() => convert(BASE.replace('2.16.156.10011.2.1.1.73', '2.16.156.10011.2.1.1.21'))), 'CONVERSION_FAILED', 'cda-wrong-template');
  });

  it('a root element other than ClinicalDocument → CONVERSION_FAILED', () => {
    expectCoded(thrown(() => convert('<Bundle xmlns="http://hl7.org/fhir"/>')), 'CONVERSION_FAILED', 'cda-not-clinical-document');
  });

  it('no ClinicalDocument/code → CONVERSION_FAILED', () => {
    const xml = BASE.replace(/<code code="C0053"[^>]*\/>/, '');
    expectCoded(thrown(() => convert(xml)), 'CONVERSION_FAILED', 'cda-no-document-code');
  });

  it('missing patient → CONVERSION_FAILED at /ClinicalDocument/recordTarget/patientRole', () => {
    const xml = BASE.replace(/<recordTarget[\s\S]*<\/recordTarget>/, '');
    const g = expectCoded(thrown(() => convert(xml)), 'CONVERSION_FAILED', 'cda-no-patient');
    expect(g.issues.find((i) => i.rule === 'cda-no-patient')!.expression).to.deep.equal(['/ClinicalDocument/recordTarget/patientRole']);
  });

  it('a patient without any identifier → CONVERSION_FAILED at the patientRole', () => {
    const xml = BASE.replace(/<id root="2\.16\.156\.10011\.1\.(19|12|3)" extension="[^"]*"\/>/g, '');
    const g = expectCoded(thrown(() => convert(xml)), 'CONVERSION_FAILED', 'cda-no-patient-id');
    expect(g.issues.find((i) => i.rule === 'cda-no-patient-id')!.expression).to.deep.equal(['/ClinicalDocument/recordTarget/patientRole']);
  });

  it('no sections → CONVERSION_FAILED; a section without a code → CONVERSION_FAILED with its XPath', () => {
    const none = BASE.replace(/<structuredBody>[\s\S]*<\/structuredBody>/, '<structuredBody></structuredBody>');
    expectCoded(thrown(() => convert(none)), 'CONVERSION_FAILED', 'cda-no-sections');
    const noCode = BASE.replace(/<code code="18776-5"[^>]*\/>/, '');
    const g = expectCoded(thrown(() => convert(noCode)), 'CONVERSION_FAILED', 'cda-section-no-code');
    expect(g.issues.find((i) => i.rule === 'cda-section-no-code')!.expression).to.deep.equal([
      '/ClinicalDocument/component/structuredBody/component[5]/section',
    ]);
  });

  it('reports every error at once (missing document time and missing author together)', () => {
    const xml = BASE.replace(/<effectiveTime value="20240312093000"\/>/, '').replace(/<author [\s\S]*<\/author>/, '');
    const g = expectCoded(thrown(() => convert(xml)), 'CONVERSION_FAILED');
    expect(g.issues.map((i) => i.rule)).to.include.members(['cda-no-document-time', 'cda-no-author']);
  });
});

describe('CDA ingest: fuzz (fast-check) — only GatewayError ever escapes', () => {
  const docs = FIXTURES.map(fixture);
  const ALLOWED = new Set(['MALFORMED_XML', 'TOO_LARGE', 'CONVERSION_FAILED']);
  type Mutation = { doc: number; kind: 'truncate' | 'insert' | 'delete'; at: number; len: number; chars: string };
  const mutation = fc.record({
    doc: fc.nat({ max: docs.length - 1 }),
    kind: fc.constantFrom('truncate' as const, 'insert' as const, 'delete' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    len: fc.nat({ max: 400 }),
    chars: fc.string({ unit: fc.constantFrom('<', '>', '/', '"', "'", '=', '&', ';', '!', '?', ' ', 'a', '中', '\u0000', ']]>', '<!--', 'xsi:', '&#', 'x'), maxLength: 12 }),
  });
  const apply = (m: Mutation): string => {
    const d = docs[m.doc]!;
    const i = Math.floor(m.at * d.length);
    if (m.kind === 'truncate') return d.slice(0, i);
    if (m.kind === 'insert') return d.slice(0, i) + m.chars + d.slice(i);
    return d.slice(0, i) + d.slice(i + m.len);
  };

  it('never throws anything but a coded GatewayError over 300 mutated fixtures', () => {
    let converted = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const xml = apply(m);
        try {
          const r = convert(xml);
          converted++;
          expect(r.bundle.type).to.equal('document');
          const bin = r.bundle.entry!.find((e) => e.resource!.resourceType === 'Binary')!.resource as any;
          expect(Buffer.from(bin.data, 'base64').toString('utf8')).to.equal(xml);
        } catch (e) {
          if (!(e instanceof GatewayError) || !ALLOWED.has(e.code)) throw e;
        }
      }),
      { numRuns: 300, seed: 20240901 },
    );
    expect(converted).to.be.above(0);
  });
});
