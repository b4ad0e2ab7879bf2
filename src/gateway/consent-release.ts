/**
 * Releasing documents abroad under a consent, shared by the consent-token reads, the SMART Health
 * Link manifest/file and emergency access: which of the consenting hospital's documents a decision
 * permits, the export accounting gate, and the delivery (permit applied → deliver seam).
 *
 * Invariants: the export ledger is asked inside the caller's transaction together with the audit
 * entry (CAC: count distinct persons per hospital and calendar year; a person beyond the yearly
 * ceiling, no mechanism or an expired one → EXPORT_LIMIT with a clear OperationOutcome); emergency
 * releases are exempt and not counted (PIPL art. 13(4)); the document is cut to the permit before
 * it reaches `deliver`, so translation and signature never see what the consent excludes;
 * deliveries are reused from delivery-cache.ts only AFTER the caller re-read the live consent and
 * decided (the key holds the consent and document versions and the permit), emergency ones never.
 * A single-document read decides on the CURRENT version's head (version, submitter, patients) and
 * its decision facts, remembered per (id, version) since a stored version never changes; the
 * document text is read (that exact version) only when a delivery must be produced.
 */
import { GatewayError } from '../errors.js';
import type { Bundle } from '../fhir/types.js';
import {
  checkExport, decideAccess, exportYear, hashSecret, yearlyCeiling, type AccessRequest, type ConsentRecord, type Permit,
} from '../consent/index.js';
import type { DocumentHead, StoredDocument, Stores } from '../store/ports.js';
import { applyPermit, documentFacts, patientForDecision } from './consent-documents.js';
import type { TargetLanguage } from './consent-deps.js';
import type { GatewayDeps } from './deps.js';
import { deliveryCacheFor } from './delivery-cache.js';

export interface Permitted {
  /** The permitted version (no resource text: a cached delivery never needs it). */
  doc: DocumentHead;
  permit: Permit;
  /** The stored Bundle of exactly `doc.versionId` (read only when a delivery must be produced). */
  resource(): Promise<Bundle>;
}

type Facts = AccessRequest['document'];
/** Decision facts per (document id, version): a stored version never changes (insertVersion only adds). */
const FACTS_MAX = 10_000;

