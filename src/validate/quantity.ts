/**
 * UCUM in Quantities, with @lhncbc/ucum-lhc (loaded on first need only):
 * - `minValueQuantity` / `maxValueQuantity` (R4 elementdefinition-definitions.html#ElementDefinition.minValue_x_):
 *   a Quantity must not be below / above the bound, compared after UCUM conversion when the units
 *   differ (as HL7's validator does);
 * - a Quantity with system UCUM must have a valid UCUM code (checkUcumCode).
 *
 * Invariants: when the values cannot be compared (no value, non-UCUM or incommensurable units) no
 * issue is raised — a bound we cannot judge never rejects a document; a library failure is never a
 * data error; UCUM verdicts are cached per code (bounded).
 */
import * as ucumNs from '@lhncbc/ucum-lhc';
import type { Ctx } from './context.js';
import { issue } from './context.js';

type Json = Record<string, unknown>;
interface UcumUtils {
  convertUnitTo(from: string, value: number, to: string): { status: string; toVal?: number };
  validateUnitString(unit: string, suggest?: boolean): { status: string; msg?: string[] };
}
const UCUM = 'http://unitsofmeasure.org';
let ucum: UcumUtils | undefined;

/** `value` (in `from`) expressed in `to`, or undefined when not convertible. */
type UcumModule = { UcumLhcUtils?: { getInstance(): UcumUtils }; default?: UcumModule };

function ucumUtils(): UcumUtils {
  // ucum-lhc is CommonJS flagged __esModule: depending on the loader its API is on the
  // namespace or on its `default`.
  const m = ucumNs as unknown as UcumModule;
  ucum ??= (m.UcumLhcUtils ?? m.default?.UcumLhcUtils)!.getInstance();
  return ucum;
}

function convert(value: number, from: string, to: string): number | undefined {
  if (from === to) return value;
  try {
    const r = ucumUtils().convertUnitTo(from, value, to);
    return r.status === 'succeeded' && typeof r.toVal === 'number' ? r.toVal : undefined;
  } catch {
    return undefined;
  }
}

function comparable(q: Json, bound: Json): { v: number; b: number; converted: boolean } | undefined {
  if (typeof q.value !== 'number' || typeof bound.value !== 'number') return undefined;
  const qc = typeof q.code === 'string' ? q.code : undefined;
  const bc = typeof bound.code === 'string' ? bound.code : undefined;
  if (!bc || qc === bc) return { v: q.value, b: bound.value, converted: false };
  if (!qc || q.system !== UCUM || (bound.system !== undefined && bound.system !== UCUM)) return undefined;
  const v = convert(q.value, qc, bc);
  return v === undefined ? undefined : { v, b: bound.value, converted: true };
}

const show = (q: Json): string => `${String(q.value)}${typeof q.code === 'string' ? ' ' + q.code : ''}`;

export function checkQuantityBounds(q: Json, min: Json | undefined, max: Json | undefined, path: string, ctx: Ctx): void {
  if (min) {
    const c = comparable(q, min);
    if (c && c.v < c.b) {
      issue(ctx, 'error', 'invalid', `The value in the instance (${show(q)}) is less than the specified minValue (${show(min)})${c.converted ? ' after UCUM conversion' : ''}`, path, 'min-value');
    }
  }
  if (max) {
    const c = comparable(q, max);
    if (c && c.v > c.b) {
      issue(ctx, 'error', 'invalid', `The value in the instance (${show(q)}) is greater than the specified maxValue (${show(max)})${c.converted ? ' after UCUM conversion' : ''}`, path, 'max-value');
    }
  }
}

/** Quantity and its R4 specialisations (datatypes.html#Quantity): all carry a unit code. */
export const QUANTITY_TYPES: ReadonlySet<string> = new Set(['Quantity', 'SimpleQuantity', 'MoneyQuantity', 'Age', 'Count', 'Distance', 'Duration']);

/** UCUM code → problem text ('' when valid); codes repeat across documents, so this stays small. */
const ucumVerdicts = new Map<string, string>();
const MAX_VERDICTS = 10_000;

function ucumProblem(code: string): string {
  let v = ucumVerdicts.get(code);
  if (v === undefined) {
    try {
      // Annotations carry no meaning (UCUM §12); HL7's validator (ucum-java) accepts any
      // printable ASCII in them, spaces included ('{wine glasses}/d' in the IPS examples), where
      // ucum-lhc refuses a space: judge the expression with each annotation reduced to `{a}`.
      const r = ucumUtils().validateUnitString(code.replace(/\{[ -z|~]*\}/g, '{a}'), false);
      v = r.status === 'valid' ? '' : (r.msg ?? []).join('; ') || 'not a valid UCUM unit';
    } catch {
      v = ''; // the library failed, not the data: never reject a document on that
    }
    if (ucumVerdicts.size < MAX_VERDICTS) ucumVerdicts.set(code, v);
  }
  return v;
}

/**
 * A Quantity whose system is UCUM must carry a valid UCUM expression as its code (R4
 * datatypes.html#Quantity: "the code SHALL be a valid UCUM code" when system is UCUM); HL7's
 * validator reports a bad one as an error of its terminology check, on the Quantity.
 */
export function checkUcumCode(q: Json, path: string, ctx: Ctx): void {
  if (q.system !== UCUM || typeof q.code !== 'string' || q.code === '') return;
  const problem = ucumProblem(q.code);
  if (problem) {
    issue(ctx, 'error', 'code-invalid', `Error processing unit '${q.code}': ${problem}`, path, 'ucum-invalid');
  }
}
