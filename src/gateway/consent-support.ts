/**
 * Helpers the consent use cases share: the trust list as the recipient resolver, the consent-token
 * signer/verifier over the gateway keys, invitation parsing, summaries for the patient's pages and
 * the access history read back from the audit log.
 *
 * Invariants: only provider participants can be named as organization recipients (a hospital or
 * admin is not an overseas recipient); recipient ids are Organization ids (the token `aud`, checked
 * against the authenticated participant's organization); the patient identifier is masked in the
 * JSON the pages show; accesses come from the audit log, never from a second bookkeeping.
 */
import { GatewayError, type Issue } from '../errors.js';
import { isObject, type Parameters, type ParametersParameter, type Resource } from '../fhir/types.js';
import {
  emergencyNotification, openManagementLink, readConsent, verifyConsentToken, type ConsentRecord, type IdentifierKey,
  type InvitationRecord, type OrganizationRecipient, type ResolveOrganization,
} from '../consent/index.js';
import { AUDIT_SUBTYPE_SYSTEM, AGENT_COUNTRY_EXT, PARTICIPATION_TYPE } from '../audit/codes.js';
import type { AuditQuery, StoredDocument } from '../store/ports.js';
import type { GatewayDeps } from './deps.js';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- AuditEvent JSON read defensively

const ACCESS_ACTIONS = new Set(['read', 'search', 'link-manifest', 'consent-use', 'consent-refused', 'emergency-access', 'passcode-failure', 'translate']);

