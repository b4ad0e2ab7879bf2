/**
 * IPS documents → Chinese (en → zh-CN) for a Chinese hospital: every Coding kept, a Chinese
 * display wherever our terminology has one, still valid against IPS with 0 errors; prints the
 * coverage (all codings, and clinical code systems only).
 */
import { expect } from 'chai';
import { translationOf } from '../../../src/translate/codings.js';
import { normaliseSystem } from '../../../src/translate/terminology.js';
import { codingsDropped } from './lost.js';
import { getTranslator, getValidator, ipsExamples } from './setup.js';

type Obj = Record<string, any>;
const CLINICAL = new Set(['http://loinc.org', 'http://snomed.info/sct', 'http://hl7.org/fhir/sid/icd-10', 'http://www.whocc.no/atc', 'http://standardterms.edqm.eu', 'http://hl7.org/fhir/sid/cvx']);

function eachConcept(v: unknown, f: (cc: Obj) => void): void {
  if (Array.isArray(v)) v.forEach((x) => eachConcept(x, f));
  else if (v && typeof v === 'object') {
    if (Array.isArray((v as Obj).coding)) f(v as Obj);
    for (const [k, x] of Object.entries(v)) if (k !== 'contained') eachConcept(x, f);
  }
}

describe('translate/ips: IPS examples → Chinese', function () {
  this.timeout(60000);
  const examples = ipsExamples();
  const totals = { codings: 0, zh: 0, clinical: 0, clinicalZh: 0 };

  for (const [name, src] of examples) {
    it(`${name}: keeps every Coding, a zh name wherever the terminology has one, 0 IPS errors`, () => {
      const t = getTranslator();
      const out = t.translateDocument(src, { target: 'zh-CN' });
      expect(codingsDropped(src, out.document)).to.deep.equal([]);
      eachConcept(out.document.entry, (cc) => {
        const list = cc.coding as Obj[];
        const zhSibling = list.some((c) => typeof c.display === 'string' && /\p{Script=Han}/u.test(c.display));
        for (const c of list) {
          if (typeof c.system !== 'string' || typeof c.code !== 'string' || /\p{Script=Han}/u.test(c.display ?? '')) continue;
          const known = t.terminology.display(normaliseSystem(c.system), c.code, 'zh-CN');
          const has = translationOf(c._display, 'zh-CN') !== undefined || zhSibling;
          if (known && c.display !== undefined) expect(has, `${c.system}|${c.code}`).to.equal(true);
          totals.codings++;
          if (has) totals.zh++;
          if (CLINICAL.has(c.system)) {
            totals.clinical++;
            if (has) totals.clinicalZh++;
          }
        }
      });
      const v = getValidator().validateDocument(out.document);
      const errors = v.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
      expect(errors, JSON.stringify(errors.slice(0, 3))).to.deep.equal([]);
    });
  }

  after(() => {
    const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '100.0');
    console.log(`      IPS → zh coverage: ${totals.zh}/${totals.codings} codings have a Chinese name (${pct(totals.zh, totals.codings)}%); clinical systems (LOINC, SNOMED CT, ICD-10, ATC, EDQM, CVX): ${totals.clinicalZh}/${totals.clinical} (${pct(totals.clinicalZh, totals.clinical)}%)`);
  });
});
