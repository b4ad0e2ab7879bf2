/**
 * Document translation of the Chinese discharge-summary fixtures (zh → en): every fixture
 * translates, every coded diagnosis gains WHO ICD-10 with an English display (or an explicit
 * `unmapped` report entry), every hanzi name gains its pinyin form, the result validates against
 * the IPS profiles its entries claim with 0 errors, the report lands in the Provenance.
 */
import { expect } from 'chai';
import { isGatewayError } from '../../../src/errors.js';
import type { Bundle } from '../../../src/fhir/types.js';
import { PSEUDONYM_SYSTEM, RESIDENT_ID_SYSTEM } from '../../../src/translate/index.js';
import { createTranslator } from '../../../src/translate/index.js';
import { EN_REPRESENTATION } from '../../../src/translate/names.js';
import { conformance, FIXED_CLOCK, fixture, FIXTURES, getTranslator, getValidator, KEY } from './setup.js';
import { whatIsLost } from './lost.js';

type Obj = Record<string, any>;
const ICD10_CN = 'urn:oid:2.16.156.10011.2.3.3.11';
const WHO = 'http://hl7.org/fhir/sid/icd-10';
const IPS = 'http://hl7.org/fhir/uv/ips/StructureDefinition/';
const resources = (b: Bundle): Obj[] => (b.entry ?? []).map((e) => e.resource as Obj);

