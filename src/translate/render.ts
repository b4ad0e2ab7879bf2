/**
 * Target-language narrative generated from structured entries (diagnoses, procedures, medicines,
 * results, allergies, encounters, follow-up), so the reader gets the complete picture in their
 * language; what has no target-language name is shown as the original, marked "not translated".
 *
 * Invariants: output is escaped XHTML content (no root div); pure function of the resources.
 */
import { conceptLabel, conceptOriginal } from './codings.js';
import { esc } from './narrative.js';
import { SYS, type Lang } from './terminology.js';
import { CONVERTED_QUANTITY } from './units.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const L = {
  en: {
    untranslated: 'not translated', noEntries: 'No structured entries; see the original text.', onset: 'onset',
    performed: 'performed', dose: 'dose', route: 'route', timing: 'timing', ref: 'reference range', reaction: 'reaction',
    criticality: 'criticality', period: 'period', per: 'per', times: '×', status: 'status', note: 'note',
    period_: (f: number, p: number, u: string) => `${f} time(s) every ${p} ${u}`,
  },
  'zh-CN': {
    untranslated: '未翻译', noEntries: '无结构化条目；见原文。', onset: '起病', performed: '施行', dose: '剂量',
    route: '途径', timing: '频次', ref: '参考区间', reaction: '反应', criticality: '危急程度', period: '期间', per: '每',
    times: '次', status: '状态', note: '备注',
    period_: (f: number, p: number, u: string) => `每${p}${u}${f}次`,
  },
} as const;

/** A concept in the target language, or its original marked as not translated. */
export function label(cc: unknown, lang: Lang): string {
  const t = conceptLabel(cc, lang);
  if (t) return esc(t);
  const o = conceptOriginal(cc);
  if (!o) return '';
  const ol = /\p{Script=Han}/u.test(o) ? 'zh-CN' : 'en';
  return `<span lang="${ol}" xml:lang="${ol}">${esc(o)}</span> <i>(${L[lang].untranslated})</i>`;
}

const CODE_LABEL: Record<string, string> = { [SYS.ICD10_WHO]: 'ICD-10', [SYS.ICD10_CN]: 'ICD-10 CN', [SYS.ICD9CM]: 'ICD-9-CM', [SYS.ICD9_CN]: 'ICD-9-CM-3 CN', [SYS.ATC]: 'ATC', [SYS.LOINC]: 'LOINC', [SYS.SNOMED]: 'SNOMED CT' };

function codes(cc: unknown): string {
  if (!isObj(cc) || !Array.isArray(cc.coding)) return '';
  const parts: string[] = [];
  for (const c of cc.coding as Obj[]) {
    const l = typeof c.system === 'string' ? CODE_LABEL[c.system] : undefined;
    if (l && typeof c.code === 'string') parts.push(`${l} ${esc(c.code)}`);
  }
  return parts.length ? ` <small>[${parts.join('; ')}]</small>` : '';
}

function qty(q: unknown): string {
  if (!isObj(q) || q.value === undefined) return '';
  const unit = typeof q.code === 'string' && q.system === SYS.UCUM ? q.code : typeof q.unit === 'string' ? q.unit : '';
  let s = `${esc(String(q.value))}${unit ? ` ${esc(unit)}` : ''}`;
  for (const e of Array.isArray(q.extension) ? (q.extension as Obj[]) : []) {
    if (e.url === CONVERTED_QUANTITY && isObj(e.valueQuantity)) s += ` (= ${esc(String(e.valueQuantity.value))} ${esc(String(e.valueQuantity.code))})`;
  }
  return s;
}

function date(v: unknown): string {
  return typeof v === 'string' ? esc(v.slice(0, 10)) : '';
}

function dosage(d: unknown, lang: Lang): string {
  if (!isObj(d)) return '';
  const T = L[lang];
  const parts: string[] = [];
  const dr = Array.isArray(d.doseAndRate) ? (d.doseAndRate[0] as Obj | undefined) : undefined;
  if (dr && isObj(dr.doseQuantity)) parts.push(`${T.dose} ${qty(dr.doseQuantity)}`);
  if (isObj(d.route)) parts.push(`${T.route} ${label(d.route, lang)}`);
  const timing = isObj(d.timing) ? d.timing : undefined;
  if (timing) {
    const code = isObj(timing.code) ? conceptLabel(timing.code, lang) : undefined;
    const rep = isObj(timing.repeat) ? timing.repeat : undefined;
    if (code) parts.push(`${T.timing} ${esc(code)}`);
    else if (rep && typeof rep.frequency === 'number' && typeof rep.period === 'number') {
      parts.push(`${T.timing} ${esc(T.period_(rep.frequency, rep.period, String(rep.periodUnit ?? '')))}`);
    }
  }
  return parts.join(', ');
}

