/**
 * Pure mapping rules from the Chinese ICD editions to their international parents
 * (../shared/DOMAIN.md "ICD-10 in China"; task issue 5).
 *
 * ICD-10 医保版/国家临床版 → WHO ICD-10: keep the 4-character subcategory (`E11.900` → `E11.9`), or
 * the 3-character category when the 5th character is `x` (`I10.x05` → `I10`); the candidate must be
 * in the WHO code list, else fall back to the category, else unmapped. Equivalence is `wider`
 * (the WHO code is wider than the Chinese code) unless the two codes are identical (`equivalent`).
 * A dagger–asterisk pair (`E11.200x023+N08.3*`) maps its dagger part by the rule and its asterisk
 * part (the manifestation, ICD-10 vol. 2 §3.1.3) by the same rule, reported separately.
 *
 * ICD-9-CM-3 医保版 → ICD-9-CM vol. 3: `51.2300` → `51.23`, `00.0x00` → `00.0`, checked against the
 * class list, falling back to the 3-digit then 2-digit code.
 *
 * Invariants: total functions (never throw on odd input; unparseable → unmapped); no I/O.
 */

export type Equivalence = 'equivalent' | 'wider';

export interface MappedCode {
  code: string;
  equivalence: Equivalence;
}

export interface Icd10MapResult {
  /** The dagger (or only) part; undefined when unmapped. */
  primary?: MappedCode;
  /** The asterisk (manifestation) part of a dagger–asterisk pair, when present and mappable. */
  asterisk?: MappedCode;
  /** The asterisk part as written, without `*` (present whenever the source had one). */
  asteriskSource?: string;
}

const ICD10_RE = /^([A-Z][0-9]{2})(?:\.([0-9x])([0-9A-Za-z]*))?$/;

/** Strip dagger/asterisk marks and surrounding space; upper-case the category letter. */
export function normaliseIcd10(code: string): string {
  const t = code.trim().replace(/[+*†]$/u, '');
  return t.length > 0 ? t[0]!.toUpperCase() + t.slice(1) : t;
}

/** Map one ICD-10 code (no pair) to its WHO parent. */
export function mapIcd10Single(code: string, who: ReadonlySet<string>): MappedCode | undefined {
  const c = normaliseIcd10(code);
  const m = ICD10_RE.exec(c);
  if (!m) return undefined;
  const category = m[1]!;
  const fourth = m[2];
  const candidates: string[] = [];
  if (fourth !== undefined && fourth !== 'x') candidates.push(`${category}.${fourth}`);
  candidates.push(category);
  for (const cand of candidates) {
    if (who.has(cand)) return { code: cand, equivalence: cand === c ? 'equivalent' : 'wider' };
  }
  return undefined;
}

/** Split `E11.200x023+N08.3*` into its dagger and asterisk parts. */
export function splitDaggerAsterisk(code: string): { dagger: string; asterisk?: string } {
  const plus = code.indexOf('+');
  if (plus < 0) return { dagger: code.trim() };
  const dagger = code.slice(0, plus).trim();
  const asterisk = code.slice(plus + 1).trim().replace(/\*$/, '');
  return asterisk.length > 0 ? { dagger, asterisk } : { dagger };
}

export function mapIcd10CnToWho(code: string, who: ReadonlySet<string>): Icd10MapResult {
  const { dagger, asterisk } = splitDaggerAsterisk(code);
  const out: Icd10MapResult = {};
  const primary = mapIcd10Single(dagger, who);
  if (primary) out.primary = primary;
  if (asterisk !== undefined) {
    out.asteriskSource = asterisk;
    const a = mapIcd10Single(asterisk, who);
    if (a) out.asterisk = a;
  }
  return out;
}

const ICD9_RE = /^([0-9]{2})(?:\.([0-9x])([0-9x])?[0-9A-Za-z]*)?$/;

/** `51.2300` → `51.23`; `00.0x00` → `00.0`; checked against the ICD-9-CM class list. */
export function mapIcd9Cm3ToIcd9Cm(code: string, classes: ReadonlySet<string>): MappedCode | undefined {
  const c = code.trim();
  const m = ICD9_RE.exec(c);
  if (!m) return undefined;
  const [, two, third, fourth] = m;
  const candidates: string[] = [];
  if (third !== undefined && third !== 'x') {
    if (fourth !== undefined && fourth !== 'x') candidates.push(`${two}.${third}${fourth}`);
    candidates.push(`${two}.${third}`);
  }
  candidates.push(two!);
  for (const cand of candidates) {
    if (classes.has(cand)) return { code: cand, equivalence: cand === c ? 'equivalent' : 'wider' };
  }
  return undefined;
}
