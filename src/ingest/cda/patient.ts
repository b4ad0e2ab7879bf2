/**
 * CDA `recordTarget/patientRole` (WS/T 500.53 header) → FHIR R4 Patient, plus the patient's age
 * as an Observation-ready quantity.
 *
 * Invariants: identifiers keep the WS/T 500 OIDs as `urn:oid:` systems (brief/urls.md); the
 * GB/T 2261.1 sex code is kept beside `gender` as HL7 China's ext-person-gender; hanzi names are
 * kept as written (`text`), split into family/given only for 2–4 hanzi (compound surnames per
 * GB/T 28039 joined); a patient without any identifier is an error (nothing could link the record).
 */
import type { Coding, Identifier, Resource } from '../../fhir/types.js';
import type { Ctx } from './context.js';
import { attr, cleanText, kid, kids, path } from './dom.js';
import { tsToDate } from './datetime.js';
import { CV02_01_101, HL7_CN_GENDER_EXT, OID, readCoding, V2_0203 } from './systems.js';
import type { XmlElement } from './xml.js';

const ID_TYPE_CODES = new Set(['01', '02', '03', '04', '05', '06', '07', '08', '09', '99']);
const RESIDENT_ID = /^\d{17}[\dXx]$/;
const COMPOUND_SURNAMES = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '令狐', '夏侯', '轩辕', '端木', '南宫', '西门', '独孤', '呼延',
]);
const GENDER: Record<string, string> = { '0': 'unknown', '1': 'male', '2': 'female', '9': 'unknown' };

export interface PatientResult {
  patient: Resource;
  age?: { value: number; unit: string; ucum: string; el: XmlElement; coding?: Coding };
  inpatientNo?: string;
}

function typeCC(v2?: string, cv?: [string, string]): { coding: Coding[] } {
  const coding: Coding[] = [];
  if (v2) coding.push({ system: V2_0203, code: v2 });
  if (cv) coding.push({ system: CV02_01_101, code: cv[0], display: cv[1] });
  return { coding };
}

function humanName(text: string): Record<string, unknown> {
  const name: Record<string, unknown> = { use: 'official', text };
  if (/^[\u3400-\u9fff]{2,4}$/.test(text)) {
    const fam = COMPOUND_SURNAMES.has(text.slice(0, 2)) && text.length > 2 ? text.slice(0, 2) : text.slice(0, 1);
    name.family = fam;
    name.given = [text.slice(fam.length)];
  }
  return name;
}

