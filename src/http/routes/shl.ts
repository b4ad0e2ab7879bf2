/**
 * SMART Health Links endpoints (links-specification): `POST /shl/{segment}` (manifest) and
 * `GET /shl-file/{segment}` (single-use encrypted file, `application/jose`).
 *
 * Spec answers, not OperationOutcomes: 404 with a plain body for every inactive/unknown/expired
 * link, 401 `{"remainingAttempts": n}` for a wrong passcode, 400 for a malformed request. CORS is
 * open (`Access-Control-Allow-Origin: *`): SHL viewers run in any origin's browser.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Gateway } from '../../gateway/index.js';
import type { HttpHelpers } from '../app.js';
import { toGatewayError } from '../errors.js';

const SEGMENT = /^[A-Za-z0-9_-]{43}$/;

const cors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', 'no-store');
  // helmet's same-origin resource policy would stop cross-origin viewers from reading the answer.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.status(204).end();
    return;
  }
  next();
};

export function shlRoutes(gateway: Gateway, h: HttpHelpers, log: Logger): Router {
  const r = Router();
  r.use(['/shl', '/shl-file'], cors);
  r.post('/shl/:segment', express.json({ limit: '16kb', strict: true }), async (req, res) => {
    if (!SEGMENT.test(req.params.segment)) return void res.status(404).type('text/plain').send('Not Found');
    const manifest = await gateway.shl.manifest(req.params.segment, req.body, req.get('accept-language'), h.context(req));
    res.json(manifest);
  });
  r.get('/shl-file/:segment', async (req, res) => {
    if (!SEGMENT.test(req.params.segment)) return void res.status(404).type('text/plain').send('Not Found');
    const jwe = await gateway.shl.file(req.params.segment, req.get('accept-language'), h.context(req));
    res.type('application/jose').send(jwe);
  });
  const shlErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    const ge = toGatewayError(err);
    if (ge.status >= 500) log.error({ err: ge.cause ?? ge }, 'SHL endpoint failed');
    if (ge.code === 'PASSCODE_WRONG') return void res.status(401).json({ remainingAttempts: ge.details.remainingAttempts ?? 0 });
    if (ge.code === 'NOT_FOUND') return void res.status(404).type('text/plain').send('Not Found');
    if (ge.status < 500) return void res.status(ge.status).json({ error: ge.code, message: ge.message });
    res.status(ge.status).json({ error: 'INTERNAL' });
  };
  r.use(['/shl', '/shl-file'], shlErrors);
  return r;
}
