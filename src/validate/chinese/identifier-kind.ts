/**
 * Which identity document an Identifier carries, from its system, type coding or type text.
 *
 * Why text too: hospitals send permits "with only a type text" (DOMAIN.md, What hospitals send).
 * WS/T 500 uses urn:oid:2.16.156.10011.1.3 for the ID document number of any kind, its type being
 * given by CV02.01.101; so an explicit type (passport, permit) wins over that system.
 * Urls: ../../../fhir-profiles/cn/README.md and urls.md (the agreed canonical URLs).
 *
 * Invariants: pure; never throws on malformed (untrusted) input.
 */

export const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
export const PASSPORT_SYSTEM_PREFIX = 'http://hl7.org/fhir/sid/passport-';
export const CV02_01_101 = 'https://emr-gateway.example.org/fhir/CodeSystem/cv02-01-101';
export const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

export type IdentifierKind =
  | 'resident-id' // explicitly a resident ID card / residence permit number
  | 'id-document' // urn:oid:2.16.156.10011.1.3 with no type: most likely a resident ID
  | 'passport'
  | 'hk-macau-permit'
  | 'taiwan-permit'
  | 'other';

interface LooseCoding {
  system?: unknown;
  code?: unknown;
  display?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads the identifier defensively: the input is untrusted JSON. */
export function identifierKind(identifier: unknown): IdentifierKind {
  if (!identifier || typeof identifier !== 'object') return 'other';
  const id = identifier as { system?: unknown; type?: unknown };
  const system = str(id.system) ?? '';
  const type = id.type && typeof id.type === 'object' ? (id.type as { coding?: unknown; text?: unknown }) : {};
  const codings: LooseCoding[] = Array.isArray(type.coding)
    ? type.coding.filter((c): c is LooseCoding => !!c && typeof c === 'object')
    : [];
  const has = (s: string, code: string) => codings.some((c) => c.system === s && c.code === code);
  const text = [str(type.text), ...codings.map((c) => str(c.display))].filter(Boolean).join(' ');

  // Hong Kong / Macau / Taiwan identity cards (HKID A123456(7) …) are not GB 11643 numbers.
  if (/香港|澳门|澳門|台灣|hong\s*kong|maca[ou]|taiwan/i.test(text) && /身份证|身份證|identity card|\bid card/i.test(text)) return 'other';
  // 港澳台居民居住证 (residence permits) carry resident-ID-shaped numbers: test before the permits.
  if (/居住证|residence permit/i.test(text)) return 'resident-id';
  if (has(CV02_01_101, '06') || /港澳|回乡证|hong\s*kong|maca[ou]/i.test(text)) return 'hk-macau-permit';
  if (has(CV02_01_101, '07') || /台湾|台胞|taiwan/i.test(text)) return 'taiwan-permit';
  if (has(V2_0203, 'PPN') || has(CV02_01_101, '03') || system.startsWith(PASSPORT_SYSTEM_PREFIX) || /护照|passport/i.test(text)) {
    return 'passport';
  }
  if (has(CV02_01_101, '01') || /身份证|resident id/i.test(text)) return 'resident-id';
  if (system === RESIDENT_ID_SYSTEM) return has(V2_0203, 'NI') ? 'resident-id' : 'id-document';
  return 'other';
}
