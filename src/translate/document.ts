/**
 * Document-level translation: one pass that copies the source Bundle while translating it (the
 * source is never mutated; copy.ts), then per-resource rules (names, identifiers, units, IPS profiles),
 * then narratives (sections and resources) and the Provenance that records the report.
 *
 * zh → en (Chinese discharge summary → overseas reader): entries that IPS profiles claim
 * `meta.profile` of the IPS profile (Patient, Condition, MedicationStatement/Request,
 * AllergyIntolerance, Observation results, Procedure, Organization, Practitioner). The Composition
 * keeps its discharge-summary type (C0053 + LOINC 18842-5) and does NOT claim the IPS Composition
 * profile, whose `type` is fixed to LOINC 60591-5 "Patient summary Document": relabelling a
 * discharge summary as a patient summary would change its meaning. Its sections already carry the
 * IPS section codes where both standards share one (11450-4 problems, 47519-4 procedures, 30954-2
 * results, 18776-5 plan of care). See src/translate/README.md.
 * en → zh (IPS → Chinese hospital): same pipeline, target zh-CN; profiles are left as sent.
 *
 * Invariants: pure (clock injected); deterministic; nothing removed except what the identifier
 * policy removes and the source signature (no longer valid for the changed content).
 */
import { createHash } from 'node:crypto';
import { GatewayError, type Issue } from '../errors.js';
import type { Bundle } from '../fhir/types.js';
import { copy, type Walk } from './copy.js';
import type { Glossary } from './gloss.js';
import { applyIdentifierPolicy, DEFAULT_IDENTIFIER_POLICY, type IdentifierPolicy } from './identifiers.js';
import type { MachineTranslator } from './mt.js';
import { addPinyinNames } from './names.js';
import { divLang, plainText, redact, unwrap, wrap } from './narrative.js';
import { renderEntry, renderSection } from './render.js';
import { Report, type TranslationStats } from './report.js';
import { normaliseLang, SYS, type Lang, type Terminology } from './terminology.js';
import { addConverted } from './units.js';
import { sectionTitle, ipsProfileFor } from './ips.js';

export interface TranslateOptions {
  target: Lang;
  units?: 'si' | 'conventional';
  identifierPolicy?: IdentifierPolicy;
  /** Default: Composition.language is zh-* or its type is C0053. */
  sourceIsChinese?: boolean;
}

export interface TranslateDeps {
  term: Terminology;
  glossary: Glossary;
  pseudonymKey: Uint8Array | string;
  mt?: MachineTranslator;
  clock?: () => Date;
}

