/**
 * The SHL manifest request and the management link, over the consent ports: who may open what.
 * The lead's HTTP route calls these and then builds the files (translate → sign → encryptShlFile
 * → issueFileTicket → buildManifest).
 *
 * Invariants (SHL links-specification "Manifest Request"): unknown, inactive, expired and revoked
 * links — and links whose consent is no longer active or has ended — all answer the same 404; a
 * wrong or missing passcode on a P link is counted by ONE atomic store call and answers 401 with
 * `remainingAttempts` (the budget is lifetime, default 10); a correct passcode is checked before
 * counting so it never burns an attempt; file locations live at most one hour and are single-use.
 */
import type { ConsentPorts, ConsentRecord, LinkRecord } from './ports.js';
import { hashSecret, newSecret, verifyPasscode, type RandomBytes } from './secrets.js';
import { parseManifestRequest, shlNotActive, shlWrongPasscode, type ShlManifestRequest } from './shl.js';
import { MAX_FILE_LOCATION_SECONDS } from './vocab.js';

export interface LinkAccessDeps {
  ports: Pick<ConsentPorts, 'links' | 'consents' | 'files'>;
  now: Date;
}

export interface OpenedLink {
  link: LinkRecord;
  consent: ConsentRecord;
  request: ShlManifestRequest;
}

function live(link: LinkRecord | undefined, now: Date, kind: LinkRecord['kind']): link is LinkRecord {
  return !!link && link.kind === kind && link.active && (link.expires === null || Date.parse(link.expires) > now.getTime());
}

function consentLive(c: ConsentRecord | undefined, now: Date): c is ConsentRecord {
  return !!c && c.status === 'active' && Date.parse(c.end) > now.getTime();
}

/** Handles `POST <manifest url>`: validates the body, the link, the consent and the passcode. */
export async function openShlManifest(deps: LinkAccessDeps, urlSegment: string, body: unknown): Promise<OpenedLink> {
  const request = parseManifestRequest(body);
  const hash = hashSecret(urlSegment);
  const link = await deps.ports.links.findByHash(hash);
  if (!live(link, deps.now, 'shl')) throw shlNotActive();
  const consent = await deps.ports.consents.getCurrent(link.consentId);
  if (!consentLive(consent, deps.now)) throw shlNotActive();
  if (link.passcodeHash !== null) {
    const ok = request.passcode !== undefined && (await verifyPasscode(request.passcode, link.passcodeHash));
    if (!ok) {
      const failed = await deps.ports.links.recordFailedAttempt(hash);
      if (!failed) throw shlNotActive();
      throw shlWrongPasscode(failed.remainingAttempts);
    }
  }
  return { link, consent, request };
}

/** Handles the management link: the consent it manages, or the same 404 as any unknown link. */
export async function openManagementLink(deps: LinkAccessDeps, secret: string): Promise<{ link: LinkRecord; consent: ConsentRecord }> {
  const link = await deps.ports.links.findByHash(hashSecret(secret));
  // A management link outlives its consent's validity: the patient must still see the accesses.
  if (!link || link.kind !== 'management' || !link.active) throw shlNotActive();
  const consent = await deps.ports.consents.getCurrent(link.consentId);
  if (!consent) throw shlNotActive();
  return { link, consent };
}

/** Creates a single-use file location valid for at most one hour; returns its URL. */
export async function issueFileTicket(
  deps: LinkAccessDeps & { randomBytes: RandomBytes; fileBaseUrl: string; lifetimeSeconds?: number },
  opened: OpenedLink,
  documentId: string,
): Promise<string> {
  const seconds = Math.min(deps.lifetimeSeconds ?? 300, MAX_FILE_LOCATION_SECONDS);
  const segment = newSecret(deps.randomBytes);
  await deps.ports.files.create({
    hash: hashSecret(segment),
    linkHash: opened.link.hash,
    consentId: opened.consent.id,
    documentId,
    recipient: opened.request.recipient,
    expires: new Date(deps.now.getTime() + seconds * 1000).toISOString(),
  });
  return `${deps.fileBaseUrl.replace(/\/+$/, '')}/${segment}`;
}

/** Handles `GET <file location>`: the ticket once, or the same 404. */
export async function openFileTicket(deps: LinkAccessDeps, segment: string) {
  const ticket = await deps.ports.files.consume(hashSecret(segment), deps.now.toISOString());
  if (!ticket) throw shlNotActive();
  const link = await deps.ports.links.findByHash(ticket.linkHash);
  const consent = await deps.ports.consents.getCurrent(ticket.consentId);
  if (!live(link, deps.now, 'shl') || !consentLive(consent, deps.now)) throw shlNotActive();
  return { ticket, link, consent };
}
