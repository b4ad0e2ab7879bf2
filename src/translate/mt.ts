/**
 * Machine-translation plug-in point. Nothing is called by default: free text that our terminology
 * cannot translate is shown as the original with a note (narrative.ts). An operator may inject a
 * service later; its output is always marked machine-translated in the narrative (class
 * `emrgw-mt` and a visible note) and in the report (rule `machine-translation`), never presented
 * as a human or terminology translation.
 *
 * Invariants: the interface is synchronous-free of I/O from the stage's view — the translator
 * calls `translate` only if one was injected; a failure or `undefined` result falls back to
 * "original shown, not translated".
 */
import type { Lang } from './terminology.js';

export interface MachineTranslator {
  /** A short name shown to the reader ("DeepL", "in-house NMT v2"). */
  readonly name: string;
  /**
   * Plain text (never markup) in `from` → plain text in `to`, or undefined when not translated.
   * Synchronous so the pipeline stays a pure function of its inputs; a networked service should
   * be wrapped by the composition code with a pre-computed cache.
   */
  translate(text: string, from: Lang, to: Lang): string | undefined;
}

/** The default: no machine translation. */
export const NO_MT: MachineTranslator | undefined = undefined;