describe('translate/document: Chinese discharge summaries → English', function () {
  this.timeout(60000);

  for (const name of FIXTURES) {
    describe(name, () => {
      let source: Bundle;
      let out: ReturnType<ReturnType<typeof getTranslator>['translateDocument']>;
      before(() => {
        source = fixture(name);
        out = getTranslator().translateDocument(source, { target: 'en', units: 'conventional' });
      });

      it('validates against the IPS profiles its entries claim with 0 errors', () => {
        const claimed = resources(out.document).flatMap((r) => (r.meta?.profile ?? []) as string[]);
        expect(claimed.filter((p) => p.startsWith(IPS))).to.include.members([`${IPS}Patient-uv-ips`, `${IPS}Condition-uv-ips`]);
        const v = getValidator().validateDocument(out.document);
        const errors = v.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
        expect(errors, JSON.stringify(errors.slice(0, 3))).to.deep.equal([]);
      });

      it('gives every ICD-10 China diagnosis a WHO ICD-10 coding with an English display, or reports it unmapped', () => {
        resources(out.document).forEach((r, i) => {
          if (r.resourceType !== 'Condition') return;
          const codings = (r.code?.coding ?? []) as Obj[];
          if (!codings.some((c) => c.system === ICD10_CN)) return;
          const who = codings.find((c) => c.system === WHO);
          const unmapped = out.report.some((x) => x.rule === 'unmapped' && x.expression?.[0]?.startsWith(`Bundle.entry[${i}].resource.code`));
          expect(Boolean(who && /^[A-Za-z]/.test(who.display)) || unmapped, `entry ${i}`).to.equal(true);
          if (who) expect(who.code).to.match(/^[A-Z][0-9]{2}(\.[0-9])?$/);
        });
      });

      it('adds the pinyin form beside every hanzi name', () => {
        for (const r of resources(out.document).filter((r) => r.resourceType === 'Patient' || r.resourceType === 'Practitioner')) {
          const names = r.name as Obj[];
          const hanzi = names.filter((n) => /\p{Script=Han}/u.test(JSON.stringify([n.family, n.given, n.text])));
          if (hanzi.length === 0) continue;
          const abc = names.filter((n) => n.extension?.some((e: Obj) => e.url === EN_REPRESENTATION && e.valueCode === 'ABC'));
          expect(abc, JSON.stringify(names)).to.have.length(hanzi.length);
          expect(abc[0]!.text).to.match(/^[A-Z]+( [A-Z]+)+$/);
        }
      });

      it('loses nothing: codings, identifiers kept by policy, original narratives', () => {
        expect(whatIsLost(source, out.document)).to.deep.equal([]);
      });

      it('removes the resident ID by default and records the report in a Provenance', () => {
        expect(JSON.stringify(out.document)).to.not.contain(RESIDENT_ID_SYSTEM);
        const prov = resources(out.document).find((r) => r.resourceType === 'Provenance')!;
        expect(prov.target[0].reference).to.equal(out.document.entry![0]!.fullUrl);
        expect(prov.recorded).to.equal(FIXED_CLOCK().toISOString());
        expect(prov.contained[0].issue).to.have.length(out.report.length);
        expect(out.report.every((i) => i.severity === 'information' || i.severity === 'warning')).to.equal(true);
      });
    });
  }

  it('names the patients as GB/T 28039 passport spelling', () => {
    const pinyin = (n: string) => {
      const out = getTranslator().translateDocument(fixture(n), { target: 'en' });
      const p = resources(out.document).find((r) => r.resourceType === 'Patient')!;
      return (p.name as Obj[]).find((x) => x.extension?.some((e: Obj) => e.valueCode === 'ABC'))?.text;
    };
    expect(pinyin('cn-ami-pci')).to.equal('OUYANG JIANGUO');
    expect(pinyin('cn-t2dm-htn')).to.equal('LYU SHUZHEN');
    expect(pinyin('foreign-passport-pneumonia')).to.equal(undefined); // Latin name left alone
  });

  it('maps the dagger–asterisk pair to both WHO codes', () => {
    const out = getTranslator().translateDocument(fixture('cn-t2dm-htn'), { target: 'en' });
    const c = resources(out.document).find((r) => r.code?.coding?.[0]?.code === 'E11.201+N08.3*')!;
    expect(c.code.coding.filter((x: Obj) => x.system === WHO).map((x: Obj) => x.code)).to.deep.equal(['E11.2', 'N08.3']);
  });

  it('pseudonymises the resident ID under the pseudonym policy and keeps it under keep', () => {
    const t = getTranslator();
    const ps = t.translateDocument(fixture('cn-lap-chole'), { target: 'en', identifierPolicy: { residentId: 'pseudonym' } });
    const pat = resources(ps.document).find((r) => r.resourceType === 'Patient')!;
    expect(pat.identifier.some((i: Obj) => i.system === PSEUDONYM_SYSTEM)).to.equal(true);
    expect(JSON.stringify(ps.document)).to.not.match(/\d{17}[0-9X]/);
    const keep = t.translateDocument(fixture('cn-lap-chole'), { target: 'en', identifierPolicy: { residentId: 'keep' } });
    expect(whatIsLost(fixture('cn-lap-chole'), keep.document, { residentIdKept: true })).to.deep.equal([]);
  });

  it('is deterministic and never mutates its input', () => {
    const src = fixture('cn-ami-pci');
    const before = JSON.stringify(src);
    const a = getTranslator().translateDocument(src, { target: 'en', units: 'conventional' });
    const b = getTranslator().translateDocument(src, { target: 'en', units: 'conventional' });
    expect(JSON.stringify(src)).to.equal(before);
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
  });

  it('shows machine translation only when a service is plugged in, marked as such', () => {
    const mt = { name: 'Test MT', translate: (text: string) => `[MT] ${text.length} chars` };
    const t = createTranslator({ resources: conformance(), pseudonymKey: KEY, clock: FIXED_CLOCK, mt });
    const out = t.translateDocument(fixture('cn-lap-chole'), { target: 'en' });
    const div = (out.document.entry![0]!.resource as Obj).section[0].text.div as string;
    expect(div).to.contain('Machine translation by Test MT');
    expect(out.report.some((i) => i.rule === 'machine-translation')).to.equal(true);
    const plain = getTranslator().translateDocument(fixture('cn-lap-chole'), { target: 'en' });
    expect(JSON.stringify(plain.document)).to.not.contain('Machine translation');
    expect(plain.report.some((i) => i.rule === 'narrative-untranslated')).to.equal(true);
  });

  it('rejects what is not a Bundle with a coded error, and bad options with TypeError', () => {
    try {
      getTranslator().translateDocument({ resourceType: 'Patient' }, { target: 'en' });
      expect.fail('should throw');
    } catch (e) {
      expect(isGatewayError(e) && e.code).to.equal('INVALID_RESOURCE');
    }
    expect(() => getTranslator().translateDocument(fixture('cn-lap-chole'), { target: 'fr' as 'en' })).to.throw(TypeError);
    expect(() => createTranslator({ resources: [], pseudonymKey: 'short' })).to.throw(TypeError);
  });

  it('the IPS validation is real: a translated Condition without code fails Condition-uv-ips', () => {
    const out = getTranslator().translateDocument(fixture('cn-ami-pci'), { target: 'en' });
    const cond = resources(out.document).find((r) => r.resourceType === 'Condition')!;
    delete cond.code;
    const v = getValidator().validateDocument(out.document);
    expect(v.valid).to.equal(false);
  });

  it('translateCode answers ConceptMap $translate in both directions', () => {
    const t = getTranslator();
    expect(t.translateCode('urn:oid:2.16.156.10011.2.3.3.11.3', 'I21.001', 'en').matches[0]).to.deep.include({ equivalence: 'wider', concept: { system: WHO, code: 'I21.0', display: 'ST elevation (STEMI) myocardial infarction of anterior wall' } });
    const zh = t.translateCode(WHO, 'E11.9', 'zh-CN');
    expect(zh.result).to.equal(true);
    expect(zh.matches[0]!.concept.system).to.equal(ICD10_CN);
    expect(zh.matches[0]!.concept.display).to.match(/\p{Script=Han}/u);
    expect(t.translateCode('https://emr-gateway.example.org/fhir/CodeSystem/nhsa-drug', 'XJ01DET084B0', 'en').matches[0]!.concept).to.deep.equal({ system: 'http://www.whocc.no/atc', code: 'J01DE' });
    expect(t.translateCode(WHO, 'NOPE', 'zh-CN').result).to.equal(false);
  });
});
