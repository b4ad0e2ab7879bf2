/**
 * Quantities: units normalised to UCUM (http://unitsofmeasure.org, checked with @lhncbc/ucum-lhc)
 * and, on request, SI → conventional units for common analytes (what a US/Canadian-trained
 * reader expects: glucose and cholesterol mg/dL, creatinine mg/dL, haemoglobin g/dL).
 *
 * Representation (decision, documented in src/translate/README.md): the ORIGINAL `valueQuantity`
 * stays as sent (it is what the lab reported and what IPS validates); the converted value is added
 * in an extension on that Quantity, `https://emr-gateway.example.org/fhir/StructureDefinition/converted-quantity`
 * (valueQuantity, UCUM coded). Unknown extensions are warnings, so IPS validation still passes.
 *
 * Invariants: `unit` (the printed text) is never changed; `system`/`code` are only ADDED when the
 * quantity has none and the unit maps to a valid UCUM code; conversions use ucum-lhc with the
 * analyte's molar mass, rounded to the analyte's customary decimals; results are cached per unit.
 */
import ucumPkg from '@lhncbc/ucum-lhc';
import { SYS } from './terminology.js';

export const CONVERTED_QUANTITY = 'https://emr-gateway.example.org/fhir/StructureDefinition/converted-quantity';

interface UcumUtils {
  validateUnitString(u: string): { status: string; ucumCode: string | null };
  convertUnitTo(from: string, value: number, to: string, opts?: { molecularWeight?: number }): { status: string; toVal: number | null };
}
const ucum: UcumUtils = (ucumPkg as unknown as { UcumLhcUtils: { getInstance(): UcumUtils } }).UcumLhcUtils.getInstance();

/** Printed units seen on Chinese reports → UCUM (DOMAIN.md "Units": 岁 → a, 月 → mo, 天 → d). */
const PRINTED_TO_UCUM: Readonly<Record<string, string>> = {
  岁: 'a', 周岁: 'a', 月: 'mo', 个月: 'mo', 天: 'd', 日: 'd', 周: 'wk', 小时: 'h', 分钟: 'min', 秒: 's',
  '次/分': '/min', '次/分钟': '/min', 片: '{tbl}', 粒: '{capsule}', 袋: '{bag}', 支: '{ampule}', 瓶: '{bottle}',
  单位: '[iU]', IU: '[iU]', 'μmol/L': 'umol/L', 'µmol/L': 'umol/L', 'μg/L': 'ug/L', 'µg/L': 'ug/L',
  '×10⁹/L': '10*9/L', '×10^9/L': '10*9/L', '×10¹²/L': '10*12/L', '×10^12/L': '10*12/L', mmHg: 'mm[Hg]',
  '℃': 'Cel', '°C': 'Cel', ml: 'mL', 毫升: 'mL', 毫克: 'mg', 克: 'g', 千克: 'kg', 公斤: 'kg', 厘米: 'cm', 升: 'L',
};

const validCache = new Map<string, string | null>();

/** The UCUM code for a printed unit, or undefined when none is valid. */
export function toUcum(unit: string): string | undefined {
  const hit = validCache.get(unit);
  if (hit !== undefined) return hit ?? undefined;
  const candidate = PRINTED_TO_UCUM[unit.trim()] ?? unit.trim();
  let out: string | null = null;
  try {
    const r = ucum.validateUnitString(candidate);
    if (r.status === 'valid' && r.ucumCode) out = r.ucumCode;
  } catch {
    out = null;
  }
  validCache.set(unit, out);
  return out ?? undefined;
}

export function isValidUcum(code: string): boolean {
  return toUcum(code) === code;
}

interface Analyte {
  name: string;
  /** SI units accepted (UCUM codes). */
  from: readonly string[];
  to: string;
  molecularWeight?: number;
  decimals: number;
}

/**
 * SI → conventional, by LOINC code (Moles/volume or Mass/volume codes of the SI report). Molar
 * masses: glucose 180.156, cholesterol 386.65, creatinine 113.12, triglycerides (as triolein)
 * 885.7 g/mol — the factors in common clinical conversion tables (e.g. AMA Manual of Style SI
 * conversion table).
 */
