/**
 * WS/T 500.53 discharge summary (CDA R2 XML) → FHIR R4 document Bundle, the way a hospital's own
 * FHIR submission looks (../shared/DOMAIN.md "What hospitals send"): Composition first (type C0053
 * in urn:oid:2.16.156.10011.2.4 and LOINC 18842-5), then Patient, Encounter, Organization(s),
 * Practitioner(s), Condition, Procedure, Observation, the original CDA as Binary + DocumentReference
 * (Composition.relatesTo `transforms` names the CDA by its id, the DocumentReference carries that id
 * and points back with context.related), and a Provenance (activity ISO 21089 `transform`, entity
 * source = the DocumentReference).
 *
 * Pure: no I/O; time and ids are injected (`now`, `newId`) so output is deterministic.
 * Invariants: the original text is kept byte for byte in the Binary (nothing is lost, whatever the
 * mapping misses); normalised defects are warnings returned in `issues`; a wrong document type or
 * a missing required element throws GatewayError CONVERSION_FAILED carrying every issue found (with
 * XPaths); malformed XML throws MALFORMED_XML (TOO_LARGE past the limits) with line/column only.
 */
import { createHash } from 'node:crypto';
import { GatewayError, type Issue } from '../../errors.js';
import type { Bundle, BundleEntry, Resource } from '../../fhir/types.js';
import { Ctx } from './context.js';
import { attr, cleanText, descendants, kid, kids, xpathOf } from './dom.js';
import { tsToDateTime } from './datetime.js';
import { mapParties } from './parties.js';
import { mapPatient } from './patient.js';
import { repairKnownDefects } from './repair.js';
import { mapSections } from './sections.js';
import { DISCHARGE_SUMMARY_LOINC, LOINC, OID } from './systems.js';
import { CDA_NS, DEFAULT_XML_LIMITS, parseXml, type XmlElement, type XmlLimits } from './xml.js';

export interface ConvertOptions {
  /** Clock (injected). */
  now: () => Date;
  /** UUID generator (injected): one call per Bundle entry. */
  newId: () => string;
  limits?: Partial<XmlLimits>;
}

export interface ConvertResult {
  bundle: Bundle;
  /** Warnings (normalised defects), each with the XPath of the CDA element. */
  issues: Issue[];
}

export const CDA_MEDIA_TYPE = 'application/hl7-cda+xml';
const CONFIDENTIALITY = new Set(['U', 'L', 'M', 'N', 'R', 'V']);
const AGENT = 'emr-gateway WS/T 500.53 CDA converter';
const ENTRY_ORDER = ['Composition', 'Patient', 'Encounter', 'Organization', 'Practitioner', 'Condition', 'Procedure', 'Observation', 'DocumentReference', 'Binary', 'Provenance'];

function fail(ctx: Ctx): never {
  const n = ctx.issues.filter((i) => i.severity === 'error').length;
  throw new GatewayError('CONVERSION_FAILED', `The CDA document cannot be converted: ${n} error(s).`, { issues: ctx.issues });
}

/** Identification (WS/T 500.53: code C0053 in 2.16.156.10011.2.4, templateId …2.1.1.73). */
function identify(ctx: Ctx, doc: XmlElement): void {
  if (doc.name !== 'ClinicalDocument' || doc.ns !== CDA_NS) {
    ctx.error('cda-not-clinical-document', `The root element is ${doc.name}, not an HL7 CDA ClinicalDocument (urn:hl7-org:v3).`, '根元素不是 CDA ClinicalDocument。', xpathOf(doc), 'invalid');
    fail(ctx);
  }
  const code = kid(doc, 'code');
  const c = attr(code, 'code');
  const system = attr(code, 'codeSystem');
  if (!c) {
    ctx.error('cda-no-document-code', 'ClinicalDocument/code is missing: the document type is unknown.', '缺少文档类型编码（ClinicalDocument/code）。', '/ClinicalDocument/code');
  } else if (c !== 'C0053' || system !== OID.docType) {
    ctx.error('cda-wrong-document-type', `Document type ${c} (${system ?? 'no code system'}) is not a WS/T 500.53 discharge summary (C0053 in ${OID.docType}).`, `文档类型 ${c} 不是出院小结（C0053）。`, code, 'not-supported');
  }
  const templates = kids(doc, 'templateId').map((t) => ({ el: t, root: attr(t, 'root') ?? '' }));
  if (templates.some((t) => t.root === OID.template73)) {
    // the WS/T 500.53 template is present
  } else if (templates.some((t) => t.root === OID.template72)) {
    const t = templates.find((x) => x.root === OID.template72)!;
    ctx.warn('cda-template-72', `templateId ${OID.template72} is read as the discharge summary template ${OID.template73}.`, `模板标识 ${OID.template72} 按出院小结模板 ${OID.template73} 处理。`, t.el);
  } else {
    const other = templates.find((t) => t.root.startsWith('2.16.156.10011.2.1.1.'));
    if (other) ctx.error('cda-wrong-template', `templateId ${other.root} names another WS/T 500 document, not the discharge summary (${OID.template73}).`, `模板标识 ${other.root} 属于其他共享文档。`, other.el, 'not-supported');
    else ctx.warn('cda-no-template', `No WS/T 500.53 templateId (${OID.template73}); recognised by its code.`, '缺少出院小结模板标识，按文档类型编码识别。', '/ClinicalDocument/templateId');
  }
  if (ctx.hasErrors()) fail(ctx);
}

