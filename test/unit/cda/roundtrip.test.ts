/**
 * Round trip, element by element: what the CDA holds (sections, coded elements, free text) is
 * counted from the XML independently of the mapping code, and each item is looked for in the
 * Bundle. Also: every known defect in the fixtures produces its warning with an XPath.
 */
import { expect } from 'chai';
import { parseXml, type XmlElement } from '../../../src/ingest/cda/xml.js';
import { repairKnownDefects } from '../../../src/ingest/cda/repair.js';
import { convert, fixture, FIXTURES, resources } from './helpers.js';

const DE = '2.16.156.10011.2.2.1';
const DIAGNOSIS_DE = new Set(['DE05.01.024.00', 'DE05.10.130.00']);
const INTERNATIONAL: Record<string, string> = {
  '2.16.840.1.113883.6.1': 'http://loinc.org',
  '2.16.840.1.113883.5.25': 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
};

function all(el: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) if (c.kind === 'element') {
      if (!name || c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
const at = (e: XmlElement | undefined, n: string): string | undefined => e?.attrs.find((a) => a.local === n && a.uri === '')?.value;
const child = (e: XmlElement | undefined, n: string): XmlElement | undefined =>
  e?.children.find((c): c is XmlElement => c.kind === 'element' && c.name === n);
const text = (e: XmlElement | undefined): string =>
  e ? e.children.map((c) => (c.kind === 'text' ? c.text : text(c))).join('') : '';
const squash = (s: string): string => s.replace(/\s+/g, '');
const divText = (div: string): string => squash(div.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));

/** The expected system URI for a CDA code system OID after the documented normalisations. */
function expectedSystem(oid: string, code: string): string {
  let o = oid.startsWith('2016.156.') ? '2.16.156.' + oid.slice(9) : oid;
  if (/^2\.16\.156\.10011\.2\.3\.3\.11\.[35]$/.test(o)) o = '2.16.156.10011.2.3.3.11';
  if (/^DE\d\d\.\d\d\.\d{3}\.\d\d$/.test(code)) o = DE;
  return INTERNATIONAL[o] ?? `urn:oid:${o}`;
}

function outputCodings(bundle: unknown): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);
  JSON.stringify(bundle, (_k, v) => {
    if (v && typeof v === 'object' && typeof v.system === 'string' && typeof v.code === 'string') bump(`${v.system}|${v.code}`);
    if (v && typeof v === 'object' && v.resourceType === 'Composition' && v.confidentiality) {
      bump(`http://terminology.hl7.org/CodeSystem/v3-Confidentiality|${v.confidentiality}`);
    }
    return v;
  });
  return counts;
}

