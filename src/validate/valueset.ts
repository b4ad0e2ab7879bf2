/**
 * ValueSet expansion, done once per ValueSet by the registry (FHIR R4 valueset.html "Value Set
 * Expansion"; compose.include/exclude semantics of §4.9.5).
 *
 * Supported: include of whole CodeSystems that we hold with `content: complete`, concept lists,
 * filters `is-a` / `descendent-of` / `=` (on a concept property) / `in`, includes of other ValueSets,
 * exclude, and a stored `expansion.contains` as a fallback. Anything else (LOINC, SNOMED CT without
 * a stored expansion, regex filters ...) makes the ValueSet "not expandable": a binding to it then
 * yields a warning instead of an error. Invariant: the result sets are never mutated after return.
 */
type Json = Record<string, unknown>;

export interface Expansion {
  /** `system|code` keys. */
  readonly codes: ReadonlySet<string>;
  /** Codes alone (for `code` elements bound without a system). */
  readonly bareCodes: ReadonlySet<string>;
  /** The codes of each system (the walk tests membership without building `system|code` keys). */
  readonly bySystem: ReadonlyMap<string, ReadonlySet<string>>;
  readonly title: string;
}

export type ExpansionResult = { ok: true; expansion: Expansion } | { ok: false; reason: string };

export interface TerminologySource {
  codeSystem(url: string): Json | undefined;
  valueSet(url: string): Json | undefined;
}

interface Concept {
  code: string;
  parent?: string;
  props: Record<string, string>;
}

function flattenConcepts(cs: Json): Concept[] {
  const out: Concept[] = [];
  const stack: { c: Json; parent?: string }[] = [];
  const top = Array.isArray(cs.concept) ? (cs.concept as Json[]) : [];
  for (let i = top.length - 1; i >= 0; i--) stack.push({ c: top[i]! });
  while (stack.length) {
    const { c, parent } = stack.pop()!;
    if (typeof c.code !== 'string') continue;
    const props: Record<string, string> = {};
    if (Array.isArray(c.property)) {
      for (const p of c.property as Json[]) {
        for (const k in p) if (k.startsWith('value')) props[String(p.code)] = String(p[k]);
      }
    }
    out.push({ code: c.code, ...(parent ? { parent } : props.parent ? { parent: props.parent } : {}), props });
    if (Array.isArray(c.concept)) for (const k of c.concept as Json[]) stack.push({ c: k, parent: c.code });
  }
  return out;
}

function descendants(all: Concept[], root: string, self: boolean): Set<string> {
  const kids = new Map<string, string[]>();
  for (const c of all) {
    if (c.parent) {
      const l = kids.get(c.parent) ?? [];
      l.push(c.code);
      kids.set(c.parent, l);
    }
  }
  const out = new Set<string>();
  if (self) out.add(root);
  const todo = [...(kids.get(root) ?? [])];
  while (todo.length) {
    const c = todo.pop()!;
    if (out.has(c)) continue;
    out.add(c);
    todo.push(...(kids.get(c) ?? []));
  }
  return out;
}

/** Codes selected by one include/exclude clause; a string is the reason it cannot be expanded. */
function clauseCodes(inc: Json, src: TerminologySource, depth: number): Set<string> | string {
  let result: Set<string> | undefined;
  const intersect = (s: Set<string>): void => {
    result = result ? new Set([...result].filter((x) => s.has(x))) : s;
  };
  if (Array.isArray(inc.valueSet)) {
    for (const u of inc.valueSet as string[]) {
      const r = expandValueSet(String(u), src, depth + 1);
      if (!r.ok) return r.reason;
      intersect(new Set(r.expansion.codes));
    }
  }
  if (typeof inc.system === 'string') {
    const system = inc.system;
    if (Array.isArray(inc.concept)) {
      intersect(new Set((inc.concept as Json[]).map((c) => `${system}|${String(c.code)}`)));
    } else {
      const cs = src.codeSystem(system);
      if (!cs || (cs.content !== 'complete' && cs.content !== undefined)) return `code system ${system} not available`;
      const all = flattenConcepts(cs);
      let codes = new Set(all.map((c) => c.code));
      if (Array.isArray(inc.filter)) {
        for (const f of inc.filter as Json[]) {
          const value = String(f.value ?? '');
          let sel: Set<string>;
          if (f.op === 'is-a' || f.op === 'descendent-of') sel = descendants(all, value, f.op === 'is-a');
          else if (f.op === '=' && f.property === 'concept') sel = new Set([value]);
          else if (f.op === '=') sel = new Set(all.filter((c) => c.props[String(f.property)] === value).map((c) => c.code));
          else if (f.op === 'in') sel = new Set(value.split(',').map((s) => s.trim()));
          else return `filter ${String(f.op)} not supported`;
          codes = new Set([...codes].filter((c) => sel.has(c)));
        }
      }
      intersect(new Set([...codes].map((c) => `${system}|${c}`)));
    }
  }
  return result ?? new Set();
}

const cache = new WeakMap<Json, ExpansionResult>();

export function expandValueSet(url: string, src: TerminologySource, depth = 0): ExpansionResult {
  const vs = src.valueSet(url);
  if (!vs) return { ok: false, reason: `value set ${url} not found` };
  const hit = cache.get(vs);
  if (hit) return hit;
  if (depth > 10) return { ok: false, reason: 'value set includes nest too deeply' };
  let res: ExpansionResult | undefined;
  const compose = vs.compose as Json | undefined;
  if (compose && Array.isArray(compose.include)) {
    const codes = new Set<string>();
    let reason: string | undefined;
    for (const inc of compose.include as Json[]) {
      const r = clauseCodes(inc, src, depth);
      if (typeof r === 'string') {
        reason = r;
        break;
      }
      for (const c of r) codes.add(c);
    }
    if (!reason && Array.isArray(compose.exclude)) {
      for (const exc of compose.exclude as Json[]) {
        const r = clauseCodes(exc, src, depth);
        if (typeof r === 'string') {
          reason = r;
          break;
        }
        for (const c of r) codes.delete(c);
      }
    }
    if (!reason) res = { ok: true, expansion: build(codes, vs) };
    else res = { ok: false, reason };
  }
  const exp = vs.expansion as Json | undefined;
  if ((!res || !res.ok) && exp && Array.isArray(exp.contains)) {
    const codes = new Set<string>();
    const stack = [...(exp.contains as Json[])];
    while (stack.length) {
      const c = stack.pop()!;
      if (typeof c.code === 'string') codes.add(`${String(c.system ?? '')}|${c.code}`);
      if (Array.isArray(c.contains)) stack.push(...(c.contains as Json[]));
    }
    const total = typeof exp.total === 'number' ? exp.total : codes.size;
    if (total <= codes.size) res = { ok: true, expansion: build(codes, vs) };
  }
  res ??= { ok: false, reason: 'value set has no compose or expansion' };
  cache.set(vs, res);
  return res;
}

function build(codes: Set<string>, vs: Json): Expansion {
  const bare = new Set<string>();
  const bySystem = new Map<string, Set<string>>();
  for (const k of codes) {
    const i = k.lastIndexOf('|');
    const code = k.slice(i + 1);
    bare.add(code);
    const system = k.slice(0, i);
    let set = bySystem.get(system);
    if (!set) bySystem.set(system, (set = new Set()));
    set.add(code);
  }
  return { codes, bareCodes: bare, bySystem, title: String(vs.title ?? vs.name ?? vs.url ?? '') };
}
