/**
 * Granting, inviting and withdrawing, as pure preparation of what the store must persist and what
 * the client receives: `$grant` → Consent + SHL link + management link (+ consent token for an
 * organization recipient); `$invite` → a one-time invitation; `$revoke` → an inactive version.
 *
 * Invariants: secrets leave only in the response (the records hold SHA-256 hashes and the
 * passcode's scrypt hash); the SHL carries flag P exactly when a passcode was set, `exp` = the
 * consent's end, label ≤ 80; every grant yields a management link (the patient's way to see
 * accesses and withdraw, PIPL arts. 15 and 45); a grant for an existing patient × recipient ×
 * purpose supersedes it as a new version of the same consent (re-consent, PIPL art. 14).
 */
import type { Parameters } from '../fhir/types.js';
import { buildConsent, consentKey, readConsent, withdrawConsent, type Consent } from './model.js';
import type { ConsentRecord, InvitationRecord, LinkRecord } from './ports.js';
import { hashPasscode, hashSecret, newSecret, type RandomBytes } from './secrets.js';
import { encodeShlink } from './shl.js';
import { signConsentToken, type SigningKey } from './token.js';
import type { GrantRequest, IdentifierKey } from './types.js';
import { DEFAULT_INVITATION_HOURS, DEFAULT_PASSCODE_BUDGET, type ConsentChannel } from './vocab.js';

export interface GrantContext {
  now: Date;
  randomBytes: RandomBytes;
  /** New consent id (injected id generator); ignored when `previous` is given. */
  newId: () => string;
  hospital: { id: string; name: string };
  channel: ConsentChannel;
  /** Public base URL of the gateway, e.g. https://gw.example.org (no trailing slash needed). */
  baseUrl: string;
  /** Viewer page the SHL is placed behind (`…/view#shlink:/…`); omitted = bare `shlink:/`. */
  viewerUrl?: string;
  /** The current active consent with the same key, if any (from ConsentStore.findActiveByKey). */
  previous?: ConsentRecord;
  passcodeBudget?: number;
  /** Gateway signing key for the consent token. */
  token?: { issuer: string; key: SigningKey; kid: string; alg?: string };
}

export interface PreparedGrant {
  consent: ConsentRecord;
  links: LinkRecord[];
  /** The SHL (`…#shlink:/…`). */
  link: string;
  managementLink: string;
  token?: string;
}

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

export async function prepareGrant(grant: GrantRequest, ctx: GrantContext): Promise<PreparedGrant> {
  const now = ctx.now.toISOString();
  const id = ctx.previous?.id ?? ctx.newId();
  const versionId = (ctx.previous?.versionId ?? 0) + 1;
  const resource = buildConsent(grant, { id, now: ctx.now, hospital: ctx.hospital, channel: ctx.channel });
  resource.meta = { ...(resource.meta ?? {}), versionId: String(versionId), lastUpdated: now };
  const record: ConsentRecord = {
    id,
    versionId,
    key: consentKey(grant.patient, grant.recipient, grant.purpose),
    patient: grant.patient,
    recipientId: grant.recipient.kind === 'organization' ? grant.recipient.id : null,
    hospitalId: ctx.hospital.id,
    status: 'active',
    end: grant.end,
    recorded: now,
    resource,
  };
  const shlSegment = newSecret(ctx.randomBytes);
  const key = newSecret(ctx.randomBytes);
  const mgmtSecret = newSecret(ctx.randomBytes);
  const passcodeHash = grant.passcode ? await hashPasscode(grant.passcode, ctx.randomBytes) : null;
  const label = grant.label ?? `${grant.recipient.name}`.slice(0, 80);
  const link = encodeShlink(
    {
      url: `${base(ctx.baseUrl)}/shl/${shlSegment}`,
      key,
      exp: Math.floor(Date.parse(grant.end) / 1000),
      ...(passcodeHash ? { flag: 'P' } : {}),
      label,
    },
    ctx.viewerUrl,
  );
  const budget = ctx.passcodeBudget ?? DEFAULT_PASSCODE_BUDGET;
  const links: LinkRecord[] = [
    { hash: hashSecret(shlSegment), kind: 'shl', consentId: id, passcodeHash, key, failures: 0, budget, active: true, created: now, expires: grant.end },
    { hash: hashSecret(mgmtSecret), kind: 'management', consentId: id, passcodeHash: null, key: null, failures: 0, budget: 0, active: true, created: now, expires: null },
  ];
  const out: PreparedGrant = { consent: record, links, link, managementLink: `${base(ctx.baseUrl)}/my-consent/${mgmtSecret}` };
  if (ctx.token && grant.recipient.kind === 'organization') {
    out.token = await signConsentToken(readConsent(resource), { ...ctx.token, now: ctx.now, jti: newSecret(ctx.randomBytes) });
  }
  return out;
}

/** The `$grant` answer: Parameters with consent, link, token (organization recipients) and managementLink. */
export function grantResponse(prepared: PreparedGrant): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'consent', resource: prepared.consent.resource },
      { name: 'link', valueUrl: prepared.link },
      ...(prepared.token ? [{ name: 'token', valueString: prepared.token }] : []),
      { name: 'managementLink', valueUrl: prepared.managementLink },
    ],
  };
}

/** `$invite`: a one-time invitation (default 72 h) the patient uses to grant consent themselves. */
export function prepareInvitation(
  input: { patient: IdentifierKey; documents: string[]; hospitalId: string; validHours?: number },
  ctx: { now: Date; randomBytes: RandomBytes; baseUrl: string },
): { record: InvitationRecord; invitation: string } {
  const secret = newSecret(ctx.randomBytes);
  const hours = input.validHours ?? DEFAULT_INVITATION_HOURS;
  if (!(hours > 0 && hours <= 24 * 30)) throw new TypeError('invitation validity must be between 0 and 30 days');
  return {
    record: {
      hash: hashSecret(secret),
      hospitalId: input.hospitalId,
      patient: input.patient,
      documents: [...input.documents],
      created: ctx.now.toISOString(),
      expires: new Date(ctx.now.getTime() + hours * 3_600_000).toISOString(),
      used: null,
    },
    invitation: `${base(ctx.baseUrl)}/consent-invitation/${secret}`,
  };
}

/** `$revoke` / management-link withdrawal: the next version, inactive at once (PIPL art. 15). */
export function prepareWithdrawal(current: ConsentRecord, now: Date): ConsentRecord {
  const versionId = current.versionId + 1;
  const resource: Consent = withdrawConsent(current.resource, now);
  resource.meta = { ...(resource.meta ?? {}), versionId: String(versionId), lastUpdated: now.toISOString() };
  return { ...current, versionId, status: 'inactive', recorded: now.toISOString(), resource };
}
