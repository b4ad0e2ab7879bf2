/**
 * Coded concepts: every Coding with a known map gains the target coding(s) beside it, and a
 * target-language display (habit 7, ../shared/ARCHITECTURE.md: add, never replace).
 *
 * - Mapped codes (ConceptMap, e.g. ICD-10 China → WHO ICD-10 `wider`; WHO ICD-10 → ICD-10 China)
 *   are appended as new Codings with the display in the target language; a target system already
 *   present in the concept is not added again (the sender's code is at least as specific).
 * - The original Coding keeps system, version, code, display and userSelected as sent. When the
 *   terminology has a name in the target language, it is attached as the R4 `translation`
 *   extension on the display (http://hl7.org/fhir/R4/extension-translation.html), i.e. in
 *   `_display` — an extension on the element, not a change of the code or its display.
 * - Insurance drug codes: X-rule → ATC level 4; a recognised Chinese generic name → ATC level 5 with
 *   the INN as display (ConceptMap cn-drug-name-to-atc).
 * - Nothing found for a coding that needs translation → warning `unmapped` with its path.
 */
import type { GlossEntry, Glossary } from './gloss.js';
import { pathOf, type Report } from './report.js';
import { atcFromInsuranceCode, isChineseSystem, normaliseSystem, SYS, type Lang, type Terminology } from './terminology.js';

export const TRANSLATION_EXT = 'http://hl7.org/fhir/StructureDefinition/translation';

type Obj = Record<string, unknown>;
const HAN = /\p{Script=Han}/u;

export interface CodingCtx {
  term: Terminology;
  glossary: Glossary;
  target: Lang;
  report: Report;
}

export function textLang(s: string): Lang {
  return HAN.test(s) ? 'zh-CN' : 'en';
}

export function translationExt(lang: Lang, content: string): Obj {
  return { url: TRANSLATION_EXT, extension: [{ url: 'lang', valueCode: lang }, { url: 'content', valueString: content }] };
}

