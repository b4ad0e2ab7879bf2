/**
 * Overseas provider systems reading with a consent token (`X-Consent-Token`), and emergency access
 * (PIPL art. 13(4)). The provider authenticates with SMART Backend Services; the consent token
 * binds the read to the consent's recipient.
 *
 * Invariants: deny by default, and every refusal looks the same — 404 whether the token is
 * missing, tampered, another recipient's, or its consent is revoked, expired, for another patient,
 * or does not cover the document (no existence leak); the Consent is re-read on every request so a
 * withdrawal takes effect on the next one (PIPL art. 15); each access — released or refused — is
 * audited with the consent id and purpose of use before the answer leaves (group-committed with
 * other reads' entries, store/group-commit.ts: answered only after the commit), the release in
 * the same transaction as the export accounting. A verified consent token is remembered for its lifetime
 * (signature, issuer, audience: the same checks would pass again) — the live consent is still
 * re-read and decided on every request; delivered documents come from delivery-cache.ts only
 * after that decision.
 */
import { GatewayError, isGatewayError } from '../errors.js';
import type { Bundle } from '../fhir/types.js';
import {
  buildEmergencyConsent, consentKey, parseEmergencyParameters, patientFromClaim, readConsent, type ConsentRecord,
  type OrganizationRecipient,
} from '../consent/index.js';
import { requireRole } from './authorize.js';
import type { RequestContext } from './context.js';
import type { GatewayDeps } from './deps.js';
import { consentRelease, targetLanguage, type Permitted } from './consent-release.js';
import { consentSupport } from './consent-support.js';
import { groupCommitFor } from '../store/group-commit.js';
import { searchsetBundle } from './searchset.js';

const NOT_FOUND = () => new GatewayError('NOT_FOUND', 'No document is available.');

type TokenClaims = Awaited<ReturnType<ReturnType<typeof consentSupport>['verifyToken']>>;
interface VerifiedToken {
  claims: TokenClaims;
  from: number;
  until: number;
}
/** Verified consent tokens per gateway key set (tests build several gateways in one process). */
const verifiedTokens = new WeakMap<object, Map<string, VerifiedToken>>();
const TOKEN_CACHE_MAX = 10_000;
const TOKEN_CACHE_AGE_MS = 5 * 60_000;

