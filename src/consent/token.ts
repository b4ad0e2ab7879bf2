/**
 * The consent token for provider systems: a gateway-signed JWT naming the consent, the patient and
 * the scope, bound to the recipient the consent names.
 *
 * Invariants: `iss` = the gateway, `sub` = consent id, `aud` = the recipient participant id (the
 * binding: a token presented by any other authenticated participant fails), `exp` = the end of
 * the consent's validity (never later), `patient` = `system|value` of the patient identifier,
 * `scope` = what it allows; verification checks signature, algorithm, issuer, audience and time
 * and turns every failure into one coded TOKEN_INVALID (the jose message stays in `cause`). The
 * consent's live status is NOT in the token: the caller re-reads the Consent on every request
 * (a withdrawal must take effect at once, PIPL art. 15). The signing key is injected.
 */
import { SignJWT, jwtVerify, type CryptoKey, type JWTPayload, type KeyObject } from 'jose';
import { GatewayError } from '../errors.js';
import type { ConsentView } from './types.js';

export type SigningKey = CryptoKey | KeyObject;

/** Scope granted by a consent token: read the consented document Bundles (SMART v2 style). */
export const CONSENT_TOKEN_SCOPE = 'patient/Bundle.rs';

export interface ConsentTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  patient: string;
  scope: string;
  purpose: string;
}

export interface SignConsentTokenOptions {
  issuer: string;
  key: SigningKey;
  kid: string;
  /** JWS algorithm of the gateway key (default ES256). */
  alg?: string;
  now: Date;
  /** Unique token id (injected id generator). */
  jti: string;
}

/** Issues the token for a consent whose recipient is an Organization participant. */
export async function signConsentToken(consent: ConsentView, o: SignConsentTokenOptions): Promise<string> {
  if (consent.recipient.kind !== 'organization') throw new TypeError('a consent token needs an organization recipient');
  if (!o?.issuer || !o.kid || !o.jti || !(o.now instanceof Date)) throw new TypeError('signConsentToken needs issuer, kid, jti and now');
  const exp = Math.floor(Date.parse(consent.period.end) / 1000);
  const iat = Math.floor(o.now.getTime() / 1000);
  if (!(exp > iat)) throw new TypeError('the consent has already ended');
  return new SignJWT({
    patient: `${consent.patient.system}|${consent.patient.value}`,
    scope: CONSENT_TOKEN_SCOPE,
    purpose: `${consent.purpose.system}|${consent.purpose.code}`,
  })
    .setProtectedHeader({ alg: o.alg ?? 'ES256', kid: o.kid, typ: 'JWT' })
    .setIssuer(o.issuer)
    .setSubject(consent.id)
    .setAudience(consent.recipient.id)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .setJti(o.jti)
    .sign(o.key);
}

export interface VerifyConsentTokenOptions {
  issuer: string;
  /** The authenticated participant presenting the token: must equal `aud`. */
  audience: string;
  /** Public key of the gateway, or a resolver by kid (e.g. jose createLocalJWKSet). */
  key: SigningKey | Parameters<typeof jwtVerify>[1];
  algorithms?: string[];
  now: Date;
}

/** Verifies signature, issuer, audience (recipient binding) and time; returns the claims. */
export async function verifyConsentToken(token: string, o: VerifyConsentTokenOptions): Promise<ConsentTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, o.key as Parameters<typeof jwtVerify>[1] & SigningKey, {
      issuer: o.issuer,
      audience: o.audience,
      algorithms: o.algorithms ?? ['ES256'],
      currentDate: o.now,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
      typ: 'JWT',
    }));
  } catch (cause) {
    throw new GatewayError('TOKEN_INVALID', 'The consent token is not valid for this request.', {
      cause,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  }
  if (typeof payload.patient !== 'string' || typeof payload.scope !== 'string' || typeof payload.sub !== 'string') {
    throw new GatewayError('TOKEN_INVALID', 'The consent token is not valid for this request.');
  }
  return payload as ConsentTokenClaims;
}

/** `system|value` → identifier (the `patient` claim). */
export function patientFromClaim(claim: string): { system: string; value: string } {
  const i = claim.indexOf('|');
  return { system: claim.slice(0, i), value: claim.slice(i + 1) };
}
