/**
 * CDA clinical statements of a WS/T 500.53 section → FHIR R4 resources.
 *
 * - observation with a CD value coded as a diagnosis data element (西医诊断编码 DE05.01.024.00,
 *   中医病名/证候 DE05.10.130.00) → Condition (admission section 46241-6: provisional, Encounter
 *   diagnosis role AD; discharge section 11535-2: confirmed, role DD; FHIR R4 diagnosis-role)
 * - procedure → Procedure (ICD-9-CM-3), effectiveTime / 手术及操作开始日期时间 DE06.00.221.00 →
 *   performed[x]; nested coded observations (incision class DE06.00.257.00, healing grade
 *   DE05.10.147.00, anaesthesia method DE06.00.073.00) → Observation partOf the Procedure
 * - other observation with a CD / PQ / INT / BL value → Observation (code = the WS 363 data
 *   element); 实际住院天数 DE06.00.310.00 (PQ 天) also sets Encounter.length (UCUM `d`)
 * - free-text values (ST and untyped text, TS outside procedures) → `FreeText` items that the
 *   section narrative keeps (WS/T 500 carries most clinical content as text).
 *
 * Invariant: every coded value (CD) read becomes a Coding in some resource; nothing coded is
 * dropped without a warning.
 */
import type { CodeableConcept, Coding, Resource } from '../../fhir/types.js';
import type { Ctx } from './context.js';
import { attr, cleanText, elements, kid, kids, xsiType } from './dom.js';
import { tsToDateTime } from './datetime.js';
import { isDataElement, OID, readCoding } from './systems.js';
import type { XmlElement } from './xml.js';

const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const VER_STATUS = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const DIAGNOSIS_ROLE = 'http://terminology.hl7.org/CodeSystem/diagnosis-role';
const UCUM = 'http://unitsofmeasure.org';
const UCUM_OF: Record<string, string> = { 天: 'd', 日: 'd', 岁: 'a', 年: 'a', 月: 'mo', 周: 'wk', 小时: 'h', 分钟: 'min' };

export const ADMISSION_DX = '46241-6';
export const DISCHARGE_DX = '11535-2';

export interface FreeText {
  label: string;
  value: string;
}

export interface EntryScope {
  sectionCode: string;
  patient?: string;
  encounter?: string;
  encounterResource?: Resource;
  /** Encounter.diagnosis items collected across sections. */
  diagnoses: Record<string, unknown>[];
}

export interface EntryResult {
  /** Resources the section lists in Composition.section.entry. */
  refs: string[];
  /** Resources reached through another one (Observation.partOf / focus), not listed in the section. */
  details: string[];
  free: FreeText[];
}

function cc(coding: Coding | undefined, text?: string): CodeableConcept {
  return { ...(coding ? { coding: [coding] } : {}), ...(text || coding?.display ? { text: text || coding?.display } : {}) };
}

function quantity(el: XmlElement): Record<string, unknown> | undefined {
  const value = Number(attr(el, 'value'));
  if (!Number.isFinite(value)) return undefined;
  const unit = attr(el, 'unit');
  const ucum = unit ? UCUM_OF[unit] ?? (/^[A-Za-z0-9/.%*\[\]{}^-]+$/.test(unit) ? unit : undefined) : undefined;
  return { value, ...(unit ? { unit } : {}), ...(ucum ? { system: UCUM, code: ucum } : {}) };
}

export function mapEntries(ctx: Ctx, section: XmlElement, scope: EntryScope): EntryResult {
  const result: EntryResult = { refs: [], details: [], free: [] };
  for (const entry of kids(section, 'entry')) {
    for (const stmt of elements(entry)) statement(ctx, stmt, scope, result, undefined);
  }
  return result;
}

interface Parent {
  kind: 'Procedure' | 'Condition' | 'Observation';
  url: string;
  resource: Record<string, unknown>;
}

function statement(ctx: Ctx, el: XmlElement, scope: EntryScope, out: EntryResult, parent: Parent | undefined): void {
  switch (el.name) {
    case 'observation':
      observation(ctx, el, scope, out, parent);
      break;
    case 'procedure':
      procedure(ctx, el, scope, out);
      break;
    case 'organizer':
      for (const comp of kids(el, 'component')) for (const s of elements(comp)) statement(ctx, s, scope, out, parent);
      break;
    default:
      // act, encounter, substanceAdministration…: keep their text; descend into relationships.
      nested(ctx, el, scope, out, parent);
      if (cleanText(kid(el, 'text'))) out.free.push({ label: attr(kid(el, 'code'), 'displayName') ?? el.name, value: cleanText(kid(el, 'text')) });
  }
}

