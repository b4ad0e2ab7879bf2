/**
 * The index structures of terminology.ts: a two-level system → code → value index, and the
 * concept table (names per language by row). Kept apart so that terminology.ts reads as the rules
 * of what is indexed.
 *
 * Invariants: lookups are Map hits (no scans); a system alias is folded to the system its values
 * are indexed under; a name is "first wins" per language and row.
 */
import type { Lang } from './terminology.js';

/** Two-level index system → code → value: lookups need no string building. */
export class Index<V> {
  private readonly bySystem = new Map<string, Map<string, V>>();
  /** `fold`: the system an alias is indexed under (values are set under folded systems only). */
  constructor(private readonly fold: (system: string) => string) {}
  get(system: string, code: string): V | undefined {
    const v = this.bySystem.get(system)?.get(code);
    if (v !== undefined) return v;
    const folded = this.fold(system);
    return folded === system ? undefined : this.bySystem.get(folded)?.get(code);
  }
  set(system: string, code: string, v: V): void {
    let m = this.bySystem.get(system);
    if (!m) this.bySystem.set(system, (m = new Map()));
    m.set(code, v);
  }
  /** Replaces every value by f(value) (same keys, so the Maps keep their size). */
  mapValues(f: (v: V) => V): void {
    for (const m of this.bySystem.values()) for (const [k, v] of m) m.set(k, f(v));
  }
}

/**
 * The concepts, one row per system|code, as columns rather than one object per concept (issue 10,
 * resident memory: 60,000 objects of five fields, earlier 60,000 objects with two Maps each). The
 * index maps system|code to a row number (a small integer: no object per entry).
 * Names are "first wins" per language, as designations are read in file order.
 */
export class ConceptTable {
  readonly rows: Index<number>;
  constructor(fold: (system: string) => string) {
    this.rows = new Index<number>(fold);
  }
  /** Designations that translate the concept, by language. */
  en: (string | undefined)[] = [];
  zh: (string | undefined)[] = [];
  /** The wider parent's title (designation use `parent-title`), by language. */
  parentEn: (string | undefined)[] = [];
  parentZh: (string | undefined)[] = [];
  readonly traditionalMedicine = new Set<number>();

  row(system: string, code: string): number {
    let r = this.rows.get(system, code);
    if (r === undefined) {
      r = this.en.length;
      this.rows.set(system, code, r);
      this.en.push(undefined);
      this.zh.push(undefined);
      this.parentEn.push(undefined);
      this.parentZh.push(undefined);
    }
    return r;
  }
  setName(r: number, lang: Lang, value: string): void {
    const col = lang === 'en' ? this.en : this.zh;
    col[r] ??= value;
  }
  setParentTitle(r: number, lang: Lang, value: string): void {
    const col = lang === 'en' ? this.parentEn : this.parentZh;
    col[r] ??= value;
  }
  name(system: string, code: string, lang: Lang): string | undefined {
    const r = this.rows.get(system, code);
    return r === undefined ? undefined : (lang === 'en' ? this.en : this.zh)[r];
  }
  parentTitle(system: string, code: string, lang: Lang): string | undefined {
    const r = this.rows.get(system, code);
    return r === undefined ? undefined : (lang === 'en' ? this.parentEn : this.parentZh)[r];
  }
  /** Columns cut to their length (growing arrays keep up to half their size spare). */
  trim(): void {
    this.en = this.en.slice();
    this.zh = this.zh.slice();
    this.parentEn = this.parentEn.slice();
    this.parentZh = this.parentZh.slice();
  }
}
