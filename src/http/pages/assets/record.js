/**
 * The doctor's view of a delivered FHIR document, as plain data (no DOM): what the viewer shows
 * and in which language. Pure, so unit tests run it under Node on the fixtures.
 *
 * Invariants (issue 5 "add, never replace"; DOMAIN.md "Names"): the original wording is always
 * kept beside the target-language wording, never dropped; a target wording is taken only from
 * (1) the same text when it already is in the target language, (2) a FHIR `translation`
 * extension (http://hl7.org/fhir/StructureDefinition/translation) with that language, or (3) a
 * Coding display written in that language (WHO ICD-10, ATC, SNOMED CT, LOINC beside the Chinese
 * code) — otherwise the item is marked untranslated, never guessed. Every Coding is listed with
 * its system so both codes (Chinese ICD-10 and WHO ICD-10) are visible.
 */

export const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';
export const EN_REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';
const HAN = /\p{Script=Han}/u;

/** Known code systems → catalogue key (`system.<key>`); others show their URI. */
const SYSTEMS = [
  [/^urn:oid:2\.16\.156\.10011\.2\.3\.3\.11(\.3|\.5)?$/, 'icd10cn'],
  [/^http:\/\/hl7\.org\/fhir\/sid\/icd-10$/, 'icd10who'],
  [/^urn:oid:2\.16\.156\.10011\.2\.3\.3\.12$/, 'icd9cn'],
  [/^http:\/\/hl7\.org\/fhir\/sid\/icd-9-cm$/, 'icd9cm'],
  [/^urn:oid:2\.16\.156\.10011\.2\.3\.3\.14$/, 'tcm'],
  [/^http:\/\/loinc\.org$/, 'loinc'],
  [/^http:\/\/snomed\.info\/sct$/, 'snomed'],
  [/^http:\/\/www\.whocc\.no\/atc$/, 'atc'],
  [/\/CodeSystem\/nhsa-drug$/, 'nhsaDrug'],
  [/\/CodeSystem\/cn-drug-name$/, 'cnDrug'],
  [/\/CodeSystem\/tcm-term-cn$/, 'tcm'],
  [/^http:\/\/unitsofmeasure\.org$/, 'ucum'],
];

/** @param {string|undefined} system */
export function systemKey(system) {
  for (const [re, key] of SYSTEMS) if (typeof system === 'string' && re.test(system)) return key;
  return undefined;
}

/** 'zh-CN' when the text contains Han characters, else 'en'. @param {string} s */
export const textLang = (s) => (HAN.test(s) ? 'zh-CN' : 'en');
/** @param {string} a @param {string} b */
const sameLang = (a, b) => a.toLowerCase().split('-')[0] === b.toLowerCase().split('-')[0];

/** Translations carried on a primitive's `_x` element. @param {any} el */
export function translations(el) {
  const out = [];
  for (const ext of Array.isArray(el?.extension) ? el.extension : []) {
    if (ext?.url !== TRANSLATION || !Array.isArray(ext.extension)) continue;
    const lang = ext.extension.find((e) => e?.url === 'lang')?.valueCode;
    const content = ext.extension.find((e) => e?.url === 'content');
    const text = content?.valueString ?? content?.valueMarkdown;
    if (typeof lang === 'string' && typeof text === 'string') out.push({ lang, text });
  }
  return out;
}

/**
 * A text in its original form and, when available, in the target language.
 * @param {string|undefined} original @param {any} shadow the `_x` element @param {string} lang
 * @param {string[]} [alternatives] other wordings of the same thing (Coding displays)
 */
export function bilingual(original, shadow, lang, alternatives = []) {
  if (typeof original !== 'string' || original === '') {
    const alt = alternatives.find((a) => typeof a === 'string' && a && textLang(a) === lang);
    return alt ? { original: alt, originalLang: lang, target: alt, translated: true } : undefined;
  }
  const originalLang = textLang(original);
  if (sameLang(originalLang, lang)) return { original, originalLang, target: original, translated: true };
  const t = translations(shadow).find((x) => sameLang(x.lang, lang))?.text ?? alternatives.find((a) => typeof a === 'string' && a && textLang(a) === lang);
  return t ? { original, originalLang, target: t, translated: true } : { original, originalLang, translated: false };
}

/**
 * A title the translator wrote as "Target wording (原文)" (src/translate/document.ts), or a plain
 * title: split into target and original so the original is shown beside, not inside.
 * @param {string|undefined} title @param {any} shadow @param {string} lang @param {string[]} alternatives
 */