export function consentRelease(deps: GatewayDeps) {
  const { store, clock, trust } = deps;
  const cache = deliveryCacheFor(deps.consent.deliver, () => clock.now().getTime());
  let memo: Map<string, Facts> | undefined;
  const facts = () => (memo ??= factsMemoFor(store.documents));

  /** Participant id (document submitter) of the hospital that granted the consent. */
  function hospitalClientId(consent: ConsentRecord): string | undefined {
    return trust.participants.find((p) => p.organization.id === consent.hospitalId && p.role === 'hospital')?.id;
  }

  const remember = (doc: StoredDocument): Facts => {
    const f = documentFacts(doc);
    const m = facts();
    if (m.size >= FACTS_MAX) m.clear();
    m.set(`${doc.id}\u0000${doc.versionId}`, f);
    return f;
  };

  /**
   * The current version of `id` as a decision candidate: its head (version, submitter, patients)
   * is read on every request; the document text only when this version's decision facts are not
   * yet known. The resource is read by exact version, so it is the one the decision was about.
   */
  async function one(id: string, submitter: string): Promise<{ head: DocumentHead; facts: Facts; resource: () => Promise<Bundle> } | undefined> {
    const head = await store.documents.currentVersion(id);
    if (!head || head.submitter !== submitter) return undefined;
    let loaded: Promise<StoredDocument | undefined> | undefined;
    const load = () => (loaded ??= store.documents.get(head.id, head.versionId));
    let known = facts().get(`${head.id}\u0000${head.versionId}`);
    if (!known) {
      const doc = await load();
      if (!doc) return undefined;
      known = remember(doc);
    }
    const resource = async () => {
      const doc = await load();
      if (!doc) throw new GatewayError('NOT_FOUND', 'No document is available.');
      return doc.resource;
    };
    return { head, facts: known, resource };
  }

  /** The consenting hospital's documents of the consent's patient that the decision permits. */
  async function permittedDocuments(consent: ConsentRecord, requester: { recipientId?: string; recipientName?: string }, only?: string): Promise<Permitted[]> {
    const submitter = hospitalClientId(consent);
    if (!submitter) return [];
    const candidates = only
      ? [await one(only, submitter)].filter((c) => !!c)
      : (await store.documents.search({ patientIdentifier: consent.patient, submitter, count: 1000, offset: 0 })).documents.map((doc) => ({
          head: doc,
          facts: remember(doc),
          resource: () => Promise.resolve(doc.resource),
        }));
    const now = clock.now();
    const out: Permitted[] = [];
    for (const c of candidates) {
      const decision = decideAccess({
        consent: consent.resource,
        now,
        request: { ...requester, patientIdentifier: patientForDecision(c.head as StoredDocument, consent.patient) /* reads patientIdentifiers only */, document: c.facts },
      });
      if (decision.permit) out.push({ doc: c.head, permit: decision, resource: c.resource });
    }
    return out;
  }

  /**
   * Persons already in the export ledger for (hospital, year), learnt from COMMITTED answers only.
   * The ledger only grows within a year (a person once counted stays counted, and a counted person
   * is never refused), so asking again would always answer "existing": the mechanism gate is still
   * checked on every release. Bounded; cleared when full.
   */
  const admitted = new Set<string>();
  const ADMITTED_MAX = 100_000;

  /**
   * Export accounting (inside `tx`): throws EXPORT_LIMIT when this person may not leave. Resolves
   * with a ledger key to pass to `rememberAdmitted` once `tx` has committed (undefined: nothing to
   * remember).
   */
  async function admitExport(tx: Stores, consent: ConsentRecord, emergency: boolean): Promise<string | undefined> {
    const mechanism = deps.consent.exportMechanism(consent.hospitalId) ?? { mechanism: 'none' as const };
    const now = clock.now();
    const gate = checkExport({ mechanism, distinctPersonsThisYear: 0, isNewPerson: false, emergency, now });
    const refuse = (reason: string) =>
      new GatewayError('EXPORT_LIMIT', `The exporting hospital may not transfer this record abroad now (${reason}).`, {
        issues: [{ severity: 'error', code: 'business-rule', diagnostics: `Export refused: ${reason} (CAC cross-border data provisions; the hospital's recorded transfer mechanism).`, rule: `EXPORT_${reason.toUpperCase().replace(/-/g, '_')}` }],
      });
    if (!gate.allowed) throw refuse(gate.reason);
    if (emergency) return undefined;
    const person = hashSecret(`${consent.patient.system}|${consent.patient.value}`);
    const year = exportYear(now);
    const key = `${consent.hospitalId}\u0000${year}\u0000${person}`;
    if (admitted.has(key)) return undefined;
    const answer = await tx.consent.ledger.admitPerson(consent.hospitalId, year, person, yearlyCeiling(mechanism));
    if (answer === 'refused') throw refuse('ceiling-reached');
    return key;
  }

  /** Call after the transaction of `admitExport` committed. */
  function rememberAdmitted(key: string | undefined): void {
    if (key === undefined) return;
    if (admitted.size >= ADMITTED_MAX) admitted.clear();
    admitted.add(key);
  }

  /** Cuts the document to the permit and hands it to the deliver seam (translate + sign), or reuses that delivery. */
  function deliver(p: Permitted, consent: ConsentRecord, target: TargetLanguage, emergency = false): Promise<Bundle> {
    const produce = async () => deps.consent.deliver(applyPermit(await p.resource(), p.permit), { target, decision: p.permit, consentId: consent.id, emergency });
    if (emergency) return produce(); // a new emergency Consent per declaration: nothing to reuse
    return cache.get(
      { consentId: consent.id, consentVersion: consent.versionId, documentId: p.doc.id, documentVersion: p.doc.versionId, target, emergency, permit: p.permit },
      produce,
    );
  }

  return { hospitalClientId, permittedDocuments, admitExport, rememberAdmitted, deliver };
}

const factsMemos = new WeakMap<object, Map<string, Facts>>();
/** One facts memo per document store (tests build several stores in one process). */
function factsMemoFor(documents: object): Map<string, Facts> {
  let m = factsMemos.get(documents);
  if (!m) factsMemos.set(documents, (m = new Map()));
  return m;
}

/** `Accept-Language` → en or zh-CN (default en). */
export function targetLanguage(acceptLanguage: string | undefined): TargetLanguage {
  const first = (acceptLanguage ?? '').split(',').map((s) => s.split(';')[0]!.trim().toLowerCase()).find(Boolean) ?? 'en';
  return first.startsWith('zh') ? 'zh-CN' : 'en';
}
