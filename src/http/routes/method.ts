/**
 * 405 for a known path with a method it does not support (RFC 9110 §15.5.6: with Allow).
 */
import type { RequestHandler } from 'express';
import { GatewayError } from '../../errors.js';

export function methodNotAllowed(...allowed: string[]): RequestHandler {
  return (req, _res, next) =>
    next(new GatewayError('METHOD_NOT_ALLOWED', `${req.method} is not supported here; use ${allowed.join(' or ')}.`, { headers: { Allow: allowed.join(', ') } }));
}
