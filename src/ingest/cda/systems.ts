/**
 * Code systems and identifier systems of WS/T 500 documents, and the normalisation of the
 * code-system defects seen in the wild (../shared/WS-T-500-53.md "Defects"), each with a warning.
 *
 * Invariants: Chinese systems keep their OIDs as `urn:oid:` URIs (agreed URLs, brief/urls.md);
 * international OIDs become their FHIR canonical URIs (FHIR R4 terminologies-systems.html); a
 * normalised coding never silently changes: every rewrite raises a warning with the XPath of the
 * element and a stable rule code.
 */
import type { Coding } from '../../fhir/types.js';
import type { Ctx } from './context.js';
import { attr } from './dom.js';
import type { XmlElement } from './xml.js';

export const OID = {
  docType: '2.16.156.10011.2.4',
  template73: '2.16.156.10011.2.1.1.73',
  template72: '2.16.156.10011.2.1.1.72',
  dataElement: '2.16.156.10011.2.2.1',
  sex: '2.16.156.10011.2.3.3.4',
  marital: '2.16.156.10011.2.3.3.5',
  icd10: '2.16.156.10011.2.3.3.11',
  icd10Variants: ['2.16.156.10011.2.3.3.11.3', '2.16.156.10011.2.3.3.11.5'],
  icd9cm3: '2.16.156.10011.2.3.3.12',
  tcm: '2.16.156.10011.2.3.3.14',
  loinc: '2.16.840.1.113883.6.1',
  docSerial: '2.16.156.10011.1.1',
  residentId: '2.16.156.10011.1.3',
  signature: '2.16.156.10011.1.4',
  orgCode: '2.16.156.10011.1.5',
  author: '2.16.156.10011.1.7',
  inpatientNo: '2.16.156.10011.1.12',
  mrn: '2.16.156.10011.1.13',
  healthCard: '2.16.156.10011.1.19',
  room: '2.16.156.10011.1.21',
  bed: '2.16.156.10011.1.22',
  department: '2.16.156.10011.1.26',
  ward: '2.16.156.10011.1.27',
} as const;

export const LOINC = 'http://loinc.org';
export const DISCHARGE_SUMMARY_LOINC = '18842-5';
export const CV02_01_101 = 'https://emr-gateway.example.org/fhir/CodeSystem/cv02-01-101';
export const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
export const HL7_CN_GENDER_EXT = 'http://hl7.org.cn/fhir/StructureDefinition/ext-person-gender';

/** International OIDs → FHIR canonical system URIs. */
const INTERNATIONAL: Record<string, string> = {
  [OID.loinc]: LOINC,
  '2.16.840.1.113883.6.96': 'http://snomed.info/sct',
  '2.16.840.1.113883.6.3': 'http://hl7.org/fhir/sid/icd-10',
  '2.16.840.1.113883.6.104': 'http://hl7.org/fhir/sid/icd-9-cm',
  '2.16.840.1.113883.5.25': 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  '2.16.840.1.113883.6.8': 'http://unitsofmeasure.org',
};

export function systemUri(oid: string): string {
  return INTERNATIONAL[oid] ?? `urn:oid:${oid}`;
}

const DE_CODE = /^DE\d{2}\.\d{2}\.\d{3}\.\d{2}$/;

/** Normalise a code system OID and code as found on `el`, warning for each known defect. */
export function normaliseCode(ctx: Ctx, el: XmlElement, code: string, system: string): { code: string; system: string } {
  let oid = system;
  let c = code;
  if (oid.startsWith('2016.156.')) {
    // Education (and other) code systems written "2016.156.10011…" by one generator.
    const fixed = '2.16.156.' + oid.slice('2016.156.'.length);
    ctx.warn(
      'cda-oid-typo',
      `Code system OID ${oid} is a known misspelling; read as ${fixed}.`,
      `编码体系 OID ${oid} 为已知笔误，按 ${fixed} 处理。`,
      el,
    );
    oid = fixed;
  }
  if ((OID.icd10Variants as readonly string[]).includes(oid)) {
    ctx.warn(
      'cda-icd10-oid',
      `ICD-10 code ${c} uses code system OID ${oid}; normalised to ${OID.icd10}.`,
      `ICD-10 编码 ${c} 使用了编码体系 OID ${oid}，已统一为 ${OID.icd10}。`,
      el,
    );
    oid = OID.icd10;
  }
  if (DE_CODE.test(c) && oid !== OID.dataElement) {
    ctx.warn(
      'cda-de-codesystem',
      `Data element ${c} is given code system ${oid}; data elements belong to ${OID.dataElement} (WS 363).`,
      `数据元 ${c} 的编码体系为 ${oid}，应为 ${OID.dataElement}（WS 363）。`,
      el,
    );
    oid = OID.dataElement;
  }
  if (c === 'DE05.10.028.00' && oid === OID.dataElement) {
    // 四诊观察结果 is DE02.10.028.00; one generator writes DE05.10.028.00.
    ctx.warn(
      'cda-de-sizhen',
      'Data element DE05.10.028.00 (四诊观察结果) is written for DE02.10.028.00; normalised.',
      '四诊观察结果数据元写作 DE05.10.028.00，已更正为 DE02.10.028.00。',
      el,
    );
    c = 'DE02.10.028.00';
  }
  return { code: c, system: oid };
}

/**
 * Read a CD/CE/CV element (`code`, `codeSystem`, `displayName`, `codeSystemVersion`) as a FHIR
 * Coding, normalising known defects. Undefined when there is no code (e.g. a nullFlavor).
 */
export function readCoding(ctx: Ctx, el: XmlElement | undefined): Coding | undefined {
  if (!el) return undefined;
  const rawCode = attr(el, 'code');
  if (!rawCode) return undefined;
  const rawSystem = attr(el, 'codeSystem');
  const display = attr(el, 'displayName');
  const version = attr(el, 'codeSystemVersion');
  if (!rawSystem) {
    ctx.warn(
      'cda-code-no-system',
      `Code ${rawCode} has no codeSystem; kept as text only.`,
      `编码 ${rawCode} 缺少编码体系，仅保留文本。`,
      el,
    );
    return { code: rawCode, ...(display ? { display } : {}) };
  }
  const { code, system } = normaliseCode(ctx, el, rawCode, rawSystem);
  return {
    system: systemUri(system),
    ...(version ? { version } : {}),
    code,
    ...(display ? { display } : {}),
  };
}

export function isDataElement(coding: Coding | undefined, ...codes: string[]): boolean {
  return coding?.system === `urn:oid:${OID.dataElement}` && codes.includes(coding.code ?? '');
}
