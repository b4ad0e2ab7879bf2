import { expect } from 'chai';
import { tsToDate, tsToDateTime } from '../../../src/ingest/cda/datetime.js';
import { narrativeBody, wrapDiv } from '../../../src/ingest/cda/narrative.js';
import { repairKnownDefects } from '../../../src/ingest/cda/repair.js';
import { parseXml } from '../../../src/ingest/cda/xml.js';
import { fixture, FIXTURES } from './helpers.js';

describe('CDA TS → FHIR dateTime (+08:00 when no zone)', () => {
  const cases: [string, string | undefined][] = [
    ['20240312093000', '2024-03-12T09:30:00+08:00'],
    ['202403120930', '2024-03-12T09:30:00+08:00'],
    ['2024031209', '2024-03-12T09:00:00+08:00'],
    ['20240312', '2024-03-12'],
    ['202403', '2024-03'],
    ['2024', '2024'],
    ['20240312093000.5', '2024-03-12T09:30:00.5+08:00'],
    ['20240312093000+0000', '2024-03-12T09:30:00+00:00'],
    ['20240230', undefined],
    ['20241301', undefined],
    ['20240312250000', undefined],
    ['2024-03-12', undefined],
    ['', undefined],
  ];
  for (const [ts, want] of cases) it(`${JSON.stringify(ts)} → ${String(want)}`, () => expect(tsToDateTime(ts)).to.equal(want));
  it('date keeps only the day', () => expect(tsToDate('20240312093000')).to.equal('2024-03-12'));
});

describe('CDA narrative → XHTML', () => {
  const body = (xml: string): string => narrativeBody(parseXml(`<text xmlns="urn:hl7-org:v3">${xml}</text>`));
  it('maps paragraph, content, list (ordered with caption), table cells with spans, br, sub/sup', () => {
    expect(body('<paragraph>a<content styleCode="Bold">b</content><br/>c<sup>2</sup></paragraph>')).to.equal('<p>a<span>b</span><br/>c<sup>2</sup></p>');
    expect(body('<list listType="ordered"><caption>诊断</caption><item>一</item><item>二</item></list>')).to.equal('<p><b>诊断</b></p><ol><li>一</li><li>二</li></ol>');
    expect(body('<table border="1"><tbody><tr><td colspan="2" onclick="x">甲</td></tr></tbody></table>')).to.equal('<table><tbody><tr><td colspan="2">甲</td></tr></tbody></table>');
  });
  it('escapes text and drops links and multimedia, keeping their text', () => {
    expect(body('&lt;script&gt;alert(1)&lt;/script&gt; &amp; <linkHtml href="javascript:x">看</linkHtml><renderMultiMedia referencedObject="x"/>')).to.equal(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; <span>看</span>',
    );
  });
  it('splits bare multi-line text into paragraphs', () => {
    expect(body('\n  第一行\n\n  第二行  \n')).to.equal('<p>第一行</p><p>第二行</p>');
  });
  it('wraps with the zh-CN XHTML div', () => {
    expect(wrapDiv('<p>x</p>')).to.equal('<div xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN"><p>x</p></div>');
  });
});

describe('CDA lenient pre-pass for the broken displayName attribute', () => {
  it('repairs the known shape on the same line and reports it', () => {
    const { xml, repairs } = repairKnownDefects('<a>\n<code code="DE06.00.193.00 displayName=" 出院情况" codeSystem="2.16.156.10011.2.2.1"/></a>');
    expect(xml).to.equal('<a>\n<code code="DE06.00.193.00" displayName="出院情况" codeSystem="2.16.156.10011.2.2.1"/></a>');
    expect(repairs).to.deep.equal([{ line: 2, code: 'DE06.00.193.00', display: '出院情况' }]);
  });
  it('leaves every well-formed fixture unchanged', () => {
    for (const f of FIXTURES.filter((n) => !n.includes('broken'))) {
      const x = fixture(f);
      expect(repairKnownDefects(x).xml, f).to.equal(x);
    }
  });
  it('does not touch a well-formed attribute that merely looks similar', () => {
    const x = '<code code="DE06.00.193.00 displayName=" foo="bar"/>';
    expect(repairKnownDefects(x).xml).to.equal(x);
  });
});
