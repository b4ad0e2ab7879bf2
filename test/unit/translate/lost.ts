/**
 * "Nothing lost" checks used by the property and fixture tests: every original Coding (its
 * system, version, code, display, userSelected), every identifier kept by policy, and every
 * narrative div of the source is present in the translated document, resource by resource
 * (matched by fullUrl). Returns the list of what is missing (empty = nothing lost).
 */
import type { Bundle } from '../../../src/fhir/types.js';
import { isResidentId } from '../../../src/translate/identifiers.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function codingKey(c: Obj): string {
  return JSON.stringify([c.system ?? null, c.version ?? null, c.code ?? null, c.display ?? null, c.userSelected ?? null]);
}

/**
 * All codings (inside any `coding` array) of a value, as keys with multiplicity. With
 * `skipResidentIds`, codings inside resident-ID identifiers (removed by policy) are not counted.
 */
export function codings(v: unknown, out: Map<string, number> = new Map(), skipResidentIds = false): Map<string, number> {
  if (Array.isArray(v)) for (const x of v) codings(x, out, skipResidentIds);
  else if (isObj(v)) {
    if (skipResidentIds && isResidentId(v)) return out;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'coding' && Array.isArray(x)) for (const c of x) if (isObj(c)) out.set(codingKey(c), (out.get(codingKey(c)) ?? 0) + 1);
      if (k !== 'contained') codings(x, out, skipResidentIds);
    }
  }
  return out;
}

const idKey = (id: unknown): string => (isObj(id) ? JSON.stringify([id.use ?? null, id.system ?? null, id.value ?? null, id.period ?? null]) : '');

function byUrl(b: Bundle): Map<string, Obj> {
  const m = new Map<string, Obj>();
  for (const e of b.entry ?? []) if (typeof e.fullUrl === 'string' && isObj(e.resource)) m.set(e.fullUrl, e.resource);
  return m;
}

function divs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) divs(x, out);
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) {
    if (k === 'div' && typeof x === 'string') out.push(x);
    else if (k !== 'contained') divs(x, out);
  }
  return out;
}

export interface LostOptions {
  /** Resident IDs are removed/pseudonymised by the default policy: not required, and redacted in narrative. */
  residentIdKept?: boolean;
}

export function whatIsLost(source: Bundle, translated: Bundle, opts: LostOptions = {}): string[] {
  const lost: string[] = [];
  const after = byUrl(translated);
  const hidden: string[] = [];
  for (const [url, r] of byUrl(source)) {
    for (const id of Array.isArray(r.identifier) ? r.identifier : []) if (isResidentId(id) && !opts.residentIdKept) hidden.push(String((id as Obj).value));
  }
  for (const [url, r] of byUrl(source)) {
    const t = after.get(url);
    if (!t) {
      lost.push(`${url}: resource missing`);
      continue;
    }
    const have = codings(t);
    for (const [k, n] of codings(r, new Map(), !opts.residentIdKept)) if ((have.get(k) ?? 0) < n) lost.push(`${url}: coding ${k}`);
    for (const id of Array.isArray(r.identifier) ? r.identifier : []) {
      if (isResidentId(id) && !opts.residentIdKept) continue;
      const s = idKey(id);
      if (!(Array.isArray(t.identifier) && t.identifier.some((x) => idKey(x) === s))) lost.push(`${url}: identifier ${s}`);
    }
    const tdivs = divs(t).join('\n');
    for (let d of divs(r)) {
      for (const h of hidden) if (h.length >= 6) d = d.split(h).join('[ID removed]');
      if (!tdivs.includes(d)) lost.push(`${url}: narrative ${d.slice(0, 80)}`);
    }
  }
  return lost;
}

/** Codings of the source missing anywhere in the result (for round trips). */
export function codingsDropped(source: Bundle, result: Bundle, opts: LostOptions = { residentIdKept: true }): string[] {
  const have = codings(result);
  const out: string[] = [];
  for (const [k, n] of codings(source, new Map(), !opts.residentIdKept)) if ((have.get(k) ?? 0) < n) out.push(k);
  return out;
}
