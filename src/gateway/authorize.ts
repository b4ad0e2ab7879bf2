/**
 * Role checks shared by the use cases. Deny by default: no principal → 401, a principal of another
 * role → 403 (SMART Backend Services scopes are derived from the role in trust/).
 */
import { GatewayError } from '../errors.js';
import type { Principal, RequestContext, Role } from './context.js';

export function requireRole(ctx: RequestContext, roles: Role[]): Principal {
  const p = ctx.principal;
  if (!p) throw new GatewayError('UNAUTHENTICATED', 'An access token is required (SMART Backend Services, POST /auth/token).');
  if (!roles.includes(p.role)) throw new GatewayError('FORBIDDEN', `This interaction is not permitted for the role ${p.role}.`);
  return p;
}