export function consentSupport(deps: GatewayDeps) {
  const { trust, keys, store, clock } = deps;

  const providers = (): Omit<OrganizationRecipient, 'kind'>[] =>
    trust.participants
      .filter((p) => p.role === 'provider')
      .map((p) => ({
        id: p.organization.id,
        name: p.organization.name,
        country: p.organization.country,
        // The trust list carries no postal/e-mail contact: the gateway relays (PIPL art. 39 contact).
        contact: { text: `${p.organization.name} (${p.organization.country}), gateway participant ${p.id}; contact through the gateway operator` },
      }));

  const resolveOrganization: ResolveOrganization = (id) => providers().find((o) => o.id === id);

  const participantByOrganization = (orgId: string) => trust.participants.find((p) => p.organization.id === orgId);

  function tokenSigner() {
    const k = keys.current;
    return { issuer: deps.urls.issuer, key: k.privateKey, kid: k.kid, alg: k.alg };
  }

  /** Verifies a consent token for the authenticated participant's organization (any current or previous gateway key). */
  function verifyToken(token: string | undefined, audience: string) {
    if (!token) throw new GatewayError('NOT_FOUND', 'No document is available.');
    const now = clock.now();
    return verifyConsentToken(token, {
      issuer: deps.urls.issuer,
      audience,
      now,
      algorithms: ['RS384', 'ES384'],
      key: ((header: { kid?: string }) => {
        const k = keys.all.find((x) => x.kid === header.kid && x.notAfter >= now);
        if (!k) throw new Error('unknown kid');
        return k.publicKey;
      }) as never,
    });
  }

  function parseInviteParameters(body: unknown): { patient: IdentifierKey; documents: string[] } {
    const issues: Issue[] = [];
    if (!isObject(body) || body.resourceType !== 'Parameters' || !Array.isArray(body.parameter)) {
      throw new GatewayError('INVALID_PARAMETER', 'The body must be a FHIR Parameters resource.', { expression: 'Parameters' });
    }
    let patient: IdentifierKey | undefined;
    const documents: string[] = [];
    (body.parameter as ParametersParameter[]).forEach((p, i) => {
      const at = `Parameters.parameter[${i}]`;
      const v: Loose = isObject(p) ? p : {};
      if (v.name === 'patient' && isObject(v.valueIdentifier) && typeof v.valueIdentifier.system === 'string' && typeof v.valueIdentifier.value === 'string') {
        patient = { system: v.valueIdentifier.system, value: v.valueIdentifier.value };
      } else if (v.name === 'document' && isObject(v.valueReference) && /^Bundle\/[A-Za-z0-9\-.]{1,64}$/.test(String(v.valueReference.reference))) {
        documents.push(String(v.valueReference.reference).slice(7));
      } else issues.push({ severity: 'error', code: 'value', diagnostics: 'Expected patient (valueIdentifier) or document (valueReference Bundle/{id}).', expression: [at], rule: 'INVITE_PARAMETER' });
    });
    if (!patient) issues.push({ severity: 'error', code: 'required', diagnostics: 'patient is required.', expression: ['Parameters.parameter'], rule: 'INVITE_PATIENT' });
    if (issues.length || !patient) throw new GatewayError('INVALID_PARAMETER', 'The invitation parameters are invalid.', { issues });
    return { patient, documents: [...new Set(documents)] };
  }

  /** Documents an invitation offers: the proposed ones, else every document of the patient from that hospital. */
  async function documentsOfInvitation(inv: InvitationRecord): Promise<StoredDocument[]> {
    const hospital = participantByOrganization(inv.hospitalId);
    if (!hospital) return [];
    const { documents } = await store.documents.search({ patientIdentifier: inv.patient, submitter: hospital.id, count: 1000, offset: 0 });
    return inv.documents.length ? documents.filter((d) => inv.documents.includes(d.id)) : documents;
  }

  function documentSummary(d: StoredDocument) {
    const comp = (d.resource.entry as Loose[] | undefined)?.[0]?.resource as Loose | undefined;
    return { id: d.id, title: typeof comp?.title === 'string' ? comp.title : 'Document', date: comp?.date ?? d.resource.timestamp ?? null, type: comp?.type?.coding ?? [] };
  }

  const mask = (value: string) => (value.length <= 4 ? '****' : `${'*'.repeat(Math.max(4, value.length - 4))}${value.slice(-4)}`);

  /** The page's JSON choices → the same Parameters `$grant` takes, so one parser validates both. */
  function choicesToParameters(inv: InvitationRecord, choices: unknown, offered: string[]): Parameters {
    if (!isObject(choices)) throw new GatewayError('BAD_REQUEST', 'The body must be a JSON object of choices.');
    const ch = choices as Loose;
    const p: ParametersParameter[] = [{ name: 'patient', valueIdentifier: { system: inv.patient.system, value: inv.patient.value } }];
    if (typeof ch.recipient === 'string') p.push({ name: 'recipient', valueReference: { reference: `Organization/${ch.recipient}` } });
    else if (isObject(ch.recipient)) {
      p.push({ name: 'recipient', valueString: String(ch.recipient.name ?? '') });
      p.push({ name: 'recipientContact', valueString: String(ch.recipient.contact ?? '') });
    }
    if (typeof ch.purpose === 'string') {
      const [system, code] = ch.purpose.includes('|') ? ch.purpose.split('|') : ['http://terminology.hl7.org/CodeSystem/v3-ActReason', ch.purpose];
      p.push({ name: 'purpose', valueCoding: { system, code } });
    }
    const docs: unknown[] = Array.isArray(ch.documents) && ch.documents.length ? ch.documents : offered;
    for (const d of docs) p.push({ name: 'document', valueReference: { reference: `Bundle/${String(d)}` } });
    if (ch.end !== undefined) p.push({ name: 'end', valueDateTime: ch.end });
    for (const [key, name, kind] of [['passcode', 'passcode', 'valueString'], ['noticeLanguage', 'noticeLanguage', 'valueCode'], ['processingMethod', 'processingMethod', 'valueCode'], ['label', 'label', 'valueString']] as const) {
      if (ch[key] !== undefined) p.push({ name, [kind]: ch[key] });
    }
    for (const s of Array.isArray(ch.allowSensitive) ? ch.allowSensitive : []) p.push({ name: 'allowSensitive', valueCode: s });
    return { resourceType: 'Parameters', parameter: p };
  }

  async function openManagement(secret: string | undefined) {
    if (!secret) throw new GatewayError('NOT_FOUND', 'This link is not active.');
    return openManagementLink({ ports: store.consent, now: clock.now() }, secret);
  }

  function consentSummary(r: ConsentRecord) {
    const v = readConsent(r.resource);
    return {
      id: r.id,
      versionId: r.versionId,
      status: r.status,
      hospital: r.hospitalId,
      recipient: { kind: v.recipient.kind, name: v.recipient.name, ...(v.recipient.kind === 'organization' ? { id: v.recipient.id, country: v.recipient.country } : {}), contact: v.recipient.contact.text },
      purpose: v.purpose,
      period: v.period,
      documents: v.documents,
      documentTypes: v.documentTypes,
      processingMethod: v.processingMethod,
      legalBasis: v.legalBasis,
      channel: v.channel,
      notice: { language: v.noticeLanguage, text: v.noticeText, rights: v.rightsText },
      ...(v.withdrawn ? { withdrawn: v.withdrawn } : {}),
    };
  }

  function notifications(consents: ConsentRecord[]) {
    return consents
      .map((r) => readConsent(r.resource))
      .filter((v) => v.legalBasis === 'emergency' && v.recipient.kind === 'organization')
      .map((v) => ({
        consentId: v.id,
        at: v.dateTime,
        recipient: v.recipient.name,
        reason: v.emergencyReason ?? '',
        text: emergencyNotification({ patient: v.patient, reason: v.emergencyReason ?? '', recipient: v.recipient as OrganizationRecipient, documentTypes: [] }, new Date(v.dateTime), v.noticeLanguage),
      }));
  }

  /** Every access to the patient's records, newest first, from the audit log (BALP entities). */
  async function accessesOf(patient: IdentifierKey) {
    const query: AuditQuery = {
      patient: [], patientIdentifier: [[patient]], agent: [], entity: [], type: [], subtype: [], outcome: [],
      recordedFrom: [], recordedBefore: [], sort: '-seq', count: 500, offset: 0,
    };
    const { records } = await store.audit.search(query);
    return records
      .map((r) => r.event as Resource & Loose)
      .map((e) => {
        const action = (e.subtype as Loose[] | undefined)?.filter((c) => c.system === AUDIT_SUBTYPE_SYSTEM).map((c) => String(c.code)) ?? [];
        const main = action.find((a) => ACCESS_ACTIONS.has(a));
        if (!main || action.includes('manage') || action.includes('invitation')) return undefined;
        const agents = (e.agent as Loose[] | undefined) ?? [];
        const client = agents[0];
        const person = agents.find((a) => a.type?.coding?.some((c: Loose) => c.system === PARTICIPATION_TYPE && c.code === 'IRCP'));
        const country = client?.extension?.find((x: Loose) => x.url === AGENT_COUNTRY_EXT)?.valueCoding?.code;
        const consent = (e.entity as Loose[] | undefined)?.find((en) => String(en.what?.reference ?? '').startsWith('Consent/'));
        return {
          when: e.recorded,
          action: main,
          outcome: e.outcome === '0' ? 'success' : 'failure',
          who: person?.who?.display ?? client?.who?.display ?? 'unidentified',
          ...(person ? { via: client?.who?.display } : {}),
          country: country ?? null,
          consentId: consent ? String(consent.what.reference).slice(8) : null,
          emergency: action.includes('emergency-access') || (e.subtype as Loose[]).some((c) => c.code === '110127'),
          documents: ((e.entity as Loose[] | undefined) ?? []).map((en) => String(en.what?.reference ?? '')).filter((x) => x.startsWith('Bundle/')),
        };
      })
      .filter((x) => x !== undefined);
  }

  return {
    providers, resolveOrganization, participantByOrganization, tokenSigner, verifyToken, parseInviteParameters, documentsOfInvitation,
    documentSummary, mask, choicesToParameters, openManagement, consentSummary, notifications, accessesOf,
  };
}