export function mapPatient(ctx: Ctx, doc: XmlElement): PatientResult | undefined {
  const role = path(doc, 'recordTarget', 'patientRole');
  if (!role) {
    ctx.error('cda-no-patient', 'recordTarget/patientRole is missing.', '缺少患者信息（recordTarget/patientRole）。', '/ClinicalDocument/recordTarget/patientRole');
    return undefined;
  }
  const identifier: Identifier[] = [];
  let inpatientNo: string | undefined;
  for (const id of kids(role, 'id')) {
    const root = attr(id, 'root');
    const ext = attr(id, 'extension');
    if (!root || !ext) continue;
    if (root === OID.healthCard) identifier.push({ use: 'usual', system: `urn:oid:${root}`, value: ext });
    else if (root === OID.inpatientNo) {
      inpatientNo = ext;
      identifier.push({ use: 'secondary', system: `urn:oid:${root}`, value: ext });
    } else if (root === OID.mrn) identifier.push({ type: typeCC('MR'), system: `urn:oid:${root}`, value: ext });
    else identifier.push({ system: `urn:oid:${root}`, value: ext });
  }
  const pat = kid(role, 'patient');
  for (const id of kids(pat, 'id')) {
    const root = attr(id, 'root');
    const ext = attr(id, 'extension');
    if (root !== OID.residentId || !ext) continue;
    if (ID_TYPE_CODES.has(ext)) {
      // Known defect: the ID-document slot holds the CV02.01.101 type code, not the number.
      ctx.warn(
        'cda-id-document-type-as-number',
        `The ID document number slot holds "${ext}", a CV02.01.101 document type code, not a number; the identifier is dropped.`,
        `身份证件号码位置填写了证件类别代码“${ext}”而非号码，该标识已舍弃。`,
        id,
      );
      continue;
    }
    if (RESIDENT_ID.test(ext)) {
      identifier.push({ use: 'official', type: typeCC('NI', ['01', '居民身份证']), system: `urn:oid:${root}`, value: ext.toUpperCase() });
    } else {
      identifier.push({ use: 'official', type: typeCC(undefined, ['99', '其他法定有效证件']), system: `urn:oid:${root}`, value: ext });
    }
  }
  if (!identifier.length) {
    ctx.error('cda-no-patient-id', 'The patient has no identifier (health card, inpatient number or ID document).', '患者缺少标识（健康卡号、住院号或身份证件号码）。', role);
  }
  const patient: Record<string, unknown> = { resourceType: 'Patient' };
  const sexEl = kid(pat, 'administrativeGenderCode');
  const sex = readCoding(ctx, sexEl);
  if (sex) {
    patient.extension = [{ url: HL7_CN_GENDER_EXT, valueCodeableConcept: { coding: [sex] } }];
  }
  patient.identifier = identifier;
  const nameText = cleanText(kid(pat, 'name'));
  if (nameText) patient.name = [humanName(nameText)];
  else ctx.error('cda-no-patient-name', 'The patient name (DE02.01.039.00) is missing.', '缺少患者姓名（DE02.01.039.00）。', pat ?? role);
  const tel = attr(kid(role, 'telecom'), 'value');
  if (tel) patient.telecom = [{ system: 'phone', value: tel.replace(/^tel:/, '') }];
  if (sex) {
    const g = sex.system === `urn:oid:${OID.sex}` ? GENDER[sex.code ?? ''] : undefined;
    if (g) patient.gender = g;
    else ctx.warn('cda-sex-unknown', `Sex code ${sex.code} is not in GB/T 2261.1; gender left out.`, `性别代码 ${sex.code} 不在 GB/T 2261.1 中，未填写性别。`, sexEl);
  }
  const birthRaw = attr(kid(pat, 'birthTime'), 'value');
  const birth = tsToDate(birthRaw);
  if (birth) patient.birthDate = birth;
  else if (birthRaw) ctx.warn('cda-bad-time', `Birth time "${birthRaw}" is not a valid TS value; left out.`, `出生日期“${birthRaw}”格式无效，未填写。`, kid(pat, 'birthTime'));
  const addr = mapAddress(kid(role, 'addr'));
  if (addr) patient.address = [addr];
  const marital = readCoding(ctx, kid(pat, 'maritalStatusCode'));
  if (marital) patient.maritalStatus = { coding: [marital] };
  const result: PatientResult = { patient: patient as Resource, ...(inpatientNo ? { inpatientNo } : {}) };
  const ageEl = kid(pat, 'age');
  const ageVal = Number(attr(ageEl, 'value'));
  if (ageEl && Number.isFinite(ageVal) && ageVal >= 0) {
    const unit = attr(ageEl, 'unit') ?? '岁';
    result.age = { value: ageVal, unit, ucum: unit === '月' ? 'mo' : unit === '天' ? 'd' : 'a', el: ageEl };
  }
  return result;
}

function mapAddress(addr: XmlElement | undefined): Record<string, unknown> | undefined {
  if (!addr) return undefined;
  const part = (n: string): string => cleanText(kid(addr, n));
  const state = part('state');
  const city = part('city');
  const county = part('county');
  const line = [part('township'), part('streetName'), part('houseNumber')].filter(Boolean);
  const text = [state, city, county, ...line].join('') || cleanText(addr);
  if (!text) return undefined;
  return {
    use: 'home',
    text,
    ...(line.length ? { line } : {}),
    ...(city ? { city } : {}),
    ...(county ? { district: county } : {}),
    ...(state ? { state } : {}),
    country: 'CN',
  };
}
