/**
 * SMART Health Links (HL7 SMART Health Cards and Links IG, links-specification): the manifest
 * request `POST /shl/{segment}` and the single-use file location `GET /shl-file/{segment}`.
 *
 * Invariants (spec "Manifest Request" and "Monitoring remaining attempts"): unknown, inactive,
 * expired and revoked links answer the same 404; a wrong passcode costs one attempt of the
 * lifetime budget, counted atomically in SQL, and answers 401 with `remainingAttempts`; the
 * consent is re-decided per document for every manifest and again when a file is fetched (a
 * withdrawal stops files already listed); file locations are single-use and live ≤ 1 hour; each
 * manifest request is audited (`link-manifest`, recipient exactly as given; `passcode-failure`),
 * the release together with the export accounting in one transaction (group-committed with other
 * reads, store/group-commit.ts: each answer only after its commit).
 */
import { GatewayError, isGatewayError } from '../errors.js';
import {
  buildManifest, encryptShlFile, hashSecret, issueFileTicket, openFileTicket, openShlManifest, parseManifestRequest, readConsent,
  type ShlManifestFile,
} from '../consent/index.js';
import type { RequestContext } from './context.js';
import type { GatewayDeps } from './deps.js';
import { consentRelease, targetLanguage } from './consent-release.js';
import { groupCommitFor } from '../store/group-commit.js';

const CONTENT_TYPE = 'application/fhir+json' as const;

export function shlUseCases(deps: GatewayDeps) {
  const { store, clock } = deps;
  const release = consentRelease(deps);
  // Manifest and file audit entries are group-committed with other reads (store/group-commit.ts).
  const commitRead = groupCommitFor(store);
  const base = deps.consent.publicBaseUrl.replace(/\/+$/, '');

  async function recipientOf(body: unknown): Promise<string | undefined> {
    try {
      return parseManifestRequest(body).recipient;
    } catch {
      return undefined;
    }
  }

  /** POST /shl/{segment}: the manifest, or 401 { remainingAttempts } / 404. */
  async function manifest(segment: string, body: unknown, acceptLanguage: string | undefined, ctx: RequestContext): Promise<{ files: ShlManifestFile[] }> {
    const now = clock.now();
    const recipient = await recipientOf(body);
    let opened;
    try {
      opened = await openShlManifest({ ports: store.consent, now }, segment, body);
    } catch (e) {
      if (isGatewayError(e) && (e.code === 'PASSCODE_WRONG' || e.code === 'NOT_FOUND')) {
        const link = await store.consent.links.findByHash(hashSecret(segment));
        const consent = link ? await store.consent.consents.getCurrent(link.consentId) : undefined;
        await commitRead.run((tx) =>
          deps.audit(tx, {
            action: e.code === 'PASSCODE_WRONG' ? 'passcode-failure' : 'link-manifest',
            outcome: 'failure',
            failure: { reason: e.code === 'PASSCODE_WRONG' ? 'wrong passcode' : 'link not active', code: e.code },
            ctx,
            ...(recipient !== undefined ? { linkRecipient: recipient } : {}),
            ...(consent ? { consentId: consent.id, patientIdentifiers: [consent.patient] } : {}),
          }),
        );
      }
      throw e;
    }
    const { consent, link, request } = opened;
    const items = await release.permittedDocuments(consent, { recipientName: request.recipient });
    const view = readConsent(consent.resource);
    const ledgerKey = await commitRead.run(async (tx) => {
      const key = items.length ? await release.admitExport(tx, consent, view.legalBasis === 'emergency') : undefined;
      await deps.audit(tx, {
        action: 'link-manifest',
        outcome: 'success',
        ctx,
        linkRecipient: request.recipient,
        consentId: consent.id,
        patientIdentifiers: [consent.patient],
        documents: items.map((i) => i.doc.id),
        purposeOfUse: [view.purpose],
      });
      return key;
    });
    release.rememberAdmitted(ledgerKey); // committed
    const lang = targetLanguage(acceptLanguage);
    const files = [];
    for (const item of items) {
      const lastUpdated = item.doc.lastUpdated;
      if (request.embeddedLengthMax !== undefined) {
        const signed = await release.deliver(item, consent, lang);
        const jwe = await encryptShlFile(JSON.stringify(signed), link.key!, { contentType: CONTENT_TYPE });
        if (jwe.length <= request.embeddedLengthMax) {
          files.push({ contentType: CONTENT_TYPE, jwe, lastUpdated });
          continue;
        }
      }
      const location = await issueFileTicket(
        { ports: store.consent, now, randomBytes: deps.consent.randomBytes, fileBaseUrl: `${base}/shl-file`, lifetimeSeconds: 3600 },
        opened,
        item.doc.id,
      );
      files.push({ contentType: CONTENT_TYPE, location, lastUpdated });
    }
    return buildManifest(files, request.embeddedLengthMax);
  }

  /** GET /shl-file/{segment}: the JWE once, re-decided against the live consent; else 404. */
  async function file(segment: string, acceptLanguage: string | undefined, ctx: RequestContext): Promise<string> {
    const { ticket, link, consent } = await openFileTicket({ ports: store.consent, now: clock.now() }, segment);
    const items = await release.permittedDocuments(consent, { recipientName: ticket.recipient }, ticket.documentId);
    if (!items.length || !link.key) throw new GatewayError('NOT_FOUND', 'This link is not active.');
    const view = readConsent(consent.resource);
    await commitRead.run((tx) =>
      deps.audit(tx, {
        action: 'read',
        outcome: 'success',
        ctx,
        linkRecipient: ticket.recipient,
        consentId: consent.id,
        patientIdentifiers: [consent.patient],
        documents: [ticket.documentId],
        purposeOfUse: [view.purpose],
      }),
    );
    const signed = await release.deliver(items[0]!, consent, targetLanguage(acceptLanguage));
    return encryptShlFile(JSON.stringify(signed), link.key, { contentType: CONTENT_TYPE });
  }

  return { manifest, file };
}
