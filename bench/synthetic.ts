/**
 * Deterministic synthetic 出院小结 (discharge summary) document Bundles for benchmarks and load tests.
 *
 * `syntheticDischargeSummary(entries, seed)` builds a FHIR R4 document Bundle (FHIR R4 §Bundle,
 * "document": first entry a Composition) with exactly `entries` entries, shaped like the
 * hand-written fixtures in test/fixtures/: Composition typed C0053 (urn:oid:2.16.156.10011.2.4)
 * + LOINC 18842-5, sections with the WS/T 500.53 LOINC codes and zh-CN narrative, then Patient,
 * Encounter, Organization, Practitioner, and N Condition / Observation / MedicationRequest
 * entries cycling through real codes (ICD-10 NHSA 2.0 codes, LOINC, insurance X drug codes).
 *
 * Invariants: same (entries, seed) → byte-identical JSON (seeded PRNG, fixed clock, ids derived
 * from seed and position — no Math.random, no Date.now); every fullUrl is a unique urn:uuid and
 * every reference resolves inside the Bundle; the Patient's resident ID passes GB 11643 MOD 11-2
 * and agrees with birthDate and gender.
 */
import type { Bundle, BundleEntry, CodeableConcept, Reference, Resource } from '../src/fhir/types.js';

const FIXED = 5; // Composition, Patient, Encounter, Organization, Practitioner
const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';
const ICD10 = 'urn:oid:2.16.156.10011.2.3.3.11';

/** mulberry32: small, fast, seedable; good enough for test data (not for anything secret). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Real codes only: ICD-10 from the NHSA 医保版 2.0 list (../shared/terminology-sources/icd10-cn).
const DIAGNOSES: [string, string][] = [
  ['I21.001', '急性前壁心肌梗死'], ['I25.103', '冠状动脉粥样硬化性心脏病'], ['I10.x05', '高血压3级'],
  ['I10.x04', '高血压2级'], ['E78.500', '高脂血症'], ['E11.900', '2型糖尿病'],
  ['E11.201+N08.3*', '2型糖尿病性肾病'], ['K80.000x002', '胆囊结石伴急性胆囊炎'], ['K76.000', '脂肪肝'],
  ['J15.902', '社区获得性肺炎，非重症'], ['J18.900', '肺炎'], ['E87.600', '低钾血症'],
];
// [LOINC, English display, 中文名, UCUM unit, low, high]
const LABS: [string, string, string, string, number, number][] = [
  ['14749-6', 'Glucose [Moles/volume] in Serum or Plasma', '空腹血糖', 'mmol/L', 3.9, 6.1],
  ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '糖化血红蛋白', '%', 4.0, 6.0],
  ['718-7', 'Hemoglobin [Mass/volume] in Blood', '血红蛋白', 'g/L', 130, 175],
  ['14682-9', 'Creatinine [Moles/volume] in Serum or Plasma', '肌酐', 'umol/L', 57, 111],
  ['14647-2', 'Cholesterol [Moles/volume] in Serum or Plasma', '总胆固醇', 'mmol/L', 2.8, 5.2],
  ['2823-3', 'Potassium [Moles/volume] in Serum or Plasma', '钾', 'mmol/L', 3.5, 5.3],
  ['6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '白细胞计数', '10*9/L', 3.5, 9.5],
  ['1988-5', 'C reactive protein [Mass/volume] in Serum or Plasma', 'C反应蛋白', 'mg/L', 0, 10],
];
// [中文通用名, insurance X code (chars 2–6 = ATC level 4) or '', dose mg, 频次, times per day]
const DRUGS: [string, string, number, string, number][] = [
  ['阿司匹林肠溶片', 'XB01ACA056A001', 100, '每日一次', 1], ['硫酸氢氯吡格雷片', 'XB01ACL087A001', 75, '每日一次', 1],
  ['阿托伐他汀钙片', 'XC10AAA039A001', 20, '每晚一次', 1], ['盐酸二甲双胍片', 'XA10BAE054A001', 500, '每日三次', 3],
  ['苯磺酸氨氯地平片', 'XC08CAA022A001', 5, '每日一次', 1], ['酒石酸美托洛尔片', 'XC07ABM044A001', 25, '每日两次', 2],
  ['厄贝沙坦片', '', 150, '每日一次', 1],
];
// Compound surnames and ü (吕, 绿) on purpose: they exercise pinyin rules (GB/T 28039) downstream.
const SURNAMES = ['欧阳', '吕', '王', '李', '张', '陈', '司马'];
const GIVEN = ['建国', '淑珍', '文强', '海燕', '志明', '秀英', '绿萍', '家豪'];
const AREAS: [string, string, string][] = [['310104', '上海市', '徐汇区'], ['440106', '广州市', '天河区'], ['469002', '琼海市', ''], ['110105', '北京市', '朝阳区']];

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits. */
export function residentIdCheck(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * W[i]!;
  return '10X98765432'[s % 11]!;
}

