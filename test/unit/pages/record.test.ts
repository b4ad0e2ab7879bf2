/**
 * The viewer's record model (src/http/pages/assets/record.js) on a fixture discharge summary
 * translated by the gateway's own pipeline (src/translate/): target wording beside the original,
 * both ICD-10 codes, medicines with dose and route, results with units and ranges, pinyin and
 * hanzi names, the hospital, and "not translated" only where no target wording exists.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadFhirResources } from '../../../src/profiles/load.js';
import { createTranslator } from '../../../src/translate/index.js';
import { repoRoot } from '../../support/server.js';
import { client } from './helpers.js';

const fixture = () => JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/cn-t2dm-htn.json'), 'utf8'));

describe('pages: record model of a translated document', function () {
  this.timeout(60000);
  let rec: any;
  let en: any;
  let zhView: any;
  let items: (m: any, kind: string) => any[];

  before(async () => {
    rec = await client('record.js');
    const translator = createTranslator({ resources: loadFhirResources([path.join(repoRoot, 'fhir-profiles')]), pseudonymKey: 'pages-unit-test-key-0123456789' });
    const translated = translator.translateDocument(fixture(), { target: 'en' }).document;
    en = rec.recordModel(translated, 'en');
    zhView = rec.recordModel(translated, 'zh-CN');
    items = (m, kind) => m.sections.flatMap(function all(s: any): any[] { return [...s.items, ...s.sections.flatMap(all)]; }).filter((x: any) => x.kind === kind);
  });

  it('shows diagnoses in English with the Chinese original and both ICD-10 codes', () => {
    const dx = items(en, 'diagnosis');
    const t2dm = dx.find((d) => d.concept.codes.some((c: any) => c.code === 'E11.600x051'));
    expect(t2dm.concept).to.include({ translated: true, original: '2型糖尿病伴血糖控制不佳', originalLang: 'zh-CN' });
    expect(t2dm.concept.target).to.match(/Type 2 diabetes/);
    expect(t2dm.concept.codes.map((c: any) => [c.systemKey, c.code])).to.deep.include.members([['icd10cn', 'E11.600x051'], ['icd10who', 'E11.6']]);
    expect(dx.some((d) => d.tcm), 'TCM diagnoses are flagged').to.equal(true);
  });

  it('shows medicines with dose, route and frequency, the original instructions beside', () => {
    const metformin = items(en, 'medicine').find((m) => m.concept.original === '盐酸二甲双胍片');
    expect(metformin.concept).to.include({ translated: true, target: 'metformin' });
    expect(metformin.dosage.dose).to.deep.equal({ value: 0.5, unit: 'g' });
    expect(metformin.dosage.route).to.include({ target: 'Oral route', original: '口服' });
    expect(metformin.dosage.repeat).to.deep.equal({ frequency: 3, period: 1, periodUnit: 'd' });
    expect(metformin.dosage.text).to.include({ original: '0.5 g 口服 每日三次（餐中服）', translated: false });
  });

  it('shows results with value, unit and reference range', () => {
    const glucose = items(en, 'result').find((r) => r.concept.codes.some((c: any) => c.code === '14749-6'));
    expect(glucose.value).to.deep.equal({ value: 9.8, unit: 'mmol/L' });
    expect(glucose.range[0]).to.deep.include({ low: { value: 3.9, unit: 'mmol/L' }, high: { value: 6.1, unit: 'mmol/L' } });
    expect(glucose.concept).to.include({ original: '空腹血糖', translated: true });
  });

  it('marks untranslated concepts instead of guessing', () => {
    const untranslated = [...items(en, 'medicine'), ...items(en, 'diagnosis'), ...items(en, 'result')].filter((x) => !x.concept.translated);
    for (const x of untranslated) {
      expect(x.concept.target).to.equal(undefined);
      expect(x.concept.original).to.be.a('string').and.not.equal('');
    }
  });

  it('gives the patient in pinyin and hanzi, the hospital with its English name, section titles split', () => {
    expect(en.patient.names).to.deep.include.members([{ text: 'LYU SHUZHEN', lang: 'en', representation: 'ABC' }, { text: '吕淑珍', lang: 'zh-CN', representation: 'IDE' }]);
    expect(en.hospital.name).to.include({ original: '广州南粤中西医结合医院', target: 'Guangzhou Nanyue Hospital of Integrated Chinese and Western Medicine' });
    const admission = en.sections.find((s: any) => s.loinc === '46241-6');
    expect(admission.title).to.include({ original: '入院诊断', translated: true });
    expect(admission.narratives[0]).to.include({ lang: 'en', originalLang: 'zh-CN' });
  });

  it('in Chinese shows the original wording as the target', () => {
    const dx = items(zhView, 'diagnosis').find((d) => d.concept.original === '2型糖尿病伴血糖控制不佳');
    expect(dx.concept).to.include({ target: '2型糖尿病伴血糖控制不佳', translated: true });
  });

  it('refuses what is not a FHIR document', () => {
    expect(() => rec.recordModel({ resourceType: 'Bundle', type: 'collection', entry: [] }, 'en')).to.throw(TypeError);
    expect(() => rec.recordModel({ resourceType: 'Bundle', type: 'document', entry: [{ resource: { resourceType: 'Patient' } }] }, 'en')).to.throw(TypeError);
  });
});