export interface TranslationResult {
  document: Bundle;
  report: Issue[];
  stats: TranslationStats;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNarrative = (v: unknown): v is Obj => isObj(v) && typeof v.div === 'string';

function detectSourceLang(comp: Obj | undefined): Lang | undefined {
  return normaliseLang(typeof comp?.language === 'string' ? comp.language : undefined);
}

function isChineseDoc(comp: Obj | undefined): boolean {
  if (detectSourceLang(comp) === 'zh-CN') return true;
  const codings = isObj(comp?.type) && Array.isArray(comp.type.coding) ? (comp.type.coding as Obj[]) : [];
  return codings.some((c) => c.code === 'C0053');
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function translateBundle(source: unknown, opts: TranslateOptions, deps: TranslateDeps): TranslationResult {
  if (!isObj(source) || source.resourceType !== 'Bundle' || !Array.isArray(source.entry)) {
    throw new GatewayError('INVALID_RESOURCE', 'Only a FHIR document Bundle can be translated.', { expression: 'Bundle' });
  }
  if (opts.target !== 'en' && opts.target !== 'zh-CN') throw new TypeError(`translateDocument: unsupported target ${String(opts.target)}`);
  const report = new Report();
  const target = opts.target;
  const firstRes = isObj(source.entry[0]) && isObj(source.entry[0].resource) ? (source.entry[0].resource as Obj) : undefined;
  const sourceComp = firstRes?.resourceType === 'Composition' ? firstRes : undefined;
  const chinese = opts.sourceIsChinese ?? isChineseDoc(sourceComp);
  const docLang = detectSourceLang(sourceComp) ?? (chinese ? 'zh-CN' : 'en');
  const w: Walk = { coding: { term: deps.term, glossary: deps.glossary, target, report }, report, zone: chinese, segs: ['Bundle'] };
  const policy = opts.identifierPolicy ?? DEFAULT_IDENTIFIER_POLICY;
  const hidden: string[] = [];

  const out: Obj = {};
  for (const k of Object.keys(source)) {
    if (k === 'entry') continue;
    if (k === 'signature') {
      report.info('signature-removed', 'The source signature does not cover the translated content; the gateway signs the delivered document', 'Bundle.signature');
      continue;
    }
    w.segs.push(k);
    out[k] = copy(source[k], w, k);
    w.segs.pop();
  }
  w.segs.push('entry');
  const entries = (source.entry as unknown[]).map((e, i) => {
    w.segs.push(i);
    const c = copy(e, w, 'entry') as Obj;
    w.segs.pop();
    return c;
  });
  w.segs.pop();
  const byRef = new Map<string, Obj>();
  entries.forEach((e, i) => {
    const r = isObj(e.resource) ? e.resource : undefined;
    if (!r) return;
    const path = `Bundle.entry[${i}].resource`;
    if (typeof e.fullUrl === 'string') byRef.set(e.fullUrl, r);
    if (typeof r.id === 'string') byRef.set(`${String(r.resourceType)}/${r.id}`, r);
    perResource(r, path, { ...opts, target }, deps, report, hidden, policy, chinese);
  });

  // Narratives, after all entries are translated (sections render their entries). Each entry is
  // rendered once: for its own narrative and every section listing it (issue 10: twice before).
  const rendered = new Map<Obj, string>();
  const render = (r: Obj): string => {
    let html = rendered.get(r);
    if (html === undefined) rendered.set(r, (html = renderEntry(r, target)));
    return html;
  };
  entries.forEach((e, i) => {
    const r = e.resource;
    if (!isObj(r)) return;
    const path = `Bundle.entry[${i}].resource`;
    if (r.resourceType === 'Composition') translateComposition(r, path, byRef, render, target, docLang, deps, report, hidden);
    else if (isNarrative(r.text)) r.text = narrativeFor(r.text, render(r), `${path}.text`, target, docLang, deps, report, hidden, false);
  });

  const compEntry = entries[0];
  const recorded = deps.clock ? deps.clock().toISOString() : typeof source.timestamp === 'string' ? source.timestamp : undefined;
  const ident = isObj(source.identifier) ? `${String(source.identifier.system)}|${String(source.identifier.value)}` : JSON.stringify(source.timestamp ?? '');
  const provUrl = `urn:uuid:${uuidFrom(`${ident}|${target}|provenance`)}`;
  const issues = report.issues;
  if (compEntry && typeof compEntry.fullUrl === 'string' && recorded) {
    entries.push({ fullUrl: provUrl, resource: provenance(provUrl.slice(9), compEntry.fullUrl, recorded, docLang, target, source.identifier, issues, report.stats) });
  }
  out.entry = entries;
  return { document: out as unknown as Bundle, report: issues, stats: report.stats };
}

function perResource(r: Obj, path: string, opts: TranslateOptions & { target: Lang }, deps: TranslateDeps, report: Report,
  hidden: string[], policy: IdentifierPolicy, chinese: boolean): void {
  if (Array.isArray(r.identifier)) {
    const res = applyIdentifierPolicy(r.identifier, policy, deps.pseudonymKey);
    for (const a of res.actions) {
      const rule = a.action === 'removed' ? 'resident-id-removed' : a.action === 'pseudonymised' ? 'resident-id-pseudonymised' : 'resident-id-kept';
      report.info(rule, `Resident ID number ${a.action} by the destination policy (residentId: ${policy.residentId})`, `${path}.identifier[${a.index}]`);
    }
    hidden.push(...res.hidden);
    r.identifier = res.identifiers;
  }
  if (Array.isArray(r.name) && (r.resourceType === 'Patient' || r.resourceType === 'Practitioner' || r.resourceType === 'RelatedPerson')) {
    for (const i of addPinyinNames(r.name)) {
      report.stats.names++;
      report.info('pinyin-name', 'Hanyu Pinyin form added (GB/T 28039, passport spelling), hanzi kept', `${path}.name[${i}]`);
    }
  }
  if (r.resourceType === 'Observation' && opts.units === 'conventional') {
    const loinc = isObj(r.code) && Array.isArray(r.code.coding) ? (r.code.coding as Obj[]).find((c) => c.system === SYS.LOINC)?.code : undefined;
    if (typeof loinc === 'string') {
      const targets: [unknown, string][] = [[r.valueQuantity, `${path}.valueQuantity`]];
      (Array.isArray(r.referenceRange) ? (r.referenceRange as Obj[]) : []).forEach((rr, j) => {
        targets.push([rr.low, `${path}.referenceRange[${j}].low`], [rr.high, `${path}.referenceRange[${j}].high`]);
      });
      for (const [q, qp] of targets) {
        if (!isObj(q)) continue;
        const c = addConverted(q, loinc);
        if (c) {
          report.stats.conversions++;
          report.info('conventional-unit', `${String(q.value)} ${String(q.code)} = ${c.value} ${c.code} (original kept)`, qp);
        }
      }
    }
  }
  if (opts.target === 'en' && chinese) {
    const profile = ipsProfileFor(r);
    if (profile) {
      const meta = isObj(r.meta) ? r.meta : (r.meta = {});
      const profiles = Array.isArray(meta.profile) ? (meta.profile as unknown[]) : [];
      if (!profiles.includes(profile)) {
        meta.profile = [...profiles, profile];
        report.info('ips-profile', `Claims IPS profile ${profile}`, `${path}.meta.profile`);
      }
    }
  }
}

function narrativeFor(text: Obj, generated: string, path: string, target: Lang, docLang: Lang, deps: TranslateDeps, report: Report,
  hidden: readonly string[], withGloss: boolean): Obj {
  let div = text.div as string;
  const unwrapped = unwrap(div);
  let original = unwrapped ? unwrapped.original : div;
  if (hidden.length) original = redact(original, hidden, '[ID removed]');
  const origLang = normaliseLang(divLang(original)) ?? docLang;
  if (origLang === target) {
    if (unwrapped) report.info('narrative-restored', 'Original narrative restored (target is its language)', path);
    return { ...text, div: original };
  }
  const plain = withGloss || deps.mt ? plainText(original) : '';
  const gloss = withGloss ? deps.glossary.gloss(plain, origLang, target) : [];
  report.stats.glossed += gloss.length;
  for (const g of gloss) report.info('gloss', `Recognised ${g.term} → ${g.target} (${g.code})`, path);
  const mtText = deps.mt && plain ? deps.mt.translate(plain, origLang, target) : undefined;
  if (mtText !== undefined) report.info('machine-translation', `Free text machine-translated by ${deps.mt!.name} (marked as such)`, path);
  else report.warn('narrative-untranslated', 'Free text kept in the original language with a note (no translation available)', path, 'informational');
  div = wrap({ target, generated, original, originalLang: origLang, gloss, ...(mtText !== undefined ? { mt: { name: deps.mt!.name, text: mtText } } : {}) });
  report.info('narrative-generated', `Narrative generated in ${target}; original kept verbatim (lang ${origLang})`, path);
  return { ...text, status: 'additional', div };
}

function translateComposition(c: Obj, path: string, byRef: ReadonlyMap<string, Obj>, render: (r: Obj) => string, target: Lang, docLang: Lang, deps: TranslateDeps,
  report: Report, hidden: readonly string[]): void {
  c.language = target;
  if (typeof c.title === 'string') c.title = sectionTitle(deps.term, c.type, c.title, target);
  if (isNarrative(c.text)) c.text = narrativeFor(c.text, `<p>${typeof c.title === 'string' ? escTitle(c.title) : ''}</p>`, `${path}.text`, target, docLang, deps, report, hidden, false);
  const walkSections = (sections: unknown, spath: string): void => {
    if (!Array.isArray(sections)) return;
    sections.forEach((s, i) => {
      if (!isObj(s)) return;
      const sp = `${spath}[${i}]`;
      report.stats.sections++;
      if (typeof s.title === 'string') s.title = sectionTitle(deps.term, s.code, s.title, target);
      const refs = Array.isArray(s.entry) ? (s.entry as Obj[]) : [];
      const resolved = refs.map((e) => (typeof e.reference === 'string' ? byRef.get(e.reference) : undefined)).filter(isObj);
      if (isNarrative(s.text)) s.text = narrativeFor(s.text, renderSection(resolved, target, render), `${sp}.text`, target, docLang, deps, report, hidden, true);
      walkSections(s.section, `${sp}.section`);
    });
  };
  walkSections(c.section, `${path}.section`);
}

function escTitle(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function provenance(id: string, compositionUrl: string, recorded: string, from: Lang, to: Lang, sourceId: unknown,
  issues: readonly Issue[], stats: TranslationStats): Obj {
  const warnings = issues.filter((i) => i.severity === 'warning').length;
  return {
    resourceType: 'Provenance',
    id,
    contained: [{
      resourceType: 'OperationOutcome',
      id: 'translation-report',
      issue: issues.length
        ? issues.map((i) => ({ severity: i.severity, code: i.code, diagnostics: i.diagnostics, ...(i.expression ? { expression: i.expression } : {}), ...(i.rule ? { details: { coding: [{ system: 'https://emr-gateway.example.org/fhir/CodeSystem/issue-rule', code: i.rule }] } } : {}) }))
        : [{ severity: 'information', code: 'informational', diagnostics: 'Nothing to translate.' }],
    }],
    target: [{ reference: compositionUrl }],
    recorded,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'UPDATE', display: 'revise' }], text: `Translation ${from} → ${to}` },
    agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler', display: 'Assembler' }] }, who: { display: 'EMR Gateway translation service' } }],
    entity: [
      { role: 'source', what: isObj(sourceId) ? { identifier: sourceId, display: 'Source document' } : { display: 'Source document' } },
      { role: 'derivation', what: { reference: '#translation-report', display: `Translation report: ${stats.translated}/${stats.codings} codings translated, ${warnings} warnings` } },
    ],
  };
}