const pad = (n: number | string, w: number) => String(n).padStart(w, '0');
const div = (html: string) => `<div xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">${html}</div>`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * A valid discharge-summary document Bundle with exactly `entries` entries (at least 5).
 * Throws TypeError for a non-integer or too small count: that is a caller bug, not bad data.
 */
export function syntheticDischargeSummary(entries: number, seed = 1): Bundle {
  if (!Number.isInteger(entries) || entries < FIXED) throw new TypeError(`entries must be an integer >= ${FIXED}, got ${entries}`);
  if (!Number.isInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const seedHex = pad((seed >>> 0).toString(16), 8).slice(-8);
  // Position-derived ids: unique by construction, and stable for a given seed.
  const urn = (i: number) => `urn:uuid:${seedHex}-5e0d-4a11-8b00-${pad(i.toString(16), 12)}`;
  const ref = (i: number): Reference => ({ reference: urn(i) });
  const out: BundleEntry[] = [];
  const add = (resource: Resource) => {
    const i = out.length;
    const id = urn(i).slice('urn:uuid:'.length);
    out.push({ fullUrl: urn(i), resource: { ...resource, id } });
    return ref(i);
  };

  // Fixed clock: admission within 2024, stay of 3–14 days, all times China Standard Time.
  const start = Date.UTC(2024, 0, 1) + Math.floor(rnd() * 330) * 86400000 + 2 * 3600000;
  const days = 3 + Math.floor(rnd() * 12);
  const iso = (ms: number) => new Date(ms + 8 * 3600000).toISOString().slice(0, 19) + '+08:00';
  const admit = iso(start);
  const discharge = iso(start + days * 86400000);

  const male = rnd() < 0.5;
  const birth = new Date(Date.UTC(1940 + Math.floor(rnd() * 60), Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28)));
  const birthDate = birth.toISOString().slice(0, 10);
  const [area, city, district] = pick(AREAS);
  const seq = 2 * Math.floor(rnd() * 499) + (male ? 1 : 2); // odd = male, even = female (GB 11643 §4.2)
  const id17 = `${area}${birthDate.replace(/-/g, '')}${pad(seq, 3)}`;
  const family = pick(SURNAMES);
  const given = pick(GIVEN);

  // Reserve fixed positions 0–4 (filled at the end) so the generated entries can point at them.
  const patient = ref(1), enc = ref(2), org = ref(3), doctor = ref(4);
  out.push(...Array.from({ length: FIXED }, () => ({}) as BundleEntry));

  const conditions: [Reference, string, boolean][] = [];
  const observations: [Reference, string][] = [];
  const meds: [Reference, string][] = [];
  for (let k = 0; out.length < entries; k++) {
    const kind = k % 3;
    if (kind === 0) {
      const [code, name] = pick(DIAGNOSES);
      const admission = conditions.length % 2 === 1;
      const r = add({
        resourceType: 'Condition',
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: admission ? 'provisional' : 'confirmed' }] },
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }], text: admission ? '入院诊断' : '出院诊断' }],
        code: { coding: [{ system: ICD10, version: '国家临床版2.0', code, display: name }], text: name },
        subject: patient, encounter: enc, recordedDate: admission ? admit : discharge,
      });
      conditions.push([r, `${name}（${code}）`, admission]);
    } else if (kind === 1) {
      const [loinc, display, zh, unit, low, high] = pick(LABS);
      const value = Math.round((low + (high - low) * (rnd() * 1.6 - 0.3)) * 100) / 100;
      const flag = value > high ? 'H' : value < low ? 'L' : 'N';
      const when = iso(start + Math.floor(rnd() * days * 24) * 3600000);
      const r = add({
        resourceType: 'Observation', status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
        code: { coding: [{ system: LOINC, code: loinc, display }], text: zh },
        subject: patient, encounter: enc, effectiveDateTime: when, performer: [org],
        valueQuantity: { value, unit, system: UCUM, code: unit },
        interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: flag }] }],
        referenceRange: [{ low: { value: low, unit, system: UCUM, code: unit }, high: { value: high, unit, system: UCUM, code: unit } }],
      });
      observations.push([r, `<tr><td>${zh}</td><td>${value}</td><td>${esc(unit)}</td><td>${low}–${high}</td></tr>`]);
    } else {
      const [name, xcode, mg, freqText, perDay] = pick(DRUGS);
      const medication: CodeableConcept = xcode
        ? { coding: [{ system: 'https://emr-gateway.example.org/fhir/CodeSystem/nhsa-drug', code: xcode, display: name }], text: name }
        : { text: name };
      const text = `${mg} mg 口服 ${freqText}`;
      const r = add({
        resourceType: 'MedicationRequest', status: 'active', intent: 'order',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category', code: 'discharge' }], text: '出院带药' }],
        medicationCodeableConcept: medication, subject: patient, encounter: enc, authoredOn: discharge, requester: doctor,
        dosageInstruction: [{
          text,
          timing: { repeat: { frequency: perDay, period: 1, periodUnit: 'd' }, code: { text: freqText } },
          route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' }], text: '口服' },
          doseAndRate: [{ doseQuantity: { value: mg, unit: 'mg', system: UCUM, code: 'mg' } }],
        }],
      });
      meds.push([r, `${name} ${text}`]);
    }
  }

  const li = (xs: string[]) => (xs.length ? `<ul>${xs.map(x => `<li>${x}</li>`).join('')}</ul>` : '<p>无</p>');
  const section = (title: string, code: string, html: string, entry: Reference[]) => ({
    title, code: { coding: [{ system: LOINC, code }], text: title },
    text: { status: 'generated', div: div(html) }, ...(entry.length ? { entry } : {}),
  });
  const dischargeDx = conditions.filter(c => !c[2]);
  const admissionDx = conditions.filter(c => c[2]);
  const put = (i: number, resource: Resource) => {
    out[i] = { fullUrl: urn(i), resource: { ...resource, id: urn(i).slice('urn:uuid:'.length) } };
  };
  put(0, {
    resourceType: 'Composition', language: 'zh-CN', status: 'final',
    type: { coding: [{ system: 'urn:oid:2.16.156.10011.2.4', code: 'C0053', display: '出院小结' }, { system: LOINC, code: '18842-5', display: 'Discharge summary' }], text: '出院小结' },
    subject: patient, encounter: enc, date: discharge, author: [doctor], title: '出院小结', confidentiality: 'N',
    attester: [{ mode: 'legal', time: discharge, party: doctor }], custodian: org,
    section: [
      section('主要健康问题', '11450-4', `<p>入院情况：患者${family}${given}，${male ? '男' : '女'}，于${admit.slice(0, 10)}入院。</p>`, dischargeDx.slice(0, 1).map(c => c[0])),
      section('入院诊断', '46241-6', li(admissionDx.map(c => c[1])), admissionDx.map(c => c[0])),
      section('出院诊断', '11535-2', li(dischargeDx.map(c => c[1])), dischargeDx.map(c => c[0])),
      section('治疗计划', '18776-5', '<p>治则治法：按诊疗规范综合治疗。</p>', []),
      section('住院过程', '8648-8', `<p>诊疗过程：住院${days}天，好转出院。</p>`, [enc]),
      section('医嘱', '46209-3', `<p>出院医嘱：</p>${li(meds.map(m => m[1]))}`, meds.map(m => m[0])),
      section('实验室检查', '30954-2', observations.length ? `<table><tbody>${observations.map(o => o[1]).join('')}</tbody></table>` : '<p>无</p>', observations.map(o => o[0])),
    ],
  });
  put(1, {
    resourceType: 'Patient',
    identifier: [
      { use: 'official', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] }, system: 'urn:oid:2.16.156.10011.1.3', value: id17 + residentIdCheck(id17) },
      { system: 'urn:oid:2.16.156.10011.1.12', value: `ZY${seedHex}` },
    ],
    name: [{ use: 'official', text: family + given, family, given: [given] }],
    gender: male ? 'male' : 'female', birthDate,
    address: [{ use: 'home', city, ...(district ? { district } : {}), country: 'CN' }],
  });
  put(2, {
    resourceType: 'Encounter', status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' },
    serviceType: { text: '内科' }, subject: patient, period: { start: admit, end: discharge },
    hospitalization: { dischargeDisposition: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/discharge-disposition', code: 'home' }], text: '医嘱离院' } },
    serviceProvider: org,
  });
  put(3, { resourceType: 'Organization', identifier: [{ system: 'urn:oid:2.16.156.10011.1.5', value: '12310000425028172X' }], name: '上海市申江医院' });
  put(4, { resourceType: 'Practitioner', name: [{ use: 'official', text: '陈志远', family: '陈', given: ['志远'] }] });

  return {
    resourceType: 'Bundle',
    identifier: { system: 'urn:oid:2.16.156.10011.1.1', value: `SYN-${seedHex}-${pad(entries, 6)}` },
    type: 'document',
    timestamp: discharge,
    entry: out,
  };
}
