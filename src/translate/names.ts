/**
 * Chinese personal names → Hanyu Pinyin, GB/T 28039-2011 "Chinese phonetic alphabet spelling
 * rules for Chinese names": surname first, then given name; a compound surname is one word
 * (欧阳 → OUYANG); the syllables of the given name are one word (娜娜 → NANA). Passport style
 * (ICAO 9303 machine-readable names, Chinese MPS practice): upper case, no tone marks, and ü after
 * l/n written YU (吕 → LYU, 女 → NYU), elsewhere u (徐 → XU).
 *
 * Invariants: the hanzi name stays the identity (../shared/DOMAIN.md "Names"): the original
 * HumanName is kept and tagged `IDE` with the iso21090-EN-representation extension, the pinyin
 * form is ADDED as a second HumanName tagged `ABC`; Latin-letter names are left untouched; never
 * used for matching (Hong Kong / Taiwan romanisations differ).
 *
 * Memory and speed (issue 10): pinyin-pro's dictionary is ≈ 9 MB of heap, loaded on the first
 * hanzi name rather than at start (a gateway that only translates en → zh never needs it); the
 * spelling of a name part is a pure function of its characters, so it is kept in a bounded cache
 * (the same doctors and surnames recur from document to document).
 */
import { createRequire } from 'node:module';

export const EN_REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';

/** Compound surnames (复姓) in common use; GB/T 28039 §5.1.2 joins them as one word. */
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '令狐',
  '夏侯', '轩辕', '端木', '独孤', '南宫', '西门', '百里', '呼延', '万俟', '钟离', '澹台', '公冶', '太史',
  '申屠', '闻人', '赫连', '濮阳', '淳于', '单于', '仲孙', '鲜于', '宗政', '拓跋', '第五', '东郭', '司空',
  '左丘', '梁丘', '公羊', '谷梁', '段干', '呼延', '乐正', '漆雕', '壤驷', '公良', '巫马', '羊舌', '微生',
]);

const HAN = /\p{Script=Han}/u;
const HAN_ONLY = /^[\p{Script=Han}·]+$/u;

export function hasHanzi(s: string | undefined): boolean {
  return typeof s === 'string' && HAN.test(s);
}

/** One syllable in passport spelling: `lü` → `LYU`, `nüe` → `NYUE`, other ü → U. */
function passportSyllable(s: string): string {
  return s.replace(/^([ln])(?:ü|v)/, '$1yu').replace(/ü|v/g, 'u').toUpperCase();
}

type Pinyin = typeof import('pinyin-pro').pinyin;
let pinyinFn: Pinyin | undefined;
/** pinyin-pro, loaded (synchronously, its CommonJS build) on first use. */
function pinyin(): Pinyin {
  pinyinFn ??= (createRequire(import.meta.url)('pinyin-pro') as typeof import('pinyin-pro')).pinyin;
  return pinyinFn;
}

const SPELL_CACHE_MAX = 4096;
const spelled = new Map<string, string>();

function spell(hanzi: string, surname: boolean): string {
  const key = surname ? `S${hanzi}` : `G${hanzi}`;
  let out = spelled.get(key);
  if (out === undefined) {
    const syllables = pinyin()(hanzi, { toneType: 'none', type: 'array', surname: surname ? 'head' : 'off', nonZh: 'consecutive' });
    out = syllables.map((s) => passportSyllable(s.trim())).join('');
    // Bounded: emptied when full (names are many; a simple bound keeps memory flat).
    if (spelled.size >= SPELL_CACHE_MAX) spelled.clear();
    spelled.set(key, out);
  }
  return out;
}

/** Split a full hanzi name into surname and given name (compound surnames first). */
export function splitName(full: string): { family: string; given: string } {
  const t = full.trim();
  if (t.length >= 3 && COMPOUND_SURNAMES.has(t.slice(0, 2))) return { family: t.slice(0, 2), given: t.slice(2) };
  return { family: t.slice(0, 1), given: t.slice(1) };
}

export interface PinyinName {
  family: string;
  given: string[];
  text: string;
}

/**
 * Pinyin of a name given as family + given (as FHIR HumanName sends it) or as one full string.
 * `toPinyinName({ text: '欧阳娜娜' })` → { family: 'OUYANG', given: ['NANA'], text: 'OUYANG NANA' }.
 */
export function toPinyinName(name: { family?: string; given?: readonly string[]; text?: string }): PinyinName | undefined {
  let family = name.family?.trim();
  let given = (name.given ?? []).map((g) => g.trim()).filter((g) => g.length > 0);
  if (!family && given.length === 0 && name.text) {
    const t = name.text.replace(/\s+/g, '');
    if (!HAN_ONLY.test(t)) return undefined;
    const parts = splitName(t);
    family = parts.family;
    given = parts.given ? [parts.given] : [];
  }
  if (!hasHanzi(family) && !given.some(hasHanzi)) return undefined;
  const fam = family ? (hasHanzi(family) ? spell(family, true) : family.toUpperCase()) : '';
  const giv = given.map((g) => (hasHanzi(g) ? spell(g.replace(/·/g, ''), false) : g.toUpperCase()));
  const text = [fam, ...giv].filter((s) => s).join(' ');
  return { family: fam, given: giv, text };
}

type Obj = Record<string, unknown>;

function representation(code: 'IDE' | 'ABC'): Obj {
  return { url: EN_REPRESENTATION, valueCode: code };
}

function hasRepresentation(n: Obj, code: string): boolean {
  return Array.isArray(n.extension) && n.extension.some((e) => (e as Obj)?.url === EN_REPRESENTATION && (e as Obj).valueCode === code);
}

/**
 * Adds the pinyin form beside every hanzi HumanName of a `name` array (mutates the array, which
 * the caller owns: a copy of the source). Returns the indexes of the names that got a pinyin form.
 */
export function addPinyinNames(names: unknown[]): number[] {
  const done: number[] = [];
  if (names.some((n) => typeof n === 'object' && n !== null && hasRepresentation(n as Obj, 'ABC'))) return done;
  const count = names.length;
  for (let i = 0; i < count; i++) {
    const n = names[i] as Obj;
    if (typeof n !== 'object' || n === null) continue;
    const p = toPinyinName({
      family: typeof n.family === 'string' ? n.family : undefined,
      given: Array.isArray(n.given) ? n.given.filter((g): g is string => typeof g === 'string') : undefined,
      text: typeof n.text === 'string' ? n.text : undefined,
    });
    if (!p) continue;
    if (!hasRepresentation(n, 'IDE')) n.extension = [...(Array.isArray(n.extension) ? n.extension : []), representation('IDE')];
    const out: Obj = { extension: [representation('ABC')] };
    if (typeof n.use === 'string') out.use = n.use;
    out.text = p.text;
    if (p.family) out.family = p.family;
    if (p.given.length > 0) out.given = p.given;
    names.push(out);
    done.push(i);
  }
  return done;
}