export function titleText(title, shadow, lang, alternatives = []) {
  const m = typeof title === 'string' ? /^(.*\S)\s*[(（]([^()（）]*\p{Script=Han}[^()（）]*)[)）]$/u.exec(title) : null;
  if (m && !HAN.test(m[1])) {
    const target = m[1];
    return sameLang(textLang(target), lang) ? { original: m[2], originalLang: 'zh-CN', target, translated: true } : { original: m[2], originalLang: 'zh-CN', target: m[2], translated: true };
  }
  return bilingual(title, shadow, lang, alternatives);
}

/** A CodeableConcept for display. @param {any} cc @param {string} lang */
export function concept(cc, lang) {
  if (!cc || typeof cc !== 'object') return undefined;
  const codings = Array.isArray(cc.coding) ? cc.coding.filter((c) => c && typeof c === 'object') : [];
  const codes = codings.map((c) => ({
    system: c.system,
    systemKey: systemKey(c.system),
    code: c.code,
    display: c.display,
    ...(c.version ? { version: c.version } : {}),
  }));
  const displays = [];
  for (const c of codings) {
    for (const t of translations(c._display)) if (sameLang(t.lang, lang)) displays.push(t.text);
  }
  // Wordings in the target language from codings other than the original's own system come after.
  for (const c of codings) if (typeof c.display === 'string') displays.push(c.display);
  const original = typeof cc.text === 'string' && cc.text ? cc.text : codings.find((c) => typeof c.display === 'string')?.display;
  const shadow = typeof cc.text === 'string' && cc.text ? cc._text : codings.find((c) => typeof c.display === 'string')?._display;
  const text = bilingual(original, shadow, lang, displays);
  return { ...(text ?? { translated: false }), codes };
}

/** @param {any} bundle */
export function resolver(bundle) {
  const byRef = new Map();
  for (const e of Array.isArray(bundle?.entry) ? bundle.entry : []) {
    const r = e?.resource;
    if (!r || typeof r !== 'object') continue;
    if (typeof e.fullUrl === 'string') byRef.set(e.fullUrl, r);
    if (r.id) byRef.set(`${r.resourceType}/${r.id}`, r);
  }
  /** @param {any} ref */
  return (ref) => (typeof ref?.reference === 'string' ? byRef.get(ref.reference) : undefined);
}

/** A HumanName list → hanzi (IDE) and pinyin (ABC) forms, with their representation. @param {any[]} names */
export function personNames(names) {
  return (Array.isArray(names) ? names : []).map((n) => {
    const rep = (Array.isArray(n?.extension) ? n.extension : []).find((e) => e?.url === EN_REPRESENTATION)?.valueCode;
    const text = n?.text ?? [n?.family, ...(Array.isArray(n?.given) ? n.given : [])].filter(Boolean).join(HAN.test(n?.family ?? '') ? '' : ' ');
    return { text, lang: textLang(text ?? ''), ...(rep ? { representation: rep } : {}) };
  }).filter((n) => n.text);
}

function quantity(q) {
  if (!q || typeof q !== 'object' || q.value === undefined) return undefined;
  return { value: q.value, unit: q.unit ?? q.code ?? '', ...(q.comparator ? { comparator: q.comparator } : {}) };
}

function dosage(d, lang) {
  if (!d || typeof d !== 'object') return undefined;
  const dr = Array.isArray(d.doseAndRate) ? d.doseAndRate[0] : undefined;
  const rep = d.timing?.repeat;
  return {
    dose: quantity(dr?.doseQuantity),
    route: concept(d.route, lang),
    frequency: concept(d.timing?.code, lang),
    ...(rep && rep.frequency !== undefined ? { repeat: { frequency: rep.frequency, period: rep.period ?? 1, periodUnit: rep.periodUnit ?? 'd' } } : {}),
    text: bilingual(d.text, d._text, lang),
  };
}

