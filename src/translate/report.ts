/**
 * The translation report: one Issue per rule applied (information) and per thing that could not
 * be translated (warning, rule `unmapped` / `narrative-untranslated` …), each with the FHIRPath of
 * the element, plus counters. Returned to the caller as Issue[] (→ OperationOutcome via
 * src/fhir/outcome.ts) and recorded in the delivered document's Provenance (document.ts).
 *
 * Invariants: issues are appended in document order (deterministic); severities are only
 * `information` and `warning` — translation never fails a document, it reports.
 */
import type { Issue } from '../errors.js';

/** Stable rule codes (OperationOutcome.issue.details.coding, system issue-rule). */
export type TranslationRule =
  | 'concept-map' | 'display-translation' | 'insurance-drug-atc' | 'drug-name-recognised' | 'unmapped'
  | 'pinyin-name' | 'ucum-unit' | 'unit-unknown' | 'conventional-unit' | 'china-time-zone'
  | 'resident-id-removed' | 'resident-id-pseudonymised' | 'resident-id-kept' | 'narrative-generated'
  | 'narrative-original-kept' | 'narrative-untranslated' | 'narrative-restored' | 'machine-translation'
  | 'gloss' | 'ips-profile' | 'ips-section-added' | 'signature-removed' | 'traditional-medicine';

export interface TranslationStats {
  codings: number;
  /** Codings that gained a mapped coding or a target-language display. */
  translated: number;
  mapped: number;
  displayOnly: number;
  unmapped: number;
  /** Per source system: [translated, total]. */
  bySystem: Record<string, [number, number]>;
  names: number;
  quantitiesCoded: number;
  conversions: number;
  datesZoned: number;
  sections: number;
  glossed: number;
}

export function emptyStats(): TranslationStats {
  return { codings: 0, translated: 0, mapped: 0, displayOnly: 0, unmapped: 0, bySystem: {}, names: 0, quantitiesCoded: 0, conversions: 0, datesZoned: 0, sections: 0, glossed: 0 };
}

export class Report {
  readonly issues: Issue[] = [];
  readonly stats: TranslationStats = emptyStats();

  info(rule: TranslationRule, diagnostics: string, expression: string): void {
    this.issues.push({ severity: 'information', code: 'informational', diagnostics, expression: [expression], rule });
  }

  warn(rule: TranslationRule, diagnostics: string, expression: string, code = 'not-found'): void {
    this.issues.push({ severity: 'warning', code, diagnostics, expression: [expression], rule });
  }

  coding(system: string, translated: boolean): void {
    this.stats.codings++;
    const s = (this.stats.bySystem[system] ??= [0, 0]);
    s[1]++;
    if (translated) {
      s[0]++;
      this.stats.translated++;
    }
  }
}

/** Share of translated codings, 0..1 (1 when there are none). */
export function coverage(stats: TranslationStats): number {
  return stats.codings === 0 ? 1 : stats.translated / stats.codings;
}

/** The FHIRPath of path segments: the first as is, names as `.name`, numbers as `[n]`. */
export function pathOf(segs: readonly (string | number)[]): string {
  let p = '';
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    p += typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`;
  }
  return p;
}
