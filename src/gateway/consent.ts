/**
 * Consent use cases (issue 6): `$grant` by a hospital or by the patient through a one-time
 * invitation, `$invite`, `$revoke`, the hospital's Consent search, and the patient's management
 * API. Plain data in and out; HTTP lives in http/routes/consent.ts.
 *
 * Invariants: a hospital grants only for a patient of a document it submitted and only over its own
 * documents (others answer 404 — existence stays hidden); the Consent version, its links and the
 * audit entry commit in ONE transaction; an invitation is consumed by the same transaction that
 * stores the grant (atomic one-time use); a re-grant for the same patient × recipient × purpose
 * becomes the next version and retires the previous links; secrets travel only in URL fragments
 * (`/manage#…`, `/invite#…`) and headers, and are stored hashed; withdrawal is a new inactive
 * version and deactivates every link at once (PIPL art. 15).
 */
import { GatewayError } from '../errors.js';
import type { Bundle, Parameters } from '../fhir/types.js';
import {
  consentKey, grantResponse, hashSecret, linkQrPng, parseGrantParameters, prepareGrant, prepareInvitation, prepareWithdrawal,
  readConsent, type ConsentRecord, type GrantRequest, type IdentifierKey, type InvitationRecord, type ResolveOrganization,
  type ConsentChannel, PURPOSES,
} from '../consent/index.js';
import type { StoredDocument, Stores } from '../store/ports.js';
import { requireRole } from './authorize.js';
import type { Principal, RequestContext } from './context.js';
import type { GatewayDeps } from './deps.js';
import { searchsetBundle } from './searchset.js';
import { consentSupport } from './consent-support.js';

export interface GrantOutcome {
  consent: ConsentRecord;
  parameters: Parameters;
  link: string;
  managementLink: string;
  token?: string;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}

