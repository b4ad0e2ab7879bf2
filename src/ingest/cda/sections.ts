/**
 * CDA `structuredBody/component/section` → FHIR R4 Composition.section (FHIR R4 composition.html).
 *
 * Invariants: one CDA section in → one FHIR section out, with the same LOINC code and its
 * narrative kept (narrative.ts), in the same order, nested sections kept nested; free-text entry
 * values not already present in the narrative are appended as labelled paragraphs, so no text is
 * lost; a section without a code is an error (WS/T 500.53 identifies every section by LOINC); a
 * LOINC code outside the eight sections of WS/T 500.53 is kept with a warning.
 */
import type { Ctx } from './context.js';
import { cleanText, kid, kids, path } from './dom.js';
import { mapEntries, type EntryScope } from './entries.js';
import { escapeXml, labelledParagraph, narrativeBody, wrapDiv, xhtmlText } from './narrative.js';
import { LOINC, OID, readCoding } from './systems.js';
import type { XmlElement } from './xml.js';

/** The eight sections of WS/T 500.53 (../shared/WS-T-500-53.md "Body sections"). */
export const WS500_53_SECTIONS: Readonly<Record<string, string>> = Object.freeze({
  '11450-4': '主要健康问题',
  '46241-6': '入院诊断',
  '11535-2': '出院诊断',
  '47519-4': '手术操作',
  '18776-5': '治疗计划',
  '8648-8': '住院过程',
  '46209-3': '医嘱',
  '30954-2': '实验室检查',
});

const squash = (s: string): string => s.replace(/\s+/g, '');

export interface SectionsResult {
  sections: Record<string, unknown>[];
  /** The FHIR section object per LOINC code, for later additions (e.g. the age Observation). */
  byCode: Map<string, Record<string, unknown>>;
}

export function mapSections(ctx: Ctx, doc: XmlElement, scope: Omit<EntryScope, 'sectionCode'>): SectionsResult {
  const byCode = new Map<string, Record<string, unknown>>();
  const body = path(doc, 'component', 'structuredBody');
  if (!body) {
    ctx.error('cda-no-body', 'component/structuredBody is missing: the document has no sections.', '缺少文档体（component/structuredBody），没有任何章节。', '/ClinicalDocument/component/structuredBody');
    return { sections: [], byCode };
  }
  const sectionEls = kids(body, 'component').map((c) => kid(c, 'section')).filter((s): s is XmlElement => !!s);
  if (!sectionEls.length) {
    ctx.error('cda-no-sections', 'The structured body has no section.', '文档体中没有章节。', body);
  }
  const sections = sectionEls.map((s) => section(ctx, s, scope, byCode));
  return { sections, byCode };
}

function section(ctx: Ctx, el: XmlElement, scope: Omit<EntryScope, 'sectionCode'>, byCode: Map<string, Record<string, unknown>>): Record<string, unknown> {
  const codeEl = kid(el, 'code');
  const coding = readCoding(ctx, codeEl);
  const title = cleanText(kid(el, 'title')) || coding?.display || (coding?.code ? WS500_53_SECTIONS[coding.code] : undefined);
  if (!coding) {
    ctx.error('cda-section-no-code', 'A section has no code; WS/T 500.53 sections are identified by LOINC.', '章节缺少 LOINC 编码。', codeEl ?? el);
  } else if (coding.system !== LOINC) {
    ctx.warn('cda-section-not-loinc', `Section code ${coding.code} is not LOINC (${OID.loinc}).`, `章节编码 ${coding.code} 不是 LOINC 编码。`, codeEl);
  } else if (!WS500_53_SECTIONS[coding.code ?? '']) {
    ctx.warn('cda-section-unknown', `Section LOINC ${coding.code} is not one of the WS/T 500.53 sections; kept.`, `章节 LOINC ${coding.code} 不属于 WS/T 500.53 规定的章节，已保留。`, codeEl);
  }
  const { refs, free } = mapEntries(ctx, el, { ...scope, sectionCode: coding?.code ?? '' });
  let xhtml = narrativeBody(kid(el, 'text'));
  const seen = squash(xhtmlText(xhtml));
  for (const f of free) {
    if (!f.value || seen.includes(squash(f.value))) continue;
    xhtml += labelledParagraph(f.label, f.value);
  }
  let status = 'additional';
  if (!squash(xhtmlText(xhtml)) && refs.length) {
    // No narrative in the CDA: generate one from the coded entries (FHIR narrative status 'generated').
    xhtml = `<ul>${refs.map((r) => `<li>${escapeXml(describe(ctx, r))}</li>`).join('')}</ul>`;
    status = 'generated';
  }
  const empty = !squash(xhtmlText(xhtml));
  if (empty) xhtml = `<p>${escapeXml(title ?? '')}：（原文本节无内容）</p>`;
  const out: Record<string, unknown> = {
    ...(title ? { title } : {}),
    ...(coding ? { code: { coding: [coding], ...(title ? { text: title } : {}) } } : {}),
    // 'additional': the narrative carries content beyond the coded entries (FHIR R4 narrative-status).
    text: { status, div: wrapDiv(xhtml) },
    ...(refs.length ? { entry: refs.map((reference) => ({ reference })) } : {}),
    ...(empty && !refs.length ? { emptyReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'unavailable', display: 'Unavailable' }] } } : {}),
  };
  const subs = kids(el, 'component').map((c) => kid(c, 'section')).filter((s): s is XmlElement => !!s);
  if (subs.length) out.section = subs.map((s) => section(ctx, s, scope, byCode));
  if (coding?.code && !byCode.has(coding.code)) byCode.set(coding.code, out);
  return out;
}

/** One line of generated narrative for a resource built from an entry: "name（code）[: value]". */
function describe(ctx: Ctx, fullUrl: string): string {
  const r = ctx.entries.find((e) => e.fullUrl === fullUrl)?.resource as Record<string, any> | undefined;
  if (!r) return '';
  const concept = (c: any): string => {
    const coding = c?.coding?.[0];
    const name = c?.text ?? coding?.display ?? coding?.code ?? '';
    return coding?.code && coding.code !== name ? `${name}（${coding.code}）` : name;
  };
  const value = r.valueCodeableConcept
    ? concept(r.valueCodeableConcept)
    : r.valueQuantity
      ? `${r.valueQuantity.value}${r.valueQuantity.unit ?? ''}`
      : r.valueInteger ?? r.valueBoolean;
  const when = r.performedPeriod?.start ?? r.performedDateTime;
  return [concept(r.code), value !== undefined ? `：${value}` : '', when ? `，${String(when).slice(0, 16).replace('T', ' ')}` : ''].join('');
}
