/**
 * Accounting of disclosures from stored AuditEvents: for each disclosure of a patient's records,
 * the date, the recipient and its address, a description of what was disclosed and the purpose —
 * the content HIPAA 45 CFR §164.528(b)(2) requires, and what PIPL art. 55/56 (personal information
 * protection impact assessment, kept ≥ 3 years) needs to show for a cross-border provision.
 * Plus NDJSON and CSV (RFC 4180) writers for `emr-gateway audit export`.
 *
 * Invariants: pure; an event is a disclosure only when it succeeded (outcome 0) and carries the
 * iso-21089 `disclose` subtype the builder adds (events.ts isDisclosure) — refused or failed
 * attempts are in the NDJSON export but never in the accounting.
 */
import { canonicalJson } from '../fhir/canonical.js';
import type { Resource } from '../fhir/types.js';
import { AGENT_COUNTRY_EXT, AUDIT_SUBTYPE_SYSTEM, BALP_ENTITY_TYPE, DISCLOSE, PARTICIPATION_TYPE, RESOURCE_TYPES } from './codes.js';

export interface DisclosureRow {
  /** When (AuditEvent.recorded). */
  date: string;
  /** Who received it: the link recipient as given, or the organisation / participant. */
  recipient: string;
  /** Where: the recipient's country and network address, as known. */
  recipientAddress: string;
  /** What: the documents and how they were obtained. */
  description: string;
  /** Why: purposeOfEvent codes with their display. */
  purpose: string;
  consent?: string;
  requestId?: string;
  seq?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const codings = (v: unknown): Obj[] => (isObj(v) ? list(v.coding) : []);

const HOW: Record<string, string> = {
  read: 'read over FHIR REST',
  search: 'returned by a search',
  translate: 'translated and returned',
  'link-manifest': 'delivered through a consent link',
  'emergency-access': 'emergency (break-glass) access',
};

export function isDisclosureEvent(e: Resource): boolean {
  return e.resourceType === 'AuditEvent' && e.outcome === '0' && list(e.subtype).some((c) => c.system === DISCLOSE.system && c.code === DISCLOSE.code);
}

/** The accounting row for one event, or null when it is not a disclosure. */
export function disclosureRow(e: Resource): DisclosureRow | null {
  if (!isDisclosureEvent(e)) return null;
  const agents = list(e.agent);
  const person = agents.find((a) => codings(a.type).some((c) => c.system === PARTICIPATION_TYPE && c.code === 'IRCP'));
  const client = agents.find((a) => a.requestor === true && a !== person) ?? agents[0];
  const who = (a: Obj | undefined): string => {
    const w = isObj(a?.who) ? (a!.who as Obj) : {};
    const id = isObj(w.identifier) ? String(w.identifier.value ?? '') : '';
    const display = typeof w.display === 'string' ? w.display : '';
    return display && id && display !== id ? `${display} (${id})` : display || id;
  };
  const recipient = person ? who(person) : who(client);
  const country = list(client?.extension).find((x) => x.url === AGENT_COUNTRY_EXT);
  const countryCode = isObj(country?.valueCoding) ? String((country!.valueCoding as Obj).code ?? '') : '';
  const address = isObj(client?.network) ? String((client!.network as Obj).address ?? '') : '';
  const entities = list(e.entity);
  const docs = entities.map((en) => (isObj(en.what) ? String((en.what as Obj).reference ?? '') : '')).filter((r) => r.startsWith('Bundle/'));
  const consent = entities.find((en) => isObj(en.type) && en.type.system === RESOURCE_TYPES && en.type.code === 'Consent');
  const request = entities.find((en) => isObj(en.type) && en.type.system === BALP_ENTITY_TYPE);
  const action = list(e.subtype).find((c) => c.system === AUDIT_SUBTYPE_SYSTEM && HOW[String(c.code)] !== undefined)?.code;
  const purposes = list(e.purposeOfEvent).flatMap((p) => codings(p)).map((c) => (c.display ? `${String(c.code)} ${String(c.display)}` : String(c.code)));
  const ref = (en: Obj | undefined): string => {
    const w = isObj(en?.what) ? (en!.what as Obj) : {};
    if (typeof w.reference === 'string') return w.reference;
    return isObj(w.identifier) ? String(w.identifier.value ?? '') : '';
  };
  return {
    date: String(e.recorded ?? ''),
    recipient: recipient || 'unidentified',
    recipientAddress: [countryCode, address].filter(Boolean).join(' '),
    description: `${docs.length ? docs.join(', ') : 'patient records'}${action ? ` — ${HOW[String(action)]}` : ''}`,
    purpose: purposes.join('; '),
    ...(consent ? { consent: ref(consent) } : {}),
    ...(request ? { requestId: ref(request) } : {}),
    ...(typeof e.id === 'string' && /^\d+$/.test(e.id) ? { seq: Number(e.id) } : {}),
  };
}

export function disclosureRows(events: Iterable<Resource>): DisclosureRow[] {
  const out: DisclosureRow[] = [];
  for (const e of events) {
    const row = disclosureRow(e);
    if (row) out.push(row);
  }
  return out;
}

/** One NDJSON line (canonical JSON: the bytes the chain hashed, for the event part). */
export function ndjsonLine(resource: Resource): string {
  return `${canonicalJson(resource)}\n`;
}

export const DISCLOSURE_COLUMNS = ['date', 'recipient', 'recipientAddress', 'description', 'purpose', 'consent', 'requestId'] as const;

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** RFC 4180 CSV with a header row, CRLF line ends. */
export function disclosuresCsv(rows: DisclosureRow[]): string {
  const lines = [DISCLOSURE_COLUMNS.join(',')];
  for (const r of rows) lines.push(DISCLOSURE_COLUMNS.map((c) => csvField(String(r[c] ?? ''))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
