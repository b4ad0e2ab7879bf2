/**
 * `minValueQuantity` / `maxValueQuantity` (R4 elementdefinition-definitions.html#ElementDefinition.minValue_x_):
 * a Quantity must not be below / above the bound, compared after UCUM conversion when the units
 * differ (as HL7's validator does). Conversion uses @lhncbc/ucum-lhc, loaded on first need only.
 *
 * Invariant: when the values cannot be compared (no value, non-UCUM or incommensurable units) no
 * issue is raised — a bound we cannot judge never rejects a document.
 */
import * as ucumNs from '@lhncbc/ucum-lhc';
import type { Ctx } from './context.js';
import { issue } from './context.js';

type Json = Record<string, unknown>;
interface UcumUtils {
  convertUnitTo(from: string, value: number, to: string): { status: string; toVal?: number };
}
const UCUM = 'http://unitsofmeasure.org';
let ucum: UcumUtils | undefined;

/** `value` (in `from`) expressed in `to`, or undefined when not convertible. */
type UcumModule = { UcumLhcUtils?: { getInstance(): UcumUtils }; default?: UcumModule };

function convert(value: number, from: string, to: string): number | undefined {
  if (from === to) return value;
  try {
    // ucum-lhc is CommonJS flagged __esModule: depending on the loader its API is on the
    // namespace or on its `default`.
    const m = ucumNs as unknown as UcumModule;
    ucum ??= (m.UcumLhcUtils ?? m.default?.UcumLhcUtils)!.getInstance();
    const r = ucum.convertUnitTo(from, value, to);
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