function nested(ctx: Ctx, el: XmlElement, scope: EntryScope, out: EntryResult, parent: Parent | undefined): void {
  for (const rel of kids(el, 'entryRelationship')) for (const s of elements(rel)) statement(ctx, s, scope, out, parent);
}

function labelOf(codeEl: XmlElement | undefined, coding: Coding | undefined): string {
  return attr(codeEl, 'displayName') ?? coding?.code ?? '记录';
}

function observation(ctx: Ctx, el: XmlElement, scope: EntryScope, out: EntryResult, parent: Parent | undefined): void {
  const codeEl = kid(el, 'code');
  const coding = readCoding(ctx, codeEl);
  const label = labelOf(codeEl, coding);
  const when = tsToDateTime(attr(kid(el, 'effectiveTime'), 'value') ?? attr(kid(kid(el, 'effectiveTime'), 'low'), 'value'));
  let self: Parent | undefined;
  for (const value of kids(el, 'value')) {
    const type = xsiType(value) ?? (attr(value, 'code') ? 'CD' : 'ST');
    if (type === 'CD' || type === 'CE' || type === 'CV' || type === 'CO') {
      const v = readCoding(ctx, value);
      const text = cleanText(kid(value, 'originalText')) || undefined;
      if (!v && !text) continue;
      if (isDataElement(coding, 'DE05.01.024.00', 'DE05.10.130.00')) {
        self = condition(ctx, value, coding!, v, text, when, scope, out);
      } else {
        self = obsResource(ctx, coding, label, { valueCodeableConcept: cc(v, text) }, when, scope, out, parent);
      }
    } else if (type === 'PQ' || type === 'IVL_PQ') {
      const q = quantity(type === 'PQ' ? value : kid(value, 'low') ?? value);
      if (!q) {
        ctx.warn('cda-bad-quantity', `${label}: the quantity has no numeric value; kept as text.`, `${label}：数值无效，按文本保留。`, value);
        out.free.push({ label, value: cleanText(value) || attr(value, 'value') || '' });
        continue;
      }
      self = obsResource(ctx, coding, label, { valueQuantity: q }, when, scope, out, parent);
      if (isDataElement(coding, 'DE06.00.310.00') && scope.encounterResource && q.code === 'd') {
        scope.encounterResource.length = q; // FHIR R4 Encounter.length: quantity of time the encounter lasted
      }
    } else if (type === 'INT' || type === 'BL') {
      const raw = attr(value, 'value');
      const v = type === 'INT' ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : undefined;
      if (v === undefined || (typeof v === 'number' && !Number.isInteger(v))) continue;
      self = obsResource(ctx, coding, label, type === 'INT' ? { valueInteger: v } : { valueBoolean: v }, when, scope, out, parent);
    } else if (type === 'TS') {
      const dt = tsToDateTime(attr(value, 'value'));
      if (parent?.kind === 'Procedure' && isDataElement(coding, 'DE06.00.221.00') && dt) {
        parent.resource.performedPeriod = { ...(parent.resource.performedPeriod as object), start: dt };
        delete parent.resource.performedDateTime;
      } else if (dt) out.free.push({ label, value: dt.replace('T', ' ').replace(/\+08:00$/, '') });
    } else {
      const text = cleanText(value);
      if (text) out.free.push({ label, value: text });
    }
  }
  nested(ctx, el, scope, out, self ?? parent);
}