/** One entry as a list item in `lang`. */
export function renderEntry(r: Obj, lang: Lang): string {
  const T = L[lang];
  switch (r.resourceType) {
    case 'Condition': {
      const bits = [`${label(r.code, lang)}${codes(r.code)}`];
      if (isObj(r.clinicalStatus)) bits.push(`${T.status}: ${label(r.clinicalStatus, lang)}`);
      if (typeof r.onsetDateTime === 'string') bits.push(`${T.onset} ${date(r.onsetDateTime)}`);
      return bits.join('; ');
    }
    case 'Procedure': {
      const when = typeof r.performedDateTime === 'string' ? r.performedDateTime : isObj(r.performedPeriod) ? r.performedPeriod.start : undefined;
      return `${label(r.code, lang)}${codes(r.code)}${when ? `; ${T.performed} ${date(when)}` : ''}`;
    }
    case 'MedicationRequest':
    case 'MedicationStatement': {
      const dl = (Array.isArray(r.dosageInstruction) ? r.dosageInstruction : Array.isArray(r.dosage) ? r.dosage : []) as unknown[];
      const dd = dl.map((d) => dosage(d, lang)).filter((s) => s).join(' / ');
      return `${label(r.medicationCodeableConcept, lang)}${codes(r.medicationCodeableConcept)}${dd ? `: ${dd}` : ''}`;
    }
    case 'Observation': {
      let v = '';
      if (isObj(r.valueQuantity)) v = qty(r.valueQuantity);
      else if (isObj(r.valueCodeableConcept)) v = label(r.valueCodeableConcept, lang);
      else if (typeof r.valueString === 'string') v = label({ text: r.valueString }, lang);
      const rr = Array.isArray(r.referenceRange) ? (r.referenceRange[0] as Obj | undefined) : undefined;
      const range = rr && (rr.low || rr.high) ? ` (${T.ref} ${qty(rr.low)}–${qty(rr.high)})` : '';
      const interp = Array.isArray(r.interpretation) && r.interpretation[0] ? ` ${label(r.interpretation[0], lang)}` : '';
      return `${label(r.code, lang)}${codes(r.code)}: ${v}${range}${interp}${date(r.effectiveDateTime) ? `; ${date(r.effectiveDateTime)}` : ''}`;
    }
    case 'AllergyIntolerance': {
      const bits = [`${label(r.code, lang)}${codes(r.code)}`];
      if (typeof r.criticality === 'string') bits.push(`${T.criticality}: ${esc(r.criticality)}`);
      for (const re of Array.isArray(r.reaction) ? (r.reaction as Obj[]) : []) {
        const m = Array.isArray(re.manifestation) ? re.manifestation.map((x) => label(x, lang)).join(', ') : '';
        if (m) bits.push(`${T.reaction}: ${m}`);
      }
      return bits.join('; ');
    }
    case 'Encounter': {
      const p = isObj(r.period) ? `${date(r.period.start)} – ${date(r.period.end)}` : '';
      return `${isObj(r.class) && typeof r.class.display === 'string' ? esc(r.class.display) : 'Encounter'}${p ? `; ${T.period} ${p}` : ''}`;
    }
    case 'Immunization':
      return `${label(r.vaccineCode, lang)}${codes(r.vaccineCode)}${date(r.occurrenceDateTime) ? `; ${date(r.occurrenceDateTime)}` : ''}`;
    default: {
      const c = r.code ?? r.type;
      return `${esc(String(r.resourceType))}${c ? `: ${label(c, lang)}` : ''}`;
    }
  }
}

/**
 * The generated content of a section: one list item per resolvable entry. `render` lets the
 * caller reuse an entry's rendering (document.ts renders each entry once per translation for its
 * own narrative and every section that lists it: renderEntry reads no `text`, so replacing an
 * entry's narrative does not change its rendering).
 */
export function renderSection(entries: readonly Obj[], lang: Lang, render: (r: Obj) => string = (r) => renderEntry(r, lang)): string {
  if (entries.length === 0) return `<p>${esc(L[lang].noEntries)}</p>`;
  let out = '<ul>';
  for (const r of entries) out += `<li>${render(r)}</li>`;
  return `${out}</ul>`;
}
