/**
 * SMART Backend Services (hl7.org/fhir/smart-app-launch/backend-services.html): the token
 * endpoint's use case and bearer-token authentication. The client assertion's jti is recorded in
 * the store atomically, so a replayed assertion is refused even across processes. A verified
 * access token is remembered for at most its lifetime (issue 10); the trust list is still asked
 * on every request, so a removed participant loses access at once.
 */
import { GatewayError } from '../errors.js';
import type { Principal, RequestContext } from './context.js';
import type { GatewayDeps } from './deps.js';
import {
  CLIENT_ASSERTION_TYPE, grantScopes, issueAccessToken, verifyAccessToken, verifyClientAssertion, type AccessTokenClaims,
} from '../trust/index.js';

export interface TokenRequest {
  grant_type?: string;
  client_assertion_type?: string;
  client_assertion?: string;
  scope?: string;
}

/** Verified access tokens per gateway key set (tests build several gateways in one process). */
const verifiedTokens = new WeakMap<object, Map<string, { claims: AccessTokenClaims; from: number; until: number }>>();
const TOKEN_CACHE_MAX = 10_000;
const TOKEN_CACHE_AGE_MS = 5 * 60_000;

export function authUseCases(deps: GatewayDeps) {
  const { trust, keys, urls, clock, store } = deps;
  const now = () => clock.now();

  async function issueToken(form: TokenRequest, ctx: RequestContext) {
    // Inside the try: a malformed token request is a refused one too, and is audited (issue 7).
    try {
      if (form.grant_type !== 'client_credentials') {
        throw new GatewayError('BAD_REQUEST', 'grant_type must be client_credentials.', { details: { error: 'unsupported_grant_type' } });
      }
      if (form.client_assertion_type !== CLIENT_ASSERTION_TYPE) {
        throw new GatewayError('BAD_REQUEST', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}.`, { details: { error: 'invalid_request' } });
      }
      const client = await verifyClientAssertion(form.client_assertion ?? '', {
        trust,
        tokenUrl: urls.token,
        now,
        jtiSeen: (jti, exp) => store.replay.firstUse(jti, exp),
      });
      const scopes = grantScopes(trust.scopesFor(client.participant.role), form.scope);
      const body = await issueAccessToken({
        keys,
        issuer: urls.issuer,
        audience: urls.fhirBase,
        participant: client.participant,
        scopes,
        now,
        newId: deps.ids.newId,
        lifetimeSeconds: deps.accessTokenSeconds,
      });
      const principal = principalOf(client.participant.id, scopes);
      await store.withTransaction((tx) => deps.audit(tx, { action: 'token-issued', outcome: 'success', ctx: { ...ctx, principal }, tokenId: client.jti }));
      return body;
    } catch (e) {
      if (e instanceof GatewayError) {
        await store.withTransaction((tx) =>
          deps.audit(tx, { action: 'token-issued', outcome: 'failure', failure: { reason: e.message, code: e.code }, ctx }),
        );
      }
      throw e;
    }
  }

  function principalOf(clientId: string, scopes: string[]): Principal {
    const p = trust.byClientId(clientId);
    if (!p) throw new GatewayError('TOKEN_INVALID', 'The client is no longer registered.', { details: { error: 'invalid_token' } });
    return {
      clientId: p.id,
      role: p.role,
      organization: p.organization.id,
      organizationName: p.organization.name,
      country: p.organization.country,
      scopes,
    };
  }

  let tokens = verifiedTokens.get(keys);
  if (!tokens) verifiedTokens.set(keys, (tokens = new Map()));
  const tokenCache = tokens;

  /**
   * verifyAccessToken, remembered from the instant of verification until the earliest of: the
   * token's exp, the end of validity of any gateway key valid now (the signing key is among them,
   * and a token is refused once its key has expired), and 5 minutes later. A clock that goes back
   * verifies again; failures are not cached. The same checks would pass again within that window
   * (signature, issuer, audience, typ and exp do not depend on anything else).
   */
  async function verifyCached(token: string): Promise<AccessTokenClaims> {
    const nowDate = now();
    const t = nowDate.getTime();
    const hit = tokenCache.get(token);
    if (hit && t >= hit.from && t < hit.until) return hit.claims;
    const claims = await verifyAccessToken(token, { keys, issuer: urls.issuer, audience: urls.fhirBase, now });
    let until = Math.min(claims.exp.getTime(), t + TOKEN_CACHE_AGE_MS);
    for (const k of keys.all) if (k.notAfter >= nowDate) until = Math.min(until, k.notAfter.getTime() + 1);
    if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.delete(tokenCache.keys().next().value as string);
    tokenCache.set(token, { claims: Object.freeze({ ...claims, scopes: Object.freeze([...claims.scopes]) as string[] }), from: t, until });
    return claims;
  }

  /** Bearer token → principal; a participant removed from the trust list loses access at once. */
  async function authenticate(token: string): Promise<Principal> {
    const claims = await verifyCached(token);
    return principalOf(claims.clientId, [...claims.scopes]);
  }

  /** The principal of a registered participant acting with its role's scopes (start-up demo, CLI). */
  function participantPrincipal(clientId: string): Principal {
    const p = trust.byClientId(clientId);
    if (!p) throw new TypeError(`no participant ${clientId} in the trust list`);
    return principalOf(clientId, [...trust.scopesFor(p.role)]);
  }

  return { issueToken, authenticate, participantPrincipal };
}