function condition(
  ctx: Ctx,
  value: XmlElement,
  de: Coding,
  coding: Coding | undefined,
  text: string | undefined,
  when: string | undefined,
  scope: EntryScope,
  out: EntryResult,
): Parent {
  const admission = scope.sectionCode === ADMISSION_DX;
  const discharge = scope.sectionCode === DISCHARGE_DX;
  const tcm = coding?.system === `urn:oid:${OID.tcm}`;
  const category: CodeableConcept[] = [{ coding: [{ system: CONDITION_CATEGORY, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }];
  if (tcm) {
    const syndrome = /证候/.test(de.display ?? '') || /^Z/.test(coding?.code ?? '');
    category.push({ text: syndrome ? '中医证候' : '中医病名' });
  }
  if (!coding) {
    ctx.warn('cda-diagnosis-uncoded', 'A diagnosis has no code; kept as text only.', '诊断缺少编码，仅保留文本。', value);
  }
  const resource: Record<string, unknown> = {
    resourceType: 'Condition',
    verificationStatus: {
      coding: [{ system: VER_STATUS, code: admission ? 'provisional' : 'confirmed' }],
    },
    category,
    code: cc(coding, text),
    ...(scope.patient ? { subject: { reference: scope.patient } } : {}),
    ...(scope.encounter ? { encounter: { reference: scope.encounter } } : {}),
    ...(when ? { recordedDate: when } : {}),
  };
  const added = ctx.add(resource as Resource);
  out.refs.push(added.fullUrl);
  if (admission || discharge) {
    const role = admission ? ['AD', 'Admission diagnosis'] : ['DD', 'Discharge diagnosis'];
    const rank = scope.diagnoses.filter((d) => (d.use as CodeableConcept).coding![0]!.code === role[0]).length + 1;
    scope.diagnoses.push({
      condition: { reference: added.fullUrl },
      use: { coding: [{ system: DIAGNOSIS_ROLE, code: role[0], display: role[1] }] },
      rank,
    });
  }
  return { kind: 'Condition', url: added.fullUrl, resource: added.resource as Record<string, unknown> };
}

function obsResource(
  ctx: Ctx,
  coding: Coding | undefined,
  label: string,
  value: Record<string, unknown>,
  when: string | undefined,
  scope: EntryScope,
  out: EntryResult,
  parent: Parent | undefined,
): Parent {
  const resource: Record<string, unknown> = {
    resourceType: 'Observation',
    status: 'final',
    code: cc(coding, label),
    ...(scope.patient ? { subject: { reference: scope.patient } } : {}),
    ...(scope.encounter ? { encounter: { reference: scope.encounter } } : {}),
    ...(when ? { effectiveDateTime: when } : {}),
    ...value,
  };
  if (parent?.kind === 'Procedure') resource.partOf = [{ reference: parent.url }];
  else if (parent) resource.focus = [{ reference: parent.url }];
  const added = ctx.add(resource as Resource);
  // A detail of a procedure (incision class, healing grade, anaesthesia) hangs off the Procedure
  // through partOf; the 手术操作 section lists Procedures only (cn-discharge-summary-composition).
  if (!parent) out.refs.push(added.fullUrl);
  else out.details.push(added.fullUrl);
  return { kind: 'Observation', url: added.fullUrl, resource: added.resource as Record<string, unknown> };
}

function procedure(ctx: Ctx, el: XmlElement, scope: EntryScope, out: EntryResult): void {
  const codeEl = kid(el, 'code');
  const coding = readCoding(ctx, codeEl);
  const text = cleanText(kid(codeEl, 'originalText')) || undefined;
  const resource: Record<string, unknown> = {
    resourceType: 'Procedure',
    status: 'completed',
    code: cc(coding, text),
    ...(scope.patient ? { subject: { reference: scope.patient } } : {}),
    ...(scope.encounter ? { encounter: { reference: scope.encounter } } : {}),
  };
  if (!coding && !text) {
    ctx.warn('cda-procedure-uncoded', 'A procedure has neither code nor text.', '手术操作既无编码也无名称。', codeEl ?? el);
  }
  const et = kid(el, 'effectiveTime');
  const low = tsToDateTime(attr(kid(et, 'low'), 'value'));
  const high = tsToDateTime(attr(kid(et, 'high'), 'value'));
  const single = tsToDateTime(attr(et, 'value'));
  if (low || high) resource.performedPeriod = { ...(low ? { start: low } : {}), ...(high ? { end: high } : {}) };
  else if (single) resource.performedDateTime = single;
  const performers = kids(el, 'performer').flatMap((p) => {
    const name = cleanText(kid(kid(kid(p, 'assignedEntity'), 'assignedPerson'), 'name'));
    return name ? [{ actor: { display: name } }] : [];
  });
  if (performers.length) resource.performer = performers;
  const added = ctx.add(resource as Resource);
  out.refs.push(added.fullUrl);
  const self: Parent = { kind: 'Procedure', url: added.fullUrl, resource: added.resource as Record<string, unknown> };
  nested(ctx, el, scope, out, self);
  // Procedure performed[x] choice: if a start time arrived through DE06.00.221.00 keep the period only.
  if (self.resource.performedPeriod && self.resource.performedDateTime) delete self.resource.performedDateTime;
}
