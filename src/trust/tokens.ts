/**
 * Client authentication and access tokens, SMART Backend Services
 * (https://hl7.org/fhir/smart-app-launch/backend-services.html):
 * - the gateway's own signing keys (current + previous ones kept for verification while their
 *   certificate is valid: rotation), `kid` = RFC 7638 JWK thumbprint, published as a JWKS with x5c;
 * - `verifyClientAssertion`: private_key_jwt (RFC 7523) signed RS384/ES384 by a registered
 *   participant's key, `iss` = `sub` = client id, `aud` = token URL, `exp` at most 5 minutes ahead,
 *   `jti` never accepted twice (atomic check delegated to the injected `jtiSeen` port);
 * - `issueAccessToken` / `verifyAccessToken`: short JWT access tokens (RFC 9068 `at+jwt`).
 *
 * Invariants: clock injected; every failure is TOKEN_INVALID (401) with `details.error` set to the
 * OAuth error code (`invalid_client` at the token endpoint, `invalid_token` for bearer tokens) and
 * the jose error only as `cause`; the jti is recorded only after the signature verified, so a
 * forger cannot burn a legitimate client's jti.
 */
import crypto from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { GatewayError } from '../errors.js';
import { canonicalJson } from '../fhir/canonical.js';
import type { Role } from './scopes.js';
import type { Participant, TrustList } from './trust-list.js';
import { publicKeyCached, validateChainCached } from './chain-cache.js';
import { parsePemCertificates, publicKeyOf, type ParsedCertificate } from './x509.js';

/** SMART Backend Services: servers SHALL support RS384 and ES384 client assertions. */
export const CLIENT_ASSERTION_ALGORITHMS = ['RS384', 'ES384'] as const;
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
export const DEFAULT_ACCESS_TOKEN_SECONDS = 300;

export interface GatewayKey {
  readonly kid: string;
  readonly alg: 'RS384' | 'ES384';
  readonly publicKey: crypto.KeyObject;
  readonly chain: readonly ParsedCertificate[];
  readonly notAfter: Date;
}

export interface GatewayKeys {
  /** The key that signs now. */
  readonly current: GatewayKey & { readonly privateKey: crypto.KeyObject };
  /** Current first, then previous keys (still verifiable until their certificate expires). */
  readonly all: readonly GatewayKey[];
}

export interface GatewayKeyInput {
  privateKeyPem: string;
  /** Leaf first, then intermediates. */
  certificateChainPem: string;
  /** Certificate chains (PEM) of retired signing keys. */
  previous?: string[];
}

/** RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order, no whitespace (= JCS). */
export function jwkThumbprint(key: crypto.KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  const required = jwk.kty === 'RSA' ? { e: jwk.e, kty: 'RSA', n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return crypto.createHash('sha256').update(canonicalJson(required)).digest('base64url');
}

function toGatewayKey(chain: ParsedCertificate[]): GatewayKey {
  const publicKey = publicKeyOf(chain[0]!);
  const alg = publicKey.asymmetricKeyType === 'ec' ? 'ES384' : 'RS384';
  return Object.freeze({ kid: jwkThumbprint(publicKey), alg, publicKey, chain: Object.freeze(chain), notAfter: chain[0]!.info.notAfter });
}

/** Builds the gateway's key set from PEM text (read by composition code). Misuse → TypeError. */
export function createGatewayKeys(input: GatewayKeyInput): GatewayKeys {
  const chain = parsePemCertificates(input.certificateChainPem);
  const privateKey = crypto.createPrivateKey(input.privateKeyPem);
  const current = toGatewayKey(chain);
  const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' }).toString('base64');
  if (spki(crypto.createPublicKey(privateKey)) !== spki(current.publicKey)) {
    throw new TypeError('the gateway private key does not match its certificate');
  }
  const previous = (input.previous ?? []).map((pem) => toGatewayKey(parsePemCertificates(pem))).filter((k) => k.kid !== current.kid);
  return Object.freeze({ current: Object.freeze({ ...current, privateKey }), all: Object.freeze([current, ...previous]) });
}

/** Public JWKS (RFC 7517) with x5c, for `GET /.well-known/jwks.json`; expired keys are left out. */
export function jwks(keys: GatewayKeys, now: () => Date): { keys: JWK[] } {
  const t = now();
  return {
    keys: keys.all
      .filter((k) => k.notAfter >= t)
      .map((k) => ({
        ...(k.publicKey.export({ format: 'jwk' }) as JWK),
        kid: k.kid,
        alg: k.alg,
        use: 'sig',
        x5c: k.chain.map((c) => c.info.derBase64),
      })),
  };
}

function tokenError(error: 'invalid_client' | 'invalid_token', message: string, cause?: unknown): GatewayError {
  return new GatewayError('TOKEN_INVALID', message, {
    cause,
    details: { error },
    ...(error === 'invalid_token' ? { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } } : {}),
  });
}

export interface ClientAssertionOptions {
  trust: TrustList;
  /** Absolute URL of POST /auth/token: the required `aud`. */
  tokenUrl: string;
  now: () => Date;
  /** Atomically records (jti, exp); resolves false when the jti was already recorded (replay). */
  jtiSeen: (jti: string, exp: Date) => Promise<boolean>;
}

export interface AuthenticatedClient {
  participant: Participant;
  jti: string;
  exp: Date;
}

