/**
 * Narrative placement (decision, see src/translate/README.md). A FHIR section or resource has ONE
 * `text` (R4 narrative.html). When the target language differs from the narrative's language, the
 * delivered `text.div` is one XHTML div (lang = target) holding, in order:
 *   1. the narrative generated in the target language from the structured entries;
 *   2. a note that what follows is the original, not translated (or machine-translated, marked);
 *   3. a glossary of medical terms recognised in the original (terminology names, target language);
 *   4. the ORIGINAL div, byte for byte, inside `<div class="emrgw-original">` — its own `lang`
 *      and `xml:lang` stay on it (XHTML nested divs may carry their own language).
 * `text.status` becomes `additional` (R4 codesystem-narrative-status: "narrative with additional
 * content that's not found in the structured data" — the original free text), not `generated`.
 * When the target equals the original's language, the original div is restored unchanged.
 *
 * Invariants: every generated string is XML-escaped; the original div is never altered except by
 * the identifier policy (resident ID values not kept are redacted, PIPL art. 28); no nesting — a
 * wrapper is unwrapped before re-wrapping.
 */
import type { GlossEntry } from './gloss.js';
import { systemLabel } from './gloss.js';
import type { Lang } from './terminology.js';

export const XHTML_NS = 'http://www.w3.org/1999/xhtml';
const WRAP_CLASS = 'emrgw-translation';
const ORIGINAL_OPEN = '<div class="emrgw-original">';
const CLOSE2 = '</div></div>';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const NEEDS_ESC = /[&<>"']/;
export function esc(s: string): string {
  // Most strings need no escaping: test first rather than run a replace callback (issue 10).
  return NEEDS_ESC.test(s) ? s.replace(/[&<>"']/g, (c) => ESC[c]!) : s;
}

/** The `lang` (or `xml:lang`) of the root div, if any. */
export function divLang(div: string): string | undefined {
  const m = /^<div\b[^>]*?\s(?:xml:)?lang="([^"]+)"/.exec(div);
  return m ? m[1] : undefined;
}

export interface Unwrapped {
  original: string;
  /** Language of the generated part of the wrapper. */
  generatedLang: string | undefined;
}

/** If `div` is one of our wrappers, its original div and the wrapper's language. */
export function unwrap(div: string): Unwrapped | undefined {
  if (!div.startsWith('<div') || !div.slice(0, 200).includes(`class="${WRAP_CLASS}"`)) return undefined;
  const at = div.indexOf(ORIGINAL_OPEN);
  if (at < 0 || !div.endsWith(CLOSE2)) return undefined;
  return { original: div.slice(at + ORIGINAL_OPEN.length, div.length - CLOSE2.length), generatedLang: divLang(div) };
}

const LABELS = {
  en: {
    original: (lang: string) => `Original text (${lang === 'zh-CN' ? 'Chinese' : lang}), not translated:`,
    mt: (name: string) => `Machine translation by ${name} — not checked by a clinician:`,
    gloss: 'Medical terms recognised in the original text:',
    wider: 'broader term',
  },
  'zh-CN': {
    original: (lang: string) => `原文（${lang === 'en' ? '英文' : lang}），未翻译：`,
    mt: (name: string) => `机器翻译（${name}），未经临床人员核对：`,
    gloss: '原文中识别的医学术语：',
    wider: '上位术语',
  },
} as const;

export interface WrapInput {
  target: Lang;
  /** Generated target-language XHTML content (already escaped). */
  generated: string;
  /** The original div (verbatim), when there is one. */
  original?: string;
  originalLang?: string;
  gloss?: readonly GlossEntry[];
  mt?: { name: string; text: string };
}

export function renderGloss(gloss: readonly GlossEntry[], target: Lang): string {
  if (gloss.length === 0) return '';
  const L = LABELS[target];
  const items = gloss.map((g) => `<li><span lang="${g.term.match(/\p{Script=Han}/u) ? 'zh-CN' : 'en'}">${esc(g.term)}</span>: ${esc(g.target)} (${esc(systemLabel(g.targetSystem))} ${esc(g.targetCode)}${g.wider ? `; ${L.wider}` : ''})</li>`);
  return `<div class="emrgw-gloss"><p>${esc(L.gloss)}</p><ul>${items.join('')}</ul></div>`;
}

export function wrap(input: WrapInput): string {
  const L = LABELS[input.target];
  let out = `<div xmlns="${XHTML_NS}" class="${WRAP_CLASS}" lang="${input.target}" xml:lang="${input.target}">${input.generated}`;
  if (input.original !== undefined) {
    if (input.mt) out += `<div class="emrgw-mt"><p><b>${esc(L.mt(input.mt.name))}</b></p><p>${esc(input.mt.text)}</p></div>`;
    out += `<p class="emrgw-note"><b>${esc(L.original(input.originalLang ?? 'und'))}</b></p>`;
    out += renderGloss(input.gloss ?? [], input.target);
    out += ORIGINAL_OPEN + input.original + CLOSE2;
    return out;
  }
  return `${out}</div>`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
/** Plain text of an XHTML fragment (tags dropped, basic entities decoded) for glossing and MT. */
export function plainText(div: string): string {
  return div
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x?[0-9a-fA-F]+|[a-z]+);/g, (m, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      return ENTITIES[e] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** Replace every occurrence of the given values (resident IDs not kept) in a narrative. */
export function redact(div: string, values: readonly string[], mark: string): string {
  let out = div;
  for (const v of values) if (v.length >= 6) out = out.split(v).join(mark);
  return out;
}
