/**
 * Parses the FHIR search parameters of `GET /fhir/AuditEvent` into a typed AuditQuery (ports.ts).
 *
 * Supported (FHIR R4 AuditEvent search parameters, https://hl7.org/fhir/R4/auditevent.html#search):
 * `patient` (Patient/id or id), `patient.identifier` / `patient:identifier` (system|value),
 * `date` (prefixes eq ge gt le lt sa eb, precision year … milliseconds, search.html#date),
 * `agent` (participant id, Organization/id, or the recipient name as given), `entity` (Bundle/id,
 * Consent/id, an id, or a request id), `type`, `subtype` (token: system|code, code, |code,
 * system|), `outcome` (0 4 8 12), `_count` (0..1000, default 50), `_offset`, `_sort` (date|-date).
 * A comma inside one value is OR, a repeated parameter is AND (search.html#combining).
 *
 * Invariants: strict — an unknown parameter or a bad value is INVALID_PARAMETER listing every
 * problem with its parameter name, since an audit query that silently ignores a filter would
 * over-disclose; dates without a time zone are taken as UTC.
 */
import { GatewayError, type Issue } from '../errors.js';
import type { AuditQuery, IdentifierKey, TokenKey } from '../store/ports.js';

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;
const PASSIVE = new Set(['_format', '_pretty']);

export type SearchInput = URLSearchParams | Record<string, string | string[] | undefined>;

function entries(input: SearchInput): [string, string][] {
  if (input instanceof URLSearchParams) return [...input.entries()];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push([k, x]);
  }
  return out;
}

/** Splits on unescaped commas (FHIR escapes a literal comma as `\,`). */
function orValues(v: string): string[] {
  return v
    .split(/(?<!\\),/)
    .map((s) => s.replace(/\\([,|$\\])/g, '$1').trim())
    .filter((s) => s !== '');
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** The instant range [lo, hi) a FHIR date value stands for at its precision. */
export function dateRange(value: string): { lo: string; hi: string } | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const Y = Number(y);
  const M = mo ? Number(mo) : 1;
  const D = d ? Number(d) : 1;
  if (M < 1 || M > 12 || D < 1 || D > 31 || Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) return null;
  const offsetMin = !tz || tz === 'Z' ? 0 : (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const base = Date.UTC(Y, M - 1, D, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms) - offsetMin * 60_000;
  const check = new Date(base + offsetMin * 60_000);
  if (check.getUTCDate() !== D || check.getUTCMonth() !== M - 1) return null; // 2024-02-30
  let hi: number;
  if (!mo) hi = Date.UTC(Y + 1, 0, 1) - offsetMin * 60_000;
  else if (!d) hi = Date.UTC(Y, M, 1) - offsetMin * 60_000;
  else if (!h) hi = base + 86_400_000;
  else if (s === undefined) hi = base + 60_000;
  else if (!frac) hi = base + 1000;
  else hi = base + 1;
  return { lo: new Date(base).toISOString(), hi: new Date(hi).toISOString() };
}

function token(v: string): TokenKey | null {
  const bar = v.indexOf('|');
  if (bar < 0) return { code: v };
  const system = v.slice(0, bar);
  const code = v.slice(bar + 1);
  if (!system && !code) return null;
  return { system, ...(code ? { code } : {}) };
}

/** Parses the query; throws INVALID_PARAMETER with one issue per bad parameter. */
export function parseAuditSearch(input: SearchInput): AuditQuery {
  const q: AuditQuery = {
    patient: [], patientIdentifier: [], agent: [], entity: [], type: [], subtype: [], outcome: [],
    recordedFrom: [], recordedBefore: [], sort: 'seq', count: DEFAULT_COUNT, offset: 0,
  };
  const issues: Issue[] = [];
  const bad = (name: string, diagnostics: string) =>
    issues.push({ severity: 'error', code: 'value', diagnostics: `${name}: ${diagnostics}`, expression: [name] });

  for (const [rawName, raw] of entries(input)) {
    const name = rawName === 'patient:identifier' ? 'patient.identifier' : rawName;
    if (PASSIVE.has(name)) continue;
    const values = orValues(raw);
    if (!values.length && !['_count', '_offset', '_sort'].includes(name)) {
      bad(name, 'empty value');
      continue;
    }
    switch (name) {
      case 'patient': {
        const refs = values.map((v) => (v.startsWith('Patient/') ? v : `Patient/${v}`));
        if (refs.some((r) => !/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(r))) bad(name, 'expected Patient/[id] or an id');
        else q.patient.push(refs);
        break;
      }
      case 'patient.identifier': {
        const keys: IdentifierKey[] = [];
        for (const v of values) {
          const t = token(v);
          if (!t?.system || !t.code) bad(name, `expected system|value, got "${v}"`);
          else keys.push({ system: t.system, value: t.code });
        }
        if (keys.length === values.length) q.patientIdentifier.push(keys);
        break;
      }
      case 'agent':
        q.agent.push(values);
        break;
      case 'entity':
        q.entity.push(values);
        break;
      case 'type':
      case 'subtype': {
        const toks = values.map(token);
        if (toks.some((t) => t === null)) bad(name, 'expected a token (system|code, code, |code or system|)');
        else q[name].push(toks as TokenKey[]);
        break;
      }
      case 'outcome':
        if (values.some((v) => !['0', '4', '8', '12'].includes(v))) bad(name, 'expected 0, 4, 8 or 12');
        else q.outcome.push(values);
        break;
      case 'date': {
        if (values.length !== 1) {
          bad(name, 'one value per date parameter (repeat the parameter for a range)');
          break;
        }
        const v = values[0]!;
        const pm = /^(eq|ne|gt|ge|lt|le|sa|eb|ap)?(.*)$/.exec(v)!;
        const prefix = pm[1] ?? 'eq';
        const range = dateRange(pm[2]!);
        if (!range) bad(name, `"${pm[2]}" is not a FHIR date, dateTime or instant`);
        else if (prefix === 'ne' || prefix === 'ap') bad(name, `prefix ${prefix} is not supported`);
        else if (prefix === 'eq') (q.recordedFrom.push(range.lo), q.recordedBefore.push(range.hi));
        else if (prefix === 'ge') q.recordedFrom.push(range.lo);
        else if (prefix === 'gt' || prefix === 'sa') q.recordedFrom.push(range.hi);
        else if (prefix === 'lt' || prefix === 'eb') q.recordedBefore.push(range.lo);
        else q.recordedBefore.push(range.hi); // le
        break;
      }
      case '_count':
      case '_offset': {
        const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
        if (Number.isNaN(n) || (name === '_count' && n > MAX_COUNT)) bad(name, name === '_count' ? `expected 0..${MAX_COUNT}` : 'expected a non-negative integer');
        else if (name === '_count') q.count = n;
        else q.offset = n;
        break;
      }
      case '_sort':
        if (raw === 'date' || raw === '_id') q.sort = 'seq';
        else if (raw === '-date' || raw === '-_id') q.sort = '-seq';
        else bad(name, 'expected date or -date');
        break;
      default:
        bad(name, 'unknown or unsupported search parameter for AuditEvent');
    }
  }
  if (issues.length) {
    throw new GatewayError('INVALID_PARAMETER', issues.map((i) => i.diagnostics).join('; '), { issues });
  }
  return q;
}
