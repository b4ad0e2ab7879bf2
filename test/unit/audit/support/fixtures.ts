/**
 * Shared test data for the audit tests: an observer, realistic facts, and an in-memory chain
 * built exactly as the SQL store builds it (chainLink over the previous head).
 */
import type { AuditFacts, AuditObserver } from '../../../../src/audit/events.js';
import { buildAuditEvent } from '../../../../src/audit/events.js';
import { chainHashCanonical, chainLink, GENESIS_HASH } from '../../../../src/audit/chain.js';
import { canonicalJson } from '../../../../src/fhir/canonical.js';
import type { Resource } from '../../../../src/fhir/types.js';
import type { AuditRecord, ChainHead } from '../../../../src/store/ports.js';

export const OBSERVER: AuditObserver = { site: 'gateway.example.org', name: 'EMR exchange gateway', baseUrl: 'https://gateway.example.org/fhir' };
export const RESIDENT_ID = { system: 'urn:oid:2.16.156.10011.1.3', value: '11010519491231002X' };
export const PASSPORT = { system: 'http://hl7.org/fhir/sid/passport-DEU', value: 'C01X00T47' };
export const TREAT = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' };

export function facts(i: number, over: Partial<AuditFacts> = {}): AuditFacts {
  return {
    action: 'read',
    outcome: 'success',
    recorded: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    requestId: `req-${i}`,
    actor: { participantId: 'provider-charite', organization: 'org-charite', organizationName: 'Charité Berlin', country: 'DE', role: 'provider' },
    sourceAddress: '203.0.113.7',
    patientIdentifiers: [RESIDENT_ID],
    documents: [`doc-${i % 17}`],
    consentId: 'consent-1',
    purposeOfUse: [TREAT],
    ...over,
  };
}

/** n records of one intact chain, seq 1..n. */
export function makeChain(n: number, make: (i: number) => AuditFacts = facts): AuditRecord[] {
  const out: AuditRecord[] = [];
  let head: ChainHead | null = null;
  for (let i = 1; i <= n; i++) {
    const { event, hash, recorded } = chainLink(buildAuditEvent(make(i), OBSERVER))(head);
    out.push({ seq: i, recorded, prevHash: head?.hash ?? '0'.repeat(64), hash, event });
    head = { seq: i, hash };
  }
  return out;
}

/**
 * Generator of an intact chain of n entries without keeping it in memory. Each entry's canonical
 * text is made from one canonical template by replacing the id and recorded placeholders (both
 * are plain ASCII strings, so the result is exactly canonicalJson of the numbered event — a test
 * checks this); the `event` is parsed only if someone reads it.
 */
export function* chainStream(n: number, template = buildAuditEvent(facts(0), OBSERVER)): Generator<AuditRecord> {
  const text = canonicalJson({ ...template, id: '@@ID@@', recorded: '@@REC@@' });
  const [a, rest] = text.split('"@@ID@@"') as [string, string];
  const [b, c] = rest.split('"@@REC@@"') as [string, string];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const recorded = new Date(Date.UTC(2025, 0, 1) + i).toISOString();
    const canonical = `${a}"${i}"${b}"${recorded}"${c}`;
    const hash = chainHashCanonical(prev, i, canonical);
    let parsed: Resource | undefined;
    const rec = { seq: i, recorded, prevHash: prev, hash, canonical } as AuditRecord;
    Object.defineProperty(rec, 'event', { get: () => (parsed ??= JSON.parse(canonical) as Resource), enumerable: true });
    yield rec;
    prev = hash;
  }
}