/** Verifies a SMART Backend Services client assertion; resolves with the authenticated participant. */
export async function verifyClientAssertion(assertion: string, opts: ClientAssertionOptions): Promise<AuthenticatedClient> {
  if (typeof assertion !== 'string' || !assertion) throw tokenError('invalid_client', 'A client_assertion is required.');
  let alg: unknown;
  let iss: unknown;
  let sub: unknown;
  try {
    alg = decodeProtectedHeader(assertion).alg;
    ({ iss, sub } = decodeJwt(assertion));
  } catch (cause) {
    throw tokenError('invalid_client', 'The client assertion is not a readable JWT.', cause);
  }
  if (typeof alg !== 'string' || !(CLIENT_ASSERTION_ALGORITHMS as readonly string[]).includes(alg)) {
    throw tokenError('invalid_client', `The client assertion must be signed with RS384 or ES384, not "${String(alg)}".`);
  }
  if (typeof iss !== 'string' || iss !== sub) throw tokenError('invalid_client', 'The client assertion needs iss = sub = client id.');
  const participant = opts.trust.byClientId(iss);
  if (!participant) throw tokenError('invalid_client', 'Unknown client.');
  const now = opts.now();
  let lastError: unknown;
  for (const chain of participant.chains) {
    try {
      validateChainCached(opts.trust, chain, now); // per trust-list instance, bounded time (chain-cache.ts)
    } catch (e) {
      lastError = e;
      continue; // an expired or revoked registered certificate cannot authenticate
    }
    try {
      const { payload } = await jwtVerify(assertion, publicKeyCached(chain[0]!), {
        algorithms: [...CLIENT_ASSERTION_ALGORITHMS],
        issuer: iss,
        subject: iss,
        audience: opts.tokenUrl,
        currentDate: now,
        requiredClaims: ['exp', 'jti'],
      });
      if (typeof payload.jti !== 'string' || !payload.jti) throw tokenError('invalid_client', 'The client assertion needs a jti.');
      const exp = payload.exp as number;
      if (exp - now.getTime() / 1000 > MAX_ASSERTION_LIFETIME_SECONDS + 5) {
        throw tokenError('invalid_client', 'The client assertion expires too far in the future (at most 5 minutes).');
      }
      const expDate = new Date(exp * 1000);
      if (!(await opts.jtiSeen(payload.jti, expDate))) {
        throw tokenError('invalid_client', 'This client assertion (jti) was already used.');
      }
      return { participant, jti: payload.jti, exp: expDate };
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      lastError = e;
    }
  }
  throw tokenError('invalid_client', 'The client assertion could not be verified with a valid registered certificate.', lastError);
}

export interface AccessTokenClaims {
  clientId: string;
  role: Role;
  organization: string;
  scopes: string[];
  exp: Date;
  jti: string;
}

export interface IssueOptions {
  keys: GatewayKeys;
  /** `iss`: the gateway's base URL. */
  issuer: string;
  /** `aud`: the FHIR base URL the token is good for. */
  audience: string;
  participant: Participant;
  scopes: readonly string[];
  now: () => Date;
  newId: () => string;
  lifetimeSeconds?: number;
}

/** Issues an access token response body (RFC 6749 §5.1). */
export async function issueAccessToken(opts: IssueOptions): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number; scope: string }> {
  const lifetime = opts.lifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_SECONDS;
  if (!(lifetime > 0 && lifetime <= 3600)) throw new TypeError('access token lifetime must be 1..3600 seconds');
  const iat = Math.floor(opts.now().getTime() / 1000);
  const scope = opts.scopes.join(' ');
  const access_token = await new SignJWT({
    scope,
    client_id: opts.participant.id,
    role: opts.participant.role,
    organization: opts.participant.organization.id,
  })
    .setProtectedHeader({ alg: opts.keys.current.alg, kid: opts.keys.current.kid, typ: 'at+jwt' })
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setSubject(opts.participant.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime)
    .setJti(opts.newId())
    .sign(opts.keys.current.privateKey);
  return { access_token, token_type: 'bearer', expires_in: lifetime, scope };
}

export interface VerifyTokenOptions {
  keys: GatewayKeys;
  issuer: string;
  audience: string;
  now: () => Date;
}

/** Verifies a bearer access token issued by this gateway (any of its current or previous keys). */
export async function verifyAccessToken(token: string, opts: VerifyTokenOptions): Promise<AccessTokenClaims> {
  if (typeof token !== 'string' || !token) throw tokenError('invalid_token', 'An access token is required.');
  const now = opts.now();
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = opts.keys.all.find((k) => k.kid === header.kid && k.notAfter >= now);
        if (!key) throw new Error('unknown kid');
        return key.publicKey;
      },
      {
        algorithms: ['RS384', 'ES384'],
        issuer: opts.issuer,
        audience: opts.audience,
        typ: 'at+jwt',
        currentDate: now,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      },
    );
    const { sub, role, organization, scope, exp, jti } = payload as Record<string, unknown>;
    if (typeof role !== 'string' || typeof organization !== 'string' || typeof scope !== 'string') throw new Error('claims missing');
    return {
      clientId: sub as string,
      role: role as Role,
      organization,
      scopes: scope.split(' ').filter(Boolean),
      exp: new Date((exp as number) * 1000),
      jti: jti as string,
    };
  } catch (cause) {
    throw tokenError('invalid_token', 'The access token is invalid or expired.', cause);
  }
}

/** In-memory jti port for development and tests (the server backs it with the database). */
export function createMemoryJtiStore(now: () => Date): (jti: string, exp: Date) => Promise<boolean> {
  const seen = new Map<string, number>();
  return async (jti, exp) => {
    const t = now().getTime();
    for (const [k, e] of seen) if (e < t) seen.delete(k);
    if (seen.has(jti)) return false;
    seen.set(jti, exp.getTime());
    return true;
  };
}