export function consentReadUseCases(deps: GatewayDeps) {
  const { store, clock, ids } = deps;
  const support = consentSupport(deps);
  const release = consentRelease(deps);
  // Read-path audit entries (written after the decision, in a transaction of their own) are
  // group-committed: several requests' entries per commit, each caller answered after it.
  const commitRead = groupCommitFor(store);
  let tokens = verifiedTokens.get(deps.keys);
  if (!tokens) verifiedTokens.set(deps.keys, (tokens = new Map()));
  const tokenCache = tokens;

  /**
   * support.verifyToken, remembered per (audience, token) from the instant of verification until
   * min(exp, 5 minutes later); a clock that goes back verifies again. Failures are not cached.
   */
  async function verifyTokenCached(token: string | undefined, audience: string): Promise<TokenClaims> {
    const t = clock.now().getTime();
    const key = token ? `${audience}\u0000${token}` : undefined;
    const hit = key ? tokenCache.get(key) : undefined;
    if (hit && t >= hit.from && t < hit.until) return hit.claims;
    const claims = await support.verifyToken(token, audience);
    if (key) {
      if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.delete(tokenCache.keys().next().value as string);
      tokenCache.set(key, { claims: Object.freeze(claims), from: t, until: Math.min(claims.exp * 1000, t + TOKEN_CACHE_AGE_MS) });
    }
    return claims;
  }

  async function refuse(ctx: RequestContext, reason: string, consent?: ConsentRecord): Promise<never> {
    await commitRead.run((tx) =>
      deps.audit(tx, {
        action: 'consent-refused',
        outcome: 'failure',
        failure: { reason, code: 'NOT_FOUND' },
        ctx,
        ...(consent ? { consentId: consent.id, patientIdentifiers: [consent.patient] } : {}),
      }),
    );
    throw NOT_FOUND();
  }

  /** Token → live consent of this recipient; any failure is an audited 404. */
  async function consentFor(token: string | undefined, ctx: RequestContext): Promise<ConsentRecord> {
    const p = requireRole(ctx, ['provider']);
    let claims;
    try {
      claims = await verifyTokenCached(token, p.organization);
    } catch (e) {
      return refuse(ctx, isGatewayError(e) && e.code === 'TOKEN_INVALID' ? 'consent token invalid' : 'no consent token');
    }
    const consent = await store.consent.consents.getCurrent(claims.sub);
    if (!consent) return refuse(ctx, 'consent unknown');
    const claimed = patientFromClaim(claims.patient);
    if (claimed.system !== consent.patient.system || claimed.value !== consent.patient.value) return refuse(ctx, 'token patient mismatch', consent);
    if (consent.status !== 'active' || Date.parse(consent.end) <= clock.now().getTime()) return refuse(ctx, `consent ${consent.status === 'active' ? 'expired' : consent.status}`, consent);
    if (consent.recipientId !== p.organization) return refuse(ctx, 'recipient mismatch', consent);
    return consent;
  }

  async function releaseAll(items: Permitted[], consent: ConsentRecord, ctx: RequestContext, action: 'read' | 'search', target: string | undefined, query?: string): Promise<Bundle[]> {
    const lang = targetLanguage(target);
    const view = readConsent(consent.resource);
    const ledgerKey = await commitRead.run(async (tx) => {
      const key = items.length ? await release.admitExport(tx, consent, view.legalBasis === 'emergency') : undefined;
      await deps.audit(tx, {
        action,
        outcome: 'success',
        ctx,
        consentId: consent.id,
        patientIdentifiers: [consent.patient],
        documents: items.map((i) => i.doc.id),
        purposeOfUse: [view.purpose],
        ...(view.legalBasis === 'emergency' ? { emergency: true } : {}),
        ...(query !== undefined ? { query } : {}),
      });
      return key;
    });
    release.rememberAdmitted(ledgerKey); // committed: the ledger holds this person for the year
    return Promise.all(items.map((i) => release.deliver(i, consent, lang, view.legalBasis === 'emergency')));
  }

  /** GET /fhir/Bundle/{id} by a provider with X-Consent-Token. */
  async function read(id: string, token: string | undefined, acceptLanguage: string | undefined, ctx: RequestContext): Promise<Bundle> {
    const consent = await consentFor(token, ctx);
    const p = ctx.principal!;
    const items = await release.permittedDocuments(consent, { recipientId: p.organization }, id);
    if (!items.length) return refuse(ctx, 'document not covered', consent);
    const [bundle] = await releaseAll(items, consent, ctx, 'read', acceptLanguage);
    return bundle!;
  }

  /** GET /fhir/Bundle?patient.identifier=… by a provider with X-Consent-Token. */
  async function search(
    patient: { system: string; value: string } | undefined,
    page: { count: number; offset: number },
    token: string | undefined,
    acceptLanguage: string | undefined,
    ctx: RequestContext,
    selfUrl: string,
  ): Promise<Bundle> {
    const consent = await consentFor(token, ctx);
    if (!patient || patient.system !== consent.patient.system || patient.value !== consent.patient.value) return refuse(ctx, 'search patient mismatch', consent);
    const all = await release.permittedDocuments(consent, { recipientId: ctx.principal!.organization });
    const slice = all.slice(page.offset, page.offset + page.count);
    const bundles = await releaseAll(slice, consent, ctx, 'search', acceptLanguage, `patient.identifier=${patient.system}|${patient.value}`);
    return searchsetBundle(bundles, all.length, page, selfUrl, clock.now(), ids.newId());
  }

  /**
   * POST /fhir/Consent/$emergency: an emergency Consent per hospital holding the patient's records,
   * the minimal set released, audited as emergency, notified on the patient's management page.
   */
  async function emergency(body: unknown, acceptLanguage: string | undefined, ctx: RequestContext, selfUrl: string): Promise<Bundle> {
    const p = requireRole(ctx, ['provider']);
    const { patient, reason } = parseEmergencyParameters(body);
    const org = support.resolveOrganization(p.organization);
    if (!org) throw new GatewayError('FORBIDDEN', 'Only registered overseas providers may declare an emergency.');
    const recipient: OrganizationRecipient = { kind: 'organization', ...org };
    const { documents } = await store.documents.search({ patientIdentifier: patient, count: 1000, offset: 0 });
    const hospitals = [...new Set(documents.map((d) => d.submitter).filter((s): s is string => !!s))];
    const now = clock.now();
    const released: Bundle[] = [];
    const consents: ConsentRecord[] = [];
    for (const clientId of hospitals) {
      const h = deps.trust.byClientId(clientId);
      if (!h || h.role !== 'hospital') continue;
      const id = ids.newId();
      const resource = buildEmergencyConsent({ patient, reason, recipient, documentTypes: [] }, { id, now, hospital: { id: h.organization.id, name: h.organization.name } });
      resource.meta = { versionId: '1', lastUpdated: now.toISOString() };
      const view = readConsent(resource);
      const record: ConsentRecord = {
        id, versionId: 1, key: consentKey(patient, recipient, view.purpose), patient, recipientId: recipient.id, hospitalId: h.organization.id,
        status: 'active', end: view.period.end, recorded: now.toISOString(), resource,
      };
      const items = await release.permittedDocuments(record, { recipientId: p.organization });
      await store.withTransaction(async (tx) => {
        await tx.consent.consents.saveVersion(record);
        await deps.audit(tx, {
          action: 'emergency-access', outcome: 'success', ctx, emergency: true, consentId: id, patientIdentifiers: [patient],
          documents: items.map((i) => i.doc.id), purposeOfUse: [view.purpose],
        });
      });
      consents.push(record);
      released.push(...(await Promise.all(items.map((i) => release.deliver(i, record, targetLanguage(acceptLanguage), true)))));
    }
    if (!consents.length) return refuse(ctx, 'emergency: no records');
    const bundle = searchsetBundle(released, released.length, { count: Math.max(1, released.length), offset: 0 }, selfUrl, now, ids.newId());
    for (const c of consents) (bundle.entry as unknown[]).push({ fullUrl: `${deps.urls.fhirBase}/Consent/${c.id}`, resource: c.resource, search: { mode: 'include' } });
    return bundle;
  }

  return { read, search, emergency };
}