/** One section entry as a displayable item, or undefined for resources shown elsewhere. */
function entryItem(r, lang, resolve) {
  switch (r?.resourceType) {
    case 'Condition': {
      const tcm = (r.category ?? []).some((c) => (c.coding ?? []).some((x) => x.code === 'tcm')) || (r.code?.coding ?? []).some((x) => systemKey(x.system) === 'tcm');
      return { kind: 'diagnosis', concept: concept(r.code, lang), category: concept(r.category?.[0], lang), tcm, verification: r.verificationStatus?.coding?.[0]?.code };
    }
    case 'MedicationRequest':
    case 'MedicationStatement': {
      const med = r.medicationCodeableConcept ?? resolve(r.medicationReference)?.code;
      const d = (r.dosageInstruction ?? r.dosage ?? [])[0];
      return { kind: 'medicine', concept: concept(med, lang), dosage: dosage(d, lang), category: concept(Array.isArray(r.category) ? r.category[0] : r.category, lang), status: r.status };
    }
    case 'Observation': {
      const range = (r.referenceRange ?? []).map((rr) => ({ low: quantity(rr.low), high: quantity(rr.high), text: rr.text }));
      return {
        kind: 'result',
        concept: concept(r.code, lang),
        value: quantity(r.valueQuantity),
        ...(typeof r.valueString === 'string' ? { valueText: bilingual(r.valueString, r._valueString, lang) } : {}),
        ...(r.valueCodeableConcept ? { valueConcept: concept(r.valueCodeableConcept, lang) } : {}),
        range,
        interpretation: concept(r.interpretation?.[0], lang),
        date: r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued,
      };
    }
    case 'Procedure':
      return { kind: 'procedure', concept: concept(r.code, lang), date: r.performedDateTime ?? r.performedPeriod?.start };
    case 'AllergyIntolerance':
      return { kind: 'allergy', concept: concept(r.code, lang), criticality: r.criticality, reactions: (r.reaction ?? []).flatMap((x) => (x.manifestation ?? []).map((m) => concept(m, lang))) };
    default:
      return undefined;
  }
}

/** Narratives of a section: its own text and any translated narrative carried beside it. */
function narratives(section) {
  const out = [];
  const push = (div) => {
    if (typeof div !== 'string' || !div.trim()) return;
    const m = /^<div\b[^>]*?\slang="([^"]+)"/.exec(div);
    // The gateway's wrapper keeps the untranslated original inside `emrgw-original` with its own lang.
    const orig = /<div class="emrgw-original"><div\b[^>]*?\slang="([^"]+)"/.exec(div);
    out.push({ lang: m ? m[1] : textLang(div.replace(/<[^>]*>/g, '')), div, ...(orig ? { originalLang: orig[1] } : {}) });
  };
  push(section?.text?.div);
  for (const ext of [...(section?.extension ?? []), ...(section?.text?.extension ?? [])]) {
    if (ext?.url === TRANSLATION) push(ext.extension?.find((e) => e.url === 'content')?.valueString);
    else if (typeof ext?.valueString === 'string' && ext.valueString.startsWith('<div')) push(ext.valueString);
  }
  return out;
}

function sectionModel(s, lang, resolve) {
  const loinc = (s.code?.coding ?? []).find((c) => c.system === 'http://loinc.org')?.code;
  const narr = narratives(s);
  return {
    loinc,
    title: titleText(s.title, s._title, lang, (s.code?.coding ?? []).map((c) => c.display)),
    narratives: narr,
    narrativeTranslated: narr.length === 0 || narr.some((n) => sameLang(n.lang, lang)),
    items: (s.entry ?? []).map((ref) => entryItem(resolve(ref), lang, resolve)).filter(Boolean),
    sections: (s.section ?? []).map((x) => sectionModel(x, lang, resolve)),
  };
}

/**
 * The whole document for display in `lang` ('en' or 'zh-CN').
 * @param {any} bundle @param {string} lang
 */
export function recordModel(bundle, lang) {
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'document') throw new TypeError('not a FHIR document Bundle');
  const resolve = resolver(bundle);
  const comp = bundle.entry?.[0]?.resource;
  if (comp?.resourceType !== 'Composition') throw new TypeError('a document Bundle starts with its Composition');
  const patient = resolve(comp.subject);
  const org = resolve(comp.custodian);
  const encounter = resolve(comp.encounter);
  const authors = (comp.author ?? []).map((a) => resolve(a)).filter(Boolean);
  return {
    language: comp.language ?? bundle.language,
    title: titleText(comp.title, comp._title, lang, (comp.type?.coding ?? []).map((c) => c.display)),
    type: concept(comp.type, lang),
    date: comp.date,
    status: comp.status,
    patient: patient
      ? { names: personNames(patient.name), gender: patient.gender, birthDate: patient.birthDate }
      : undefined,
    hospital: org
      ? { name: bilingual(org.name, org._name, lang, Array.isArray(org.alias) ? org.alias : []), aliases: Array.isArray(org.alias) ? org.alias : [] }
      : undefined,
    authors: authors.filter((a) => a.resourceType === 'Practitioner').map((a) => ({ names: personNames(a.name) })),
    period: encounter?.period,
    sections: (comp.section ?? []).map((s) => sectionModel(s, lang, resolve)),
  };
}