/** The translation of a primitive's `_x` sibling in `lang`, if any. */
export function translationOf(el: unknown, lang: Lang): string | undefined {
  if (typeof el !== 'object' || el === null || !Array.isArray((el as Obj).extension)) return undefined;
  for (const e of (el as Obj).extension as Obj[]) {
    if (e?.url !== TRANSLATION_EXT || !Array.isArray(e.extension)) continue;
    const parts = e.extension as Obj[];
    if (parts.find((p) => p.url === 'lang')?.valueCode !== lang) continue;
    const c = parts.find((p) => p.url === 'content')?.valueString;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

function addTranslation(holder: Obj, prop: string, lang: Lang, content: string): void {
  const key = `_${prop}`;
  const existing = holder[key] as Obj | undefined;
  if (translationOf(existing, lang) !== undefined) return;
  const ext = existing && Array.isArray(existing.extension) ? existing.extension : [];
  holder[key] = { ...(existing ?? {}), extension: [...ext, translationExt(lang, content)] };
}

function sideOk(system: string, target: Lang): boolean {
  return target === 'en' ? !isChineseSystem(system) : isChineseSystem(system);
}

/** Does a coding need translation for `target`? (Chinese system or display in the other language.) */
function needs(system: string, display: string | undefined, target: Lang): boolean {
  if (target === 'en') return isChineseSystem(system) || (display !== undefined && HAN.test(display));
  return display === undefined || !HAN.test(display);
}

function recogniseDrug(ctx: CodingCtx, text: string | undefined): GlossEntry | undefined {
  if (!text) return undefined;
  return ctx.glossary.gloss(text, 'zh-CN', 'en').find((g) => g.kind === 'drug');
}

/**
 * Translate one CodeableConcept in place (the caller's copy). `at` is its FHIRPath, or the path
 * segments it is joined from when a report entry needs it (report.ts pathOf). `kind` tells which
 * text-only recognitions apply (medication names).
 *
 * Issue 10: this was the largest allocator of a translation (≈ 1.3 KB per concept): the lists
 * below are made only when something is added, and the path only when something is reported.
 */
export function translateConcept(cc: Obj, at: string | readonly (string | number)[], ctx: CodingCtx, kind?: 'medication'): void {
  const { term, target, report } = ctx;
  const codings = Array.isArray(cc.coding) ? (cc.coding as Obj[]) : [];
  let path: string | undefined;
  const where = (): string => (path ??= typeof at === 'string' ? at : pathOf(at));
  let added: Obj[] | undefined;
  const add = (system: string, code: string, display: string | undefined): boolean => {
    // A target system the sender already used is not added again (their code is at least as
    // specific), nor the same system|code twice.
    for (const c of codings) if (typeof c?.system === 'string' && normaliseSystem(c.system) === system) return false;
    if (added?.some((a) => a.system === system && a.code === code)) return false;
    (added ??= []).push(display ? { system, code, display } : { system, code });
    return true;
  };
  const covered = codings.some((c) => typeof c?.system === 'string' && typeof c.code === 'string' && !needs(normaliseSystem(c.system), typeof c.display === 'string' ? c.display : undefined, target) && typeof c.display === 'string');
  let primaryName: string | undefined;
  const n = codings.length;
  for (let i = 0; i < n; i++) {
    const c = codings[i];
    if (typeof c !== 'object' || c === null || typeof c.system !== 'string' || typeof c.code !== 'string') continue;
    const sys = normaliseSystem(c.system);
    const display = typeof c.display === 'string' ? c.display : undefined;
    if (!needs(sys, display, target)) {
      if (display) primaryName ??= display;
      continue;
    }
    const cpath = `${where()}.coding[${i}]`;
    let done = false;
    const mappedBefore = report.stats.mapped;
    const own = term.display(sys, c.code, target);
    if (own && own !== display && display !== undefined) {
      addTranslation(c, 'display', target, own);
      report.info('display-translation', `${target} display from terminology: ${own}`, `${cpath}.display`);
      primaryName ??= own;
      done = true;
    }
    let usedSystems: string[] | undefined;
    for (const t of term.targets(sys, c.code)) {
      // One target per target system (the first is the map's usual meaning); products come with it.
      if (!sideOk(t.system, target) || usedSystems?.includes(t.system)) continue;
      (usedSystems ??= []).push(t.system);
      const name = term.display(t.system, t.code, target) ?? (t.display && textLang(t.display) === target ? t.display : undefined);
      if (add(t.system, t.code, name)) {
        report.info('concept-map', `${c.system}|${c.code} → ${t.system}|${t.code} (${t.equivalence}, ${t.map})`, cpath);
        report.stats.mapped++;
        primaryName ??= name;
        done = true;
      }
      for (const p of t.products) {
        if (!sideOk(p.system, target)) continue;
        const pn = term.display(p.system, p.code, target);
        if (add(p.system, p.code, pn)) report.info('concept-map', `${c.system}|${c.code} → ${p.system}|${p.code} (asterisk/manifestation code, ${t.map})`, cpath);
      }
    }
    if (sys === SYS.NHSA_DRUG && target === 'en') done = translateDrug(ctx, c.code, display ?? (cc.text as string | undefined), cpath, add) || done;
    if (term.isTraditionalMedicine(sys, c.code)) {
      report.info('traditional-medicine', 'Traditional Chinese medicine concept: no WHO ICD-10 equivalent', cpath);
      if (target === 'en' && display) {
        const tcm = term.display(SYS.TCM_TERM, display, 'en');
        if (tcm && !own) {
          addTranslation(c, 'display', 'en', tcm);
          primaryName ??= tcm;
          done = true;
        }
      }
    }
    if (!done) {
      const parent = term.parentTitle(sys, c.code, target);
      const msg = `No ${target} map or name for ${c.system}|${c.code}${parent ? ` (wider parent: ${parent})` : ''}`;
      if (covered) report.info('unmapped', `${msg}; another coding of the concept is in ${target}`, cpath);
      else report.warn('unmapped', msg, cpath);
      report.stats.unmapped++;
    } else if (report.stats.mapped === mappedBefore) report.stats.displayOnly++;
    report.coding(sys, done);
  }
  if (n === 0 && kind === 'medication' && target === 'en' && typeof cc.text === 'string') {
    translateDrug(ctx, undefined, cc.text, `${where()}.text`, add);
  }
  if (added) cc.coding = [...codings, ...added];
  if (typeof cc.text === 'string' && textLang(cc.text) !== target) {
    primaryName ??= added?.find((a) => typeof a.display === 'string')?.display as string | undefined;
    if (primaryName && textLang(primaryName) === target) addTranslation(cc, 'text', target, primaryName);
  }
}

function translateDrug(ctx: CodingCtx, code: string | undefined, name: string | undefined, path: string,
  add: (system: string, code: string, display: string | undefined) => boolean): boolean {
  const atc4 = code ? atcFromInsuranceCode(code) : undefined;
  const drug = recogniseDrug(ctx, name);
  if (drug) {
    const targets = ctx.term.targets(drug.system, drug.code).filter((t) => t.system === SYS.ATC);
    const pick = targets.find((t) => atc4 && t.code.startsWith(atc4)) ?? targets[0];
    if (pick && add(SYS.ATC, pick.code, pick.display ?? drug.target)) {
      ctx.report.info('drug-name-recognised', `Chinese generic name ${drug.term} → ATC ${pick.code} (${pick.display ?? drug.target})`, path);
      return true;
    }
  }
  if (atc4 && add(SYS.ATC, atc4, ctx.term.display(SYS.ATC, atc4, ctx.target))) {
    ctx.report.info('insurance-drug-atc', `Insurance drug code X-rule: ${code} → ATC level 4 ${atc4} (wider)`, path);
    return true;
  }
  return false;
}

/** Best label of a concept in `lang`: a coding display or translation in `lang`, else undefined. */
export function conceptLabel(cc: unknown, lang: Lang): string | undefined {
  if (typeof cc !== 'object' || cc === null) return undefined;
  const o = cc as Obj;
  const tt = translationOf(o._text, lang);
  if (tt) return tt;
  if (typeof o.text === 'string' && textLang(o.text) === lang) return o.text;
  for (const c of Array.isArray(o.coding) ? (o.coding as Obj[]) : []) {
    const tr = translationOf(c._display, lang);
    if (tr) return tr;
    if (typeof c.display === 'string' && textLang(c.display) === lang) return c.display;
  }
  return undefined;
}

/** The original text of a concept (text, else first display, else first code). */
export function conceptOriginal(cc: unknown): string | undefined {
  if (typeof cc !== 'object' || cc === null) return undefined;
  const o = cc as Obj;
  if (typeof o.text === 'string') return o.text;
  const first = Array.isArray(o.coding) ? (o.coding[0] as Obj | undefined) : undefined;
  return (first?.display as string | undefined) ?? (first?.code as string | undefined);
}
