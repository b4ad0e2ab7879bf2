/**
 * Public API of the translation stage (issue 5):
 *   const t = createTranslator({ resources, pseudonymKey, mt?, clock? });
 *   t.translateDocument(bundle, { target: 'en' | 'zh-CN', units?, identifierPolicy?, sourceIsChinese? })
 *     → { document, report: Issue[], stats }
 *   t.translateCode(system, code, target) → ConceptMap $translate-style matches
 *
 * Invariants: terminology indexes and the glossary are built ONCE here and frozen; calls are pure
 * functions of their input plus the injected key/clock/MT (no I/O, no Date.now); the source is
 * never mutated; the stage imports no other stage (validation of the result is the caller's).
 */
import type { Resource } from '../fhir/types.js';
import { translateBundle, type TranslateOptions, type TranslationResult } from './document.js';
import { createGlossary } from './gloss.js';
import type { MachineTranslator } from './mt.js';
import { createTerminology, isChineseSystem, normaliseSystem, SYS, atcFromInsuranceCode, type Equivalence, type Lang, type Terminology } from './terminology.js';

export type { TranslateOptions, TranslationResult } from './document.js';
export type { IdentifierPolicy, ResidentIdPolicy } from './identifiers.js';
export { DEFAULT_IDENTIFIER_POLICY, PSEUDONYM_SYSTEM, RESIDENT_ID_SYSTEM } from './identifiers.js';
export type { MachineTranslator } from './mt.js';
export type { Lang, Terminology } from './terminology.js';
export type { TranslationStats } from './report.js';
export { coverage } from './report.js';

export interface TranslatorOptions {
  /** The CodeSystems and ConceptMaps (others are ignored); an iterable is read once, in order. */
  resources: Iterable<Resource>;
  /** HMAC secret for resident-ID pseudonyms (≥ 16 bytes). */
  pseudonymKey: Uint8Array | string;
  mt?: MachineTranslator;
  /** Time for Provenance.recorded; default: the source Bundle.timestamp (deterministic). */
  clock?: () => Date;
}

export interface CodeTranslation {
  /** ConceptMap $translate `result`: true when at least one match. */
  result: boolean;
  /** Name of the source code in the target language, if known. */
  display?: string;
  matches: { equivalence: Equivalence; concept: { system: string; code: string; display?: string }; source: string }[];
}

export interface Translator {
  translateDocument(bundle: unknown, options: TranslateOptions): TranslationResult;
  translateCode(system: string, code: string, target: Lang): CodeTranslation;
  readonly terminology: Terminology;
}

export function createTranslator(options: TranslatorOptions): Translator {
  const res = options?.resources as unknown;
  if (typeof res !== 'object' || res === null || typeof (res as Iterable<Resource>)[Symbol.iterator] !== 'function') {
    throw new TypeError('createTranslator: resources must be iterable');
  }
  const key = options.pseudonymKey;
  if (!(typeof key === 'string' || key instanceof Uint8Array) || key.length < 16) throw new TypeError('createTranslator: pseudonymKey must be at least 16 bytes');
  if (options.mt && typeof options.mt.translate !== 'function') throw new TypeError('createTranslator: mt.translate must be a function');
  const term = createTerminology(options.resources);
  const glossary = createGlossary(term);
  const deps = { term, glossary, pseudonymKey: key, ...(options.mt ? { mt: options.mt } : {}), ...(options.clock ? { clock: options.clock } : {}) };

  const translateCode = (system: string, code: string, target: Lang): CodeTranslation => {
    const sys = normaliseSystem(system);
    const matches: CodeTranslation['matches'] = [];
    for (const t of term.targets(sys, code)) {
      if ((target === 'en') === isChineseSystem(t.system)) continue;
      const display = term.display(t.system, t.code, target) ?? t.display;
      matches.push({ equivalence: t.equivalence, concept: { system: t.system, code: t.code, ...(display ? { display } : {}) }, source: t.map });
      for (const p of t.products) {
        const pd = term.display(p.system, p.code, target);
        matches.push({ equivalence: 'relatedto', concept: { system: p.system, code: p.code, ...(pd ? { display: pd } : {}) }, source: t.map });
      }
    }
    if (sys === SYS.NHSA_DRUG) {
      const atc = atcFromInsuranceCode(code);
      if (atc) matches.push({ equivalence: 'wider', concept: { system: SYS.ATC, code: atc }, source: 'insurance-drug-code X-rule' });
    }
    const display = term.display(sys, code, target);
    return { result: matches.length > 0, ...(display ? { display } : {}), matches };
  };

  return Object.freeze({
    translateDocument: (bundle: unknown, o: TranslateOptions) => translateBundle(bundle, o, deps),
    translateCode,
    terminology: term,
  });
}