const ANALYTES: ReadonlyMap<string, Analyte> = new Map([
  ['14749-6', { name: 'glucose', from: ['mmol/L'], to: 'mg/dL', molecularWeight: 180.156, decimals: 1 }],
  ['15074-8', { name: 'glucose', from: ['mmol/L'], to: 'mg/dL', molecularWeight: 180.156, decimals: 1 }],
  ['14771-0', { name: 'glucose (fasting)', from: ['mmol/L'], to: 'mg/dL', molecularWeight: 180.156, decimals: 1 }],
  ['14647-2', { name: 'cholesterol', from: ['mmol/L'], to: 'mg/dL', molecularWeight: 386.65, decimals: 0 }],
  ['22748-8', { name: 'LDL cholesterol', from: ['mmol/L'], to: 'mg/dL', molecularWeight: 386.65, decimals: 0 }],
  ['18262-6', { name: 'LDL cholesterol', from: ['mmol/L'], to: 'mg/dL', molecularWeight: 386.65, decimals: 0 }],
  ['14646-4', { name: 'HDL cholesterol', from: ['mmol/L'], to: 'mg/dL', molecularWeight: 386.65, decimals: 0 }],
  ['14927-8', { name: 'triglycerides', from: ['mmol/L'], to: 'mg/dL', molecularWeight: 885.7, decimals: 0 }],
  ['14682-9', { name: 'creatinine', from: ['umol/L'], to: 'mg/dL', molecularWeight: 113.12, decimals: 2 }],
  ['718-7', { name: 'haemoglobin', from: ['g/L'], to: 'g/dL', decimals: 1 }],
]);

export function conventionalAnalyte(loinc: string): Readonly<Analyte> | undefined {
  return ANALYTES.get(loinc);
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

export interface Converted {
  value: number;
  unit: string;
  system: string;
  code: string;
}

/** Convert an SI value of the analyte with LOINC `loinc` to conventional units, or undefined. */
export function toConventional(loinc: string, value: number, ucumCode: string): Converted | undefined {
  const a = ANALYTES.get(loinc);
  if (!a || !a.from.includes(ucumCode) || !Number.isFinite(value)) return undefined;
  const r = ucum.convertUnitTo(ucumCode, value, a.to, a.molecularWeight ? { molecularWeight: a.molecularWeight } : undefined);
  if (r.status !== 'succeeded' || r.toVal === null) return undefined;
  return { value: round(r.toVal, a.decimals), unit: a.to, system: SYS.UCUM, code: a.to };
}

/** Format a number with the analyte's customary decimals (for narrative). */
export function formatConverted(loinc: string, value: number): string {
  const a = ANALYTES.get(loinc);
  return a ? value.toFixed(a.decimals) : String(value);
}

type Obj = Record<string, unknown>;

export type QuantityOutcome = 'unchanged' | 'coded' | 'unknown-unit' | 'invalid-ucum';

/**
 * Normalise one Quantity object in place (the caller's copy): adds UCUM system/code when the
 * quantity has only a printed unit that maps to UCUM. Never changes `value` or `unit`.
 */
export function normaliseQuantity(q: Obj): QuantityOutcome {
  const code = typeof q.code === 'string' ? q.code : undefined;
  const unit = typeof q.unit === 'string' ? q.unit : undefined;
  if (code !== undefined) {
    if (q.system === SYS.UCUM && toUcum(code) === undefined) return 'invalid-ucum';
    return 'unchanged';
  }
  if (unit === undefined || q.system !== undefined) return 'unchanged';
  const u = toUcum(unit);
  if (u === undefined) return 'unknown-unit';
  q.system = SYS.UCUM;
  q.code = u;
  return 'coded';
}

/** Adds the converted-quantity extension to `q` (an Observation value/range Quantity). */
export function addConverted(q: Obj, loinc: string): Converted | undefined {
  if (typeof q.value !== 'number' || typeof q.code !== 'string' || q.system !== SYS.UCUM) return undefined;
  const c = toConventional(loinc, q.value, q.code);
  if (!c) return undefined;
  const ext = Array.isArray(q.extension) ? q.extension : [];
  if (ext.some((e) => (e as Obj)?.url === CONVERTED_QUANTITY)) return undefined;
  q.extension = [...ext, { url: CONVERTED_QUANTITY, valueQuantity: { value: c.value, unit: c.unit, system: c.system, code: c.code } }];
  return c;
}
