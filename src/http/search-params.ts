/**
 * FHIR search parameter parsing shared by the search routes (FHIR R4 search.html): token
 * parameters `system|value`, `_count` (1–100, default 20) and `_offset`. An unknown parameter is a
 * 400 rather than silently ignored, so a client never believes a filter was applied when it was not.
 */
import { GatewayError } from '../errors.js';
import type { IdentifierKey } from '../store/ports.js';

export interface ParsedSearch {
  tokens: Record<string, IdentifierKey | undefined>;
  strings: Record<string, string[]>;
  count: number;
  offset: number;
}

const GLOBAL = new Set(['_count', '_offset', '_format']);

function single(v: unknown, name: string): string {
  if (typeof v === 'string') return v;
  throw new GatewayError('INVALID_PARAMETER', `The search parameter ${name} must be given once.`, { expression: name });
}

export function parseToken(raw: string, name: string): IdentifierKey {
  const i = raw.indexOf('|');
  if (i <= 0 || i === raw.length - 1) {
    throw new GatewayError('INVALID_PARAMETER', `${name} must be system|value.`, { expression: name });
  }
  return { system: raw.slice(0, i), value: raw.slice(i + 1) };
}

export function parseSearch(query: Record<string, unknown>, known: Record<string, 'token' | 'string'>): ParsedSearch {
  const out: ParsedSearch = { tokens: {}, strings: {}, count: 20, offset: 0 };
  for (const [name, value] of Object.entries(query)) {
    if (GLOBAL.has(name)) continue;
    const kind = known[name];
    if (!kind) throw new GatewayError('INVALID_PARAMETER', `The search parameter ${name} is not supported.`, { expression: name });
    if (kind === 'token') out.tokens[name] = parseToken(single(value, name), name);
    else out.strings[name] = Array.isArray(value) ? value.map((v) => single(v, name)) : [single(value, name)];
  }
  if (query._count !== undefined) {
    const n = Number(single(query._count, '_count'));
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new GatewayError('INVALID_PARAMETER', '_count must be 1 to 100.', { expression: '_count' });
    out.count = n;
  }
  if (query._offset !== undefined) {
    const n = Number(single(query._offset, '_offset'));
    if (!Number.isInteger(n) || n < 0) throw new GatewayError('INVALID_PARAMETER', '_offset must be 0 or more.', { expression: '_offset' });
    out.offset = n;
  }
  return out;
}