function warnRepairs(ctx: Ctx, doc: XmlElement, repairs: ReturnType<typeof repairKnownDefects>['repairs']): void {
  for (const r of repairs) {
    const el = descendants(doc, (e) => e.line <= r.line && r.line <= e.endLine && attr(e, 'code') === r.code)[0];
    ctx.warn('cda-broken-attribute', `Broken attribute code="${r.code} displayName=" ${r.display}" repaired to code="${r.code}" displayName="${r.display}".`, `损坏的属性 code="${r.code} displayName=" ${r.display}" 已修复。`, el ?? `line ${r.line}`);
  }
}

export function convertCdaDischargeSummary(xml: string, options: ConvertOptions): ConvertResult {
  if (typeof xml !== 'string') throw new TypeError('convertCdaDischargeSummary expects the XML text');
  if (typeof options?.now !== 'function' || typeof options.newId !== 'function') {
    throw new TypeError('convertCdaDischargeSummary needs { now, newId } functions');
  }
  const { xml: repaired, repairs } = repairKnownDefects(xml);
  const doc = parseXml(repaired, { ...DEFAULT_XML_LIMITS, ...options.limits });
  const ctx = new Ctx(options.newId);
  warnRepairs(ctx, doc, repairs);
  identify(ctx, doc);

  const compositionId = ctx.newId();
  const compositionUrl = `urn:uuid:${compositionId}`;
  const idEl = kid(doc, 'id');
  const docId = attr(idEl, 'root') && attr(idEl, 'extension') ? { system: `urn:oid:${attr(idEl, 'root')}`, value: attr(idEl, 'extension')! } : undefined;
  if (!docId) ctx.error('cda-no-document-id', 'ClinicalDocument/id (document serial number, root and extension) is missing.', '缺少文档流水号（ClinicalDocument/id）。', '/ClinicalDocument/id');
  const dateRaw = attr(kid(doc, 'effectiveTime'), 'value');
  const date = tsToDateTime(dateRaw);
  if (!date) ctx.error('cda-no-document-time', 'ClinicalDocument/effectiveTime is missing or not a valid TS value.', '文档生成时间缺失或格式无效。', '/ClinicalDocument/effectiveTime');

  const pr = mapPatient(ctx, doc);
  const patientUrl = pr ? ctx.add(pr.patient).fullUrl : undefined;
  const parties = mapParties(ctx, doc, patientUrl, pr?.inpatientNo);
  const diagnoses: Record<string, unknown>[] = [];
  const { sections, byCode } = mapSections(ctx, doc, {
    ...(patientUrl ? { patient: patientUrl } : {}),
    ...(parties.encounter ? { encounter: parties.encounter } : {}),
    ...(parties.encounterResource ? { encounterResource: parties.encounterResource } : {}),
    diagnoses,
  });
  if (ctx.hasErrors()) fail(ctx);
  if (diagnoses.length && parties.encounterResource) parties.encounterResource.diagnosis = diagnoses;

  if (pr?.age) {
    const age = ctx.add({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '30525-0', display: 'Age' }, { system: `urn:oid:${OID.dataElement}`, code: pr.age.ucum === 'mo' ? 'DE02.01.032.00' : 'DE02.01.026.00' }], text: '年龄' },
      subject: { reference: patientUrl },
      ...(parties.encounter ? { encounter: { reference: parties.encounter } } : {}),
      ...(parties.period?.start ? { effectiveDateTime: parties.period.start } : {}),
      valueQuantity: { value: pr.age.value, unit: pr.age.unit, system: 'http://unitsofmeasure.org', code: pr.age.ucum },
    });
    const host = byCode.get('11450-4') ?? sections[0];
    if (host) host.entry = [...((host.entry as unknown[]) ?? []), { reference: age.fullUrl }];
  }

  const codeEl = kid(doc, 'code')!;
  const type = {
    coding: [
      { system: `urn:oid:${OID.docType}`, code: 'C0053', display: attr(codeEl, 'displayName') ?? '出院小结' },
      { system: LOINC, code: DISCHARGE_SUMMARY_LOINC, display: 'Discharge summary' },
    ],
    text: '出院小结',
  };
  const title = cleanText(kid(doc, 'title')) || '出院小结';
  const language = attr(kid(doc, 'languageCode'), 'code') ?? 'zh-CN';
  const confEl = kid(doc, 'confidentialityCode');
  const conf = attr(confEl, 'code');
  if (conf && !CONFIDENTIALITY.has(conf)) ctx.warn('cda-confidentiality', `Confidentiality code ${conf} is not an HL7 v3 Confidentiality code; left out.`, `保密级别代码 ${conf} 无效，未填写。`, confEl);

  // The original, byte for byte (before the lenient repair): nothing is lost.
  const original = Buffer.from(xml, 'utf8');
  const binary = ctx.add({ resourceType: 'Binary', contentType: CDA_MEDIA_TYPE, ...(patientUrl ? { securityContext: { reference: patientUrl } } : {}), data: original.toString('base64') });
  const docRef = ctx.add({
    resourceType: 'DocumentReference',
    ...(docId ? { masterIdentifier: docId } : {}),
    status: 'current',
    docStatus: 'final',
    type,
    ...(patientUrl ? { subject: { reference: patientUrl } } : {}),
    ...(date && date.length > 19 ? { date } : {}),
    author: parties.authors.map((reference) => ({ reference })),
    ...(parties.custodian ? { custodian: { reference: parties.custodian } } : {}),
    description: 'WS/T 500.53 出院小结 CDA 原文（转换前）',
    content: [
      {
        attachment: {
          contentType: CDA_MEDIA_TYPE,
          language,
          url: binary.fullUrl,
          size: original.length,
          hash: createHash('sha1').update(original).digest('base64'),
          title,
        },
      },
    ],
    context: {
      ...(parties.encounter ? { encounter: [{ reference: parties.encounter }] } : {}),
      ...(parties.period ? { period: parties.period } : {}),
      related: [{ reference: compositionUrl }],
    },
  });
  const now = options.now().toISOString();
  ctx.add({
    resourceType: 'Provenance',
    target: [{ reference: compositionUrl }],
    recorded: now,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle', code: 'transform', display: 'Transform/Translate Record Lifecycle Event' }] },
    agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler', display: 'Assembler' }] }, who: { display: AGENT } }],
    entity: [{ role: 'source', what: { reference: docRef.fullUrl } }],
  });

  const composition: Resource = {
    resourceType: 'Composition',
    id: compositionId,
    language,
    status: 'final',
    type,
    ...(patientUrl ? { subject: { reference: patientUrl } } : {}),
    ...(parties.encounter ? { encounter: { reference: parties.encounter } } : {}),
    date: date!,
    author: parties.authors.map((reference) => ({ reference })),
    title,
    ...(conf && CONFIDENTIALITY.has(conf) ? { confidentiality: conf } : {}),
    ...(parties.attesters.length ? { attester: parties.attesters } : {}),
    ...(parties.custodian ? { custodian: { reference: parties.custodian } } : {}),
    // R4 relatesTo.target[x] is Identifier | Reference(Composition): the source CDA is named by its
    // ClinicalDocument/id, which is also the DocumentReference.masterIdentifier in this Bundle.
    ...(docId ? { relatesTo: [{ code: 'transforms', targetIdentifier: docId }] } : {}),
    section: sections,
  };
  const entries: BundleEntry[] = [{ fullUrl: compositionUrl, resource: composition }, ...ctx.entries];
  const rank = (e: BundleEntry): number => ENTRY_ORDER.indexOf(e.resource!.resourceType);
  entries.sort((a, b) => rank(a) - rank(b));
  const bundle: Bundle = {
    resourceType: 'Bundle',
    id: ctx.newId(),
    language,
    ...(docId ? { identifier: docId } : {}),
    type: 'document',
    timestamp: now,
    entry: entries,
  };
  return { bundle, issues: ctx.issues };
}
