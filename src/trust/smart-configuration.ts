/**
 * The `/.well-known/smart-configuration` document (SMART App Launch 2.x, "Conformance"
 * https://hl7.org/fhir/smart-app-launch/conformance.html) advertising SMART Backend Services:
 * client_credentials with private_key_jwt assertions signed RS384 or ES384.
 *
 * Invariant: scopes_supported is derived from the trust list's role scopes, so the document never
 * advertises a scope no role can receive.
 */
import { ROLES } from './scopes.js';
import type { TrustList } from './trust-list.js';
import { CLIENT_ASSERTION_ALGORITHMS } from './tokens.js';

export interface SmartConfigurationOptions {
  /** Absolute URL of POST /auth/token. */
  tokenUrl: string;
  /** Absolute URL of GET /.well-known/jwks.json. */
  jwksUrl: string;
  issuer?: string;
}

export function smartConfiguration(trust: TrustList, opts: SmartConfigurationOptions): Record<string, unknown> {
  const scopes = [...new Set(ROLES.flatMap((r) => trust.scopesFor(r)))];
  return {
    ...(opts.issuer ? { issuer: opts.issuer } : {}),
    jwks_uri: opts.jwksUrl,
    token_endpoint: opts.tokenUrl,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    scopes_supported: scopes,
    capabilities: ['client-confidential-asymmetric', 'permission-v2'],
  };
}
