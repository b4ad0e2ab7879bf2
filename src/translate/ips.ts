/**
 * IPS alignment of translated Chinese discharge summaries (HL7 IPS, http://hl7.org/fhir/uv/ips):
 * which IPS profile an entry claims, and section/document titles in the target language from the
 * LOINC names in our terminology (loinc-zh supplement).
 *
 * Invariants: a profile is claimed only for resource types IPS profiles and, for Observation, only
 * for laboratory results (IPS Observation-results-laboratory-uv-ips); titles keep the original
 * in parentheses so no text is lost, and a title of that shape is restored on the way back.
 */
import { SYS, type Lang, type Terminology } from './terminology.js';

export const IPS_BASE = 'http://hl7.org/fhir/uv/ips/StructureDefinition/';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const BY_TYPE: Readonly<Record<string, string>> = {
  Patient: 'Patient-uv-ips',
  Condition: 'Condition-uv-ips',
  MedicationStatement: 'MedicationStatement-uv-ips',
  MedicationRequest: 'MedicationRequest-uv-ips',
  AllergyIntolerance: 'AllergyIntolerance-uv-ips',
  Procedure: 'Procedure-uv-ips',
  Organization: 'Organization-uv-ips',
  Practitioner: 'Practitioner-uv-ips',
};

function hasCategory(r: Obj, code: string): boolean {
  const cats = Array.isArray(r.category) ? r.category : [];
  return cats.some((c) => isObj(c) && Array.isArray(c.coding) && c.coding.some((x) => isObj(x) && x.code === code));
}

export function ipsProfileFor(r: Obj): string | undefined {
  const t = typeof r.resourceType === 'string' ? r.resourceType : '';
  if (t === 'Observation') return hasCategory(r, 'laboratory') ? `${IPS_BASE}Observation-results-laboratory-uv-ips` : undefined;
  const p = BY_TYPE[t];
  return p ? IPS_BASE + p : undefined;
}

const HAN = /\p{Script=Han}/u;
const inLang = (s: string, lang: Lang): boolean => (lang === 'zh-CN') === HAN.test(s);

/** Title in `lang` from the LOINC code of `code`, keeping the original in parentheses. */
export function sectionTitle(term: Terminology, code: unknown, title: string, lang: Lang): string {
  if (inLang(title, lang)) return title;
  const back = /^(.*) \((.*)\)$/.exec(title);
  if (back && inLang(back[2]!, lang)) return back[2]!;
  const codings = isObj(code) && Array.isArray(code.coding) ? (code.coding as Obj[]) : [];
  for (const c of codings) {
    if (c.system !== SYS.LOINC || typeof c.code !== 'string') continue;
    const name = term.display(SYS.LOINC, c.code, lang);
    if (name && inLang(name, lang)) return `${name} (${title})`;
  }
  return title;
}
