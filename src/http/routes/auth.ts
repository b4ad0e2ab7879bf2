/**
 * SMART Backend Services endpoints: POST /auth/token (RFC 6749 §4.4 with an RFC 7523 client
 * assertion), GET /.well-known/smart-configuration and GET /.well-known/jwks.json. Token errors
 * are OAuth JSON ({error, error_description}, RFC 6749 §5.2), not OperationOutcomes, because OAuth
 * clients read that shape.
 */
import express, { Router, type ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { toGatewayError } from '../errors.js';
import type { Gateway } from '../../gateway/index.js';
import type { HttpHelpers } from '../app.js';
import { methodNotAllowed } from './method.js';

export function authRoutes(gateway: Gateway, h: HttpHelpers, log: Logger): Router {
  const r = Router();
  r.get('/.well-known/smart-configuration', (_req, res) => {
    res.json(gateway.smartConfiguration());
  });
  r.get('/.well-known/jwks.json', (_req, res) => {
    res.type('application/jwk-set+json').send(JSON.stringify(gateway.jwks()));
  });
  r.post('/auth/token', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    const token = await gateway.auth.issueToken(
      { grant_type: text('grant_type'), client_assertion_type: text('client_assertion_type'), client_assertion: text('client_assertion'), scope: text('scope') },
      h.context(req),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.json(token);
  });
  r.all('/auth/token', methodNotAllowed('POST'));
  const oauthErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    const ge = toGatewayError(err);
    if (ge.status >= 500) log.error({ err: ge.cause ?? ge }, 'token endpoint failed');
    const error = (ge.details.error as string | undefined) ?? (ge.status === 401 ? 'invalid_client' : 'invalid_request');
    for (const [k, v] of Object.entries(ge.headers)) res.setHeader(k, v);
    res.setHeader('Cache-Control', 'no-store');
    res.status(error === 'invalid_client' ? 401 : ge.status >= 500 ? ge.status : 400).json({ error, error_description: ge.message });
  };
  r.use('/auth', oauthErrors);
  return r;
}