export function consentUseCases(deps: GatewayDeps) {
  const { store, clock, ids } = deps;
  const c = deps.consent;
  const support = consentSupport(deps);
  const base = c.publicBaseUrl.replace(/\/+$/, '');

  /** The hospital's own documents of this patient; named ones must all be its own and the patient's. */
  async function hospitalDocuments(hospitalClientId: string, patient: IdentifierKey, named: string[]): Promise<StoredDocument[]> {
    const { documents } = await store.documents.search({ patientIdentifier: patient, submitter: hospitalClientId, count: 1000, offset: 0 });
    if (!documents.length) throw new GatewayError('NOT_FOUND', 'No document of this patient was submitted by this hospital.', { expression: 'Parameters.parameter' });
    const mine = new Set(documents.map((d) => d.id));
    for (const id of named) {
      if (!mine.has(id)) throw new GatewayError('NOT_FOUND', `Bundle/${id} is not a document of this patient submitted by this hospital.`, { expression: 'Parameters.parameter' });
    }
    return documents;
  }

  /** prepareGrant's page URLs carry the secret in a path; ours carry it in the fragment. */
  const managementUrl = (fromDomain: string) => `${base}/manage#${fromDomain.slice(fromDomain.lastIndexOf('/') + 1)}`;

  async function storeGrant(
    request: GrantRequest,
    hospital: { clientId: string; organization: string; name: string },
    channel: ConsentChannel,
    ctx: RequestContext,
    inTx?: (tx: Stores) => Promise<void>,
  ): Promise<GrantOutcome> {
    const now = clock.now();
    const found = await store.consent.consents.findActiveByKey(consentKey(request.patient, request.recipient, request.purpose));
    // A consent of another hospital with the same key is not superseded by this one.
    const previous = found && found.hospitalId === hospital.organization ? found : undefined;
    const prepared = await prepareGrant(request, {
      now,
      randomBytes: c.randomBytes,
      newId: ids.newId,
      hospital: { id: hospital.organization, name: hospital.name },
      channel,
      baseUrl: base,
      viewerUrl: `${base}/view`,
      ...(previous ? { previous } : {}),
      passcodeBudget: c.passcodeBudget,
      token: support.tokenSigner(),
    });
    const managementLink = managementUrl(prepared.managementLink);
    try {
      await store.withTransaction(async (tx) => {
        await inTx?.(tx);
        if (previous) await tx.consent.links.deactivateByConsent(previous.id);
        await tx.consent.consents.saveVersion(prepared.consent);
        for (const l of prepared.links) await tx.consent.links.create(l);
        await deps.audit(tx, {
          action: 'consent-grant',
          outcome: 'success',
          ctx,
          consentId: prepared.consent.id,
          patientIdentifiers: [request.patient],
          documents: request.documents,
          purposeOfUse: [{ system: request.purpose.system, code: request.purpose.code }],
          ...(channel === 'patient-invitation' ? { operation: 'invitation' } : {}),
        });
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new GatewayError('CONFLICT', 'The consent changed concurrently; retry.', { cause: e });
      throw e;
    }
    const parameters = grantResponse({ ...prepared, managementLink });
    return { consent: prepared.consent, parameters, link: prepared.link, managementLink, ...(prepared.token ? { token: prepared.token } : {}) };
  }

  function hospitalOf(p: Principal) {
    return { clientId: p.clientId, organization: p.organization, name: p.organizationName ?? p.organization };
  }

  /** POST /fhir/Consent/$grant (hospital on the patient's behalf). */
  async function grant(body: unknown, ctx: RequestContext): Promise<GrantOutcome> {
    const p = requireRole(ctx, ['hospital']);
    const request = parseGrantParameters(body, { resolveOrganization: support.resolveOrganization, now: clock.now() });
    await hospitalDocuments(p.clientId, request.patient, request.documents);
    return storeGrant(request, hospitalOf(p), 'hospital-on-behalf', ctx);
  }

  /** POST /fhir/Consent/$invite: a one-time invitation URL (secret in the fragment). */
  async function invite(body: unknown, ctx: RequestContext): Promise<{ parameters: Parameters; invitation: string; expires: string }> {
    const p = requireRole(ctx, ['hospital']);
    const { patient, documents } = support.parseInviteParameters(body);
    await hospitalDocuments(p.clientId, patient, documents);
    const prepared = prepareInvitation(
      { patient, documents, hospitalId: p.organization, validHours: c.invitationHours },
      { now: clock.now(), randomBytes: c.randomBytes, baseUrl: base },
    );
    const secret = prepared.invitation.slice(prepared.invitation.lastIndexOf('/') + 1);
    const invitation = `${base}/invite#${secret}`;
    await store.withTransaction(async (tx) => {
      await tx.consent.invitations.create(prepared.record);
      await deps.audit(tx, { action: 'consent-grant', outcome: 'success', ctx, operation: '$invite', patientIdentifiers: [patient], documents });
    });
    return {
      invitation,
      expires: prepared.record.expires,
      parameters: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'invitation', valueUrl: invitation },
          { name: 'expires', valueDateTime: prepared.record.expires },
        ],
      },
    };
  }

  /** The invitation behind a secret, or the same 404 for unknown, used and expired ones. */
  async function openInvitation(secret: string | undefined): Promise<InvitationRecord> {
    const inv = secret ? await store.consent.invitations.peek(hashSecret(secret), clock.now().toISOString()) : undefined;
    if (!inv) throw new GatewayError('NOT_FOUND', 'This invitation is not valid.');
    return inv;
  }

  /** GET /api/invitations/current: what the patient may choose. */
  async function invitationChoices(secret: string | undefined, ctx: RequestContext) {
    const inv = await openInvitation(secret);
    const hospital = support.participantByOrganization(inv.hospitalId);
    const docs = await support.documentsOfInvitation(inv);
    await store.withTransaction((tx) =>
      deps.audit(tx, { action: 'read', outcome: 'success', ctx, operation: 'invitation', patientIdentifiers: [inv.patient], documents: docs.map((d) => d.id), disclosure: false }),
    );
    return {
      hospital: { id: inv.hospitalId, name: hospital?.organization.name ?? inv.hospitalId, nameZh: hospital?.organization.nameZh },
      patient: { system: inv.patient.system, value: support.mask(inv.patient.value) },
      expires: inv.expires,
      documents: docs.map((d) => support.documentSummary(d)),
      recipients: support.providers().map((o) => ({ id: o.id, name: o.name, country: o.country })),
      purposes: PURPOSES.map((pu) => ({ system: pu.system, code: pu.code, display: pu.display, kind: pu.kind })),
      noticeLanguages: ['zh-CN', 'en'],
      processingMethods: ['view-only', 'may-store'],
      sensitiveCategories: ['genomic', 'resident-id', 'ethnicity'],
    };
  }

  /** POST /api/invitations/grant: the patient grants; the invitation is consumed in the same transaction. */
  async function grantByInvitation(secret: string | undefined, choices: unknown, ctx: RequestContext) {
    const inv = await openInvitation(secret);
    const docs = await support.documentsOfInvitation(inv);
    const parameters = support.choicesToParameters(inv, choices, docs.map((d) => d.id));
    const request = parseGrantParameters(parameters, { resolveOrganization: support.resolveOrganization, now: clock.now() });
    const allowed = new Set(docs.map((d) => d.id));
    if (request.documents.some((d) => !allowed.has(d))) throw new GatewayError('INVALID_PARAMETER', 'A chosen document is not offered by this invitation.', { expression: 'documents' });
    const hospital = support.participantByOrganization(inv.hospitalId);
    const outcome = await storeGrant(
      request,
      { clientId: hospital?.id ?? '', organization: inv.hospitalId, name: hospital?.organization.name ?? inv.hospitalId },
      'patient-invitation',
      ctx,
      async (tx) => {
        const used = await tx.consent.invitations.consume(inv.hash, clock.now().toISOString());
        if (!used) throw new GatewayError('NOT_FOUND', 'This invitation is not valid.');
      },
    );
    const view = readConsent(outcome.consent.resource);
    return {
      consent: outcome.consent.resource,
      link: outcome.link,
      qrPngDataUrl: await linkQrPng(outcome.link),
      managementLink: outcome.managementLink,
      ...(outcome.token ? { token: outcome.token } : {}),
      notice: { language: view.noticeLanguage, text: view.noticeText, rights: view.rightsText },
    };
  }

  async function withdraw(current: ConsentRecord, ctx: RequestContext, via: string): Promise<ConsentRecord> {
    if (current.status !== 'active') return current;
    const next = prepareWithdrawal(current, clock.now());
    try {
      await store.withTransaction(async (tx) => {
        await tx.consent.consents.saveVersion(next);
        await tx.consent.links.deactivateByConsent(current.id, 'shl');
        await deps.audit(tx, { action: 'consent-revoke', outcome: 'success', ctx, consentId: current.id, patientIdentifiers: [current.patient], operation: via });
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new GatewayError('CONFLICT', 'The consent changed concurrently; retry.', { cause: e });
      throw e;
    }
    return next;
  }

  /** POST /fhir/Consent/{id}/$revoke by the hospital that granted it (others: 404). */
  async function revoke(id: string, ctx: RequestContext): Promise<ConsentRecord> {
    const p = requireRole(ctx, ['hospital']);
    const current = await store.consent.consents.getCurrent(id);
    if (!current || current.hospitalId !== p.organization) throw new GatewayError('NOT_FOUND', `Consent/${id} is not known.`);
    return withdraw(current, ctx, '$revoke');
  }

  /** GET /fhir/Consent/{id} by the hospital that granted it. */
  async function read(id: string, ctx: RequestContext): Promise<ConsentRecord> {
    const p = requireRole(ctx, ['hospital']);
    const current = await store.consent.consents.getCurrent(id);
    if (!current || current.hospitalId !== p.organization) throw new GatewayError('NOT_FOUND', `Consent/${id} is not known.`);
    await store.withTransaction((tx) => deps.audit(tx, { action: 'read', outcome: 'success', ctx, consentId: id, patientIdentifiers: [current.patient] }));
    return current;
  }

  /** GET /fhir/Consent?patient.identifier=… : the hospital's own consents of that patient. */
  async function search(patient: IdentifierKey | undefined, page: { count: number; offset: number }, ctx: RequestContext, selfUrl: string): Promise<Bundle> {
    const p = requireRole(ctx, ['hospital']);
    if (!patient) throw new GatewayError('INVALID_PARAMETER', 'patient.identifier (system|value) is required.', { expression: 'patient.identifier' });
    const all = (await store.consent.consents.listByPatient(patient)).filter((r) => r.hospitalId === p.organization);
    const pageRows = all.slice(page.offset, page.offset + page.count);
    await store.withTransaction((tx) =>
      deps.audit(tx, { action: 'search', outcome: 'success', ctx, patientIdentifiers: [patient], query: `patient.identifier=${patient.system}|${patient.value}` }),
    );
    return searchsetBundle(pageRows.map((r) => r.resource), all.length, page, selfUrl, clock.now(), ids.newId());
  }

  /** GET /api/manage: the patient's consents, every access to their records, emergency notices. */
  async function manageView(secret: string | undefined, ctx: RequestContext) {
    const { consent } = await support.openManagement(secret);
    const consents = await store.consent.consents.listByPatient(consent.patient);
    const accesses = await support.accessesOf(consent.patient);
    await store.withTransaction((tx) =>
      deps.audit(tx, { action: 'read', outcome: 'success', ctx, operation: 'manage', consentId: consent.id, patientIdentifiers: [consent.patient], disclosure: false }),
    );
    return {
      patient: { system: consent.patient.system, value: support.mask(consent.patient.value) },
      consents: consents.map((r) => support.consentSummary(r)),
      accesses,
      notifications: support.notifications(consents),
    };
  }

  /** POST /api/manage/revoke {consentId}: withdraw one of the same patient's consents. */
  async function manageRevoke(secret: string | undefined, consentId: unknown, ctx: RequestContext) {
    const { consent } = await support.openManagement(secret);
    if (typeof consentId !== 'string') throw new GatewayError('BAD_REQUEST', 'consentId is required.', { expression: 'consentId' });
    const target = await store.consent.consents.getCurrent(consentId);
    const same = target && target.patient.system === consent.patient.system && target.patient.value === consent.patient.value;
    if (!target || !same) throw new GatewayError('NOT_FOUND', 'This consent is not known.');
    const next = await withdraw(target, ctx, 'manage');
    return support.consentSummary(next);
  }

  /** GET /api/admin/exports: distinct persons exported per hospital and calendar year. */
  async function exportCounts(ctx: RequestContext) {
    requireRole(ctx, ['admin']);
    const rows = await store.consent.exportCounts();
    return {
      exports: rows.map((r) => {
        const m = c.exportMechanism(r.hospitalId);
        return { hospital: r.hospitalId, year: r.year, persons: r.persons, mechanism: m?.mechanism ?? 'none', reference: m?.reference ?? null };
      }),
    };
  }

  return { grant, invite, invitationChoices, grantByInvitation, revoke, read, search, manageView, manageRevoke, exportCounts };
}