for (const name of FIXTURES) {
  describe(`CDA round trip: ${name}`, () => {
    const xml = fixture(name);
    const doc = parseXml(repairKnownDefects(xml).xml);
    const r = convert(xml);
    const comp = r.bundle.entry![0]!.resource as Record<string, any>;
    const cdaSections = all(doc, 'section');
    const observations = all(doc, 'observation');
    const codeOf = (o: XmlElement): string | undefined => at(child(o, 'code'), 'code');
    const valueType = (o: XmlElement): string | undefined =>
      child(o, 'value')?.attrs.find((a) => a.local === 'type')?.value;

    it('has one FHIR section per CDA section, same order, same LOINC code, with all of its narrative text', () => {
      expect(comp.section).to.have.length(cdaSections.length);
      cdaSections.forEach((s, i) => {
        const out = comp.section[i];
        expect(out.code.coding[0]).to.include({ system: 'http://loinc.org', code: at(child(s, 'code'), 'code') });
        expect(divText(out.text.div)).to.include(squash(text(child(s, 'text'))));
      });
    });

    it('keeps every free-text entry value (ST) in its section narrative', () => {
      let n = 0;
      cdaSections.forEach((s, i) => {
        for (const o of all(s, 'observation').filter((x) => valueType(x) === 'ST')) {
          expect(divText(comp.section[i].text.div), codeOf(o)).to.include(squash(text(child(o, 'value'))));
          n++;
        }
      });
      expect(n).to.be.at.least(6);
    });

    it('turns each diagnosis value into one Condition and each procedure into one Procedure', () => {
      const dx = observations.filter((o) => DIAGNOSIS_DE.has(codeOf(o) ?? ''));
      expect(resources(r, 'Condition')).to.have.length(dx.length);
      expect(resources(r, 'Procedure')).to.have.length(all(doc, 'procedure').length);
      for (const [loinc, role] of [['46241-6', 'AD'], ['11535-2', 'DD']] as const) {
        const sec = cdaSections.find((s) => at(child(s, 'code'), 'code') === loinc)!;
        const inSection = all(sec, 'observation').filter((o) => DIAGNOSIS_DE.has(codeOf(o) ?? '')).length;
        const enc = resources(r, 'Encounter')[0]!;
        expect(enc.diagnosis.filter((d: any) => d.use.coding[0].code === role), role).to.have.length(inSection);
        expect(comp.section.find((s: any) => s.code.coding[0].code === loinc).entry).to.have.length(inSection);
      }
    });

    it('keeps every coded element (code + codeSystem) as a Coding with the same code, counted per code', () => {
      const expected = new Map<string, number>();
      for (const e of all(doc)) {
        const code = at(e, 'code');
        const sys = at(e, 'codeSystem');
        if (!code || !sys) continue;
        // The data-element name of a free-text or diagnosis entry is carried by where its content
        // goes (narrative label, Condition), not as a Coding; every other coded element must be.
        const obs = e.name === 'code' && e.parent?.name === 'observation' ? e.parent : undefined;
        if (obs && (valueType(obs) === 'ST' || DIAGNOSIS_DE.has(code))) continue;
        const key = `${expectedSystem(sys, code)}|${code}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      expect(expected.size).to.be.at.least(15);
      const got = outputCodings(r.bundle);
      for (const [key, n] of expected) expect(got.get(key) ?? 0, key).to.be.at.least(n);
    });
  });
}

describe('CDA defects: each normalisation warns with the XPath of the element', () => {
  const rules = (name: string): [string, string][] =>
    convert(fixture(name)).issues.map((i) => {
      expect(i.severity).to.equal('warning');
      return [i.rule!, i.expression![0]!];
    });

  it('ICD-10 OID .11.3 → .11 (pneumonia), one warning per coded diagnosis', () => {
    const w = rules('01-pneumonia-icd10-oid-11-3.xml');
    expect(w).to.have.length(4);
    expect(w[0]).to.deep.equal(['cda-icd10-oid', '/ClinicalDocument/component/structuredBody/component[2]/section/entry[1]/observation/value']);
    const r = convert(fixture('01-pneumonia-icd10-oid-11-3.xml'));
    for (const c of resources(r, 'Condition')) expect(c.code.coding[0].system).to.equal('urn:oid:2.16.156.10011.2.3.3.11');
    expect(resources(r, 'Condition')[0]!.code.coding[0].version).to.equal('国家临床版2.0');
  });

  it('ICD-10 OID .11.5 → .11 and the ID-document slot holding the type code (heart failure)', () => {
    const w = rules('04-heart-failure-icd10-oid-11-5-id-type.xml');
    expect(w.filter(([r]) => r === 'cda-icd10-oid')).to.have.length(6);
    expect(w).to.deep.include(['cda-id-document-type-as-number', '/ClinicalDocument/recordTarget/patientRole/patient/id']);
    const p = resources(convert(fixture('04-heart-failure-icd10-oid-11-5-id-type.xml')), 'Patient')[0]!;
    expect(p.identifier.map((i: any) => i.value)).to.not.include('01');
  });

  it('DE06.00.300.00 with code system 2.16.156.10011.2.3.3.15 (stroke)', () => {
    expect(rules('02-stroke-tcm-de-codesystem.xml')).to.deep.equal([
      ['cda-de-codesystem', '/ClinicalDocument/component/structuredBody/component[5]/section/entry/observation/code'],
    ]);
  });

  it('the broken displayName attribute is repaired before parsing (appendectomy)', () => {
    expect(rules('03-appendectomy-broken-attribute.xml')).to.deep.equal([
      ['cda-broken-attribute', '/ClinicalDocument/component/structuredBody/component[3]/section/entry[3]/observation/code'],
    ]);
    const comp = convert(fixture('03-appendectomy-broken-attribute.xml')).bundle.entry![0]!.resource as any;
    expect(comp.section[2].text.div).to.include('<b>出院情况：</b>切口愈合良好');
  });

  it('templateId .72 read as .73 (hip fracture)', () => {
    expect(rules('05-hip-fracture-template-72.xml')).to.deep.equal([['cda-template-72', '/ClinicalDocument/templateId']]);
  });

  it('the 四诊 data element variant and the 2016.156… OID misspelling are normalised too', () => {
    const xml = fixture('02-stroke-tcm-de-codesystem.xml')
      .replace('code="DE02.10.028.00"', 'code="DE05.10.028.00"')
      .replace('codeSystem="2.16.156.10011.2.3.1.148"', 'codeSystem="2016.156.10011.2.3.1.148"');
    const { issues, bundle } = convert(xml);
    const found = issues.map((i) => [i.rule, i.expression![0]]);
    expect(found).to.deep.include(['cda-de-sizhen', '/ClinicalDocument/component/structuredBody/component[3]/section/entry[5]/observation/code']);
    expect(found).to.deep.include(['cda-oid-typo', '/ClinicalDocument/component/structuredBody/component[6]/section/entry[2]/observation/value']);
    expect(JSON.stringify(bundle)).to.include('"system":"urn:oid:2.16.156.10011.2.3.1.148"').and.not.include('2016.156');
  });
});
