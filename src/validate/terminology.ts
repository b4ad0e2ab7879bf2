/**
 * Binding checks against expanded ValueSets (FHIR R4 terminologies.html#strength) and code
 * checks against CodeSystems we hold completely.
 *
 * required → error when no code is in an expandable ValueSet; extensible → warning; preferred /
 * example → nothing. A ValueSet we cannot expand (e.g. all of LOINC) gives no error: at most an
 * information issue, so a missing terminology server never rejects a document. Unknown code
 * systems are not errors (../shared/DOMAIN.md "Unknown code systems ... are warnings").
 */
import type { Ctx } from './context.js';
import { issue } from './context.js';
import type { Expansion } from './valueset.js';

type Json = Record<string, unknown>;

interface Code {
  system?: string;
  code: string;
}

function codesOf(type: string, v: unknown): Code[] | undefined {
  if (typeof v === 'string' && (type === 'code' || type === 'string' || type === 'uri')) return [{ code: v }];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Json;
  if (type === 'Coding' || type === 'Quantity' || type.endsWith('Quantity') || type === 'Age' || type === 'Duration' || type === 'Distance' || type === 'Count') {
    return typeof o.code === 'string' ? [{ ...(typeof o.system === 'string' ? { system: o.system } : {}), code: o.code }] : [];
  }
  if (type === 'CodeableConcept') {
    const out: Code[] = [];
    if (Array.isArray(o.coding)) {
      for (const c of o.coding as Json[]) {
        if (c && typeof c.code === 'string') out.push({ ...(typeof c.system === 'string' ? { system: c.system } : {}), code: c.code });
      }
    }
    return out;
  }
  return undefined;
}

const CODED_TYPES = new Set(['code', 'Coding', 'CodeableConcept', 'Quantity', 'SimpleQuantity', 'MoneyQuantity', 'Age', 'Duration', 'Distance', 'Count', 'string', 'uri']);

const QUANTITY_LIKE = new Set(['Coding', 'Quantity', 'Age', 'Duration', 'Distance', 'Count']);

/** One code (with its system, when it has one) in the expansion. */
function inExpansion(e: Expansion, system: unknown, code: string): boolean {
  if (typeof system !== 'string') return e.bareCodes.has(code);
  if (code.includes('|')) return e.codes.has(`${system}|${code}`); // keys split at the last '|'
  return e.bySystem.get(system)?.has(code) === true;
}

/**
 * Whether the value has a code (0) or one of its codes is in the expansion (1), or it has codes
 * none of which is (2) — the same answers as codesOf() + membership, without allocating: this
 * runs on every coded element.
 */
function bindingVerdict(type: string, v: unknown, e: Expansion | undefined): 0 | 1 | 2 {
  if (typeof v === 'string') {
    if (type !== 'code' && type !== 'string' && type !== 'uri') return 0;
    return e === undefined ? 2 : e.bareCodes.has(v) ? 1 : 2;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 0;
  const o = v as Json;
  if (QUANTITY_LIKE.has(type) || type.endsWith('Quantity')) {
    if (typeof o.code !== 'string') return 0;
    return e !== undefined && inExpansion(e, o.system, o.code) ? 1 : 2;
  }
  if (type !== 'CodeableConcept' || !Array.isArray(o.coding)) return 0;
  let any = false;
  for (const c of o.coding as Json[]) {
    if (!c || typeof c.code !== 'string') continue;
    any = true;
    if (e !== undefined && inExpansion(e, c.system, c.code)) return 1;
  }
  return any ? 2 : 0;
}

export function checkBinding(ctx: Ctx, binding: { strength: string; valueSet?: string }, type: string, value: unknown, path: string): void {
  if (!binding.valueSet || (binding.strength !== 'required' && binding.strength !== 'extensible')) return;
  if (!CODED_TYPES.has(type)) return;
  if (bindingVerdict(type, value, undefined) === 0) return; // no code to check
  const exp = ctx.reg.expansion(binding.valueSet);
  if (!exp.ok) {
    if (!ctx.reg.valueSet(binding.valueSet)) {
      issue(ctx, 'warning', 'not-found', `ValueSet '${binding.valueSet}' not found`, path, 'valueset-unknown');
    }
    return;
  }
  if (bindingVerdict(type, value, exp.expansion) === 1) return;
  const codes = codesOf(type, value)!;
  const severity = binding.strength === 'required' ? 'error' : 'warning';
  const shown = codes.map((c) => (c.system ? `${c.system}#${c.code}` : c.code)).join(', ');
  const what = type === 'CodeableConcept' ? `None of the codings provided (${shown}) are` : `The code provided (${shown}) is not`;
  issue(ctx, severity, 'code-invalid', `${what} in the value set '${exp.expansion.title}' (${binding.valueSet}), and a code from this value set is ${binding.strength === 'required' ? 'required' : 'expected'}`, path, `binding-${binding.strength}`);
}

/** A Coding whose system is a CodeSystem we hold completely must use one of its codes. */
export function checkCoding(ctx: Ctx, coding: Json, path: string): void {
  if (typeof coding.system !== 'string') {
    if (typeof coding.code === 'string') {
      issue(ctx, 'warning', 'code-invalid', 'Coding has no system. A code with no system has no defined meaning, and it cannot be validated. A system should be provided', path, 'coding-no-system');
    }
    return;
  }
  // Coding.system is an absolute URI naming a code system (R4 datatypes.html#Coding): a bare
  // name is a local reference, and a ValueSet's canonical is not a code system.
  if (!coding.system.includes(':')) {
    issue(ctx, 'warning', 'not-found', `A definition for CodeSystem '${coding.system}' could not be found, so the code cannot be validated`, `${path}.system`, 'codesystem-unknown');
    issue(ctx, 'error', 'invalid', 'Coding.system must be an absolute reference, not a local reference', `${path}.system`, 'coding-system-local');
    return;
  }
  if (!ctx.reg.codeSystem(coding.system) && ctx.reg.valueSet(coding.system)) {
    issue(ctx, 'error', 'invalid', `The Coding references a value set, not a code system ('${coding.system}')`, `${path}.system`, 'coding-system-valueset');
    return;
  }
  if (typeof coding.code !== 'string') return;
  const cs = ctx.reg.codeSystem(coding.system);
  if (!cs || cs.content !== 'complete') return;
  let known = codeIndex.get(cs);
  if (!known) {
    known = new Set();
    const stack = Array.isArray(cs.concept) ? [...(cs.concept as Json[])] : [];
    while (stack.length) {
      const c = stack.pop()!;
      if (typeof c.code === 'string') known.add(c.code);
      if (Array.isArray(c.concept)) stack.push(...(c.concept as Json[]));
    }
    codeIndex.set(cs, known);
  }
  if (!known.has(coding.code)) {
    issue(ctx, 'error', 'code-invalid', `Unknown code '${coding.code}' in the CodeSystem '${coding.system}'`, `${path}.code`, 'code-unknown');
  }
}

const codeIndex = new WeakMap<Json, Set<string>>();
