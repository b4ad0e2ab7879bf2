/**
 * GET /fhir/AuditEvent: FHIR search over the audit log, admins only.
 */
import { Router } from 'express';
import type { Gateway } from '../../gateway/index.js';
import type { HttpHelpers } from '../app.js';
import { sendResource } from '../negotiate.js';
import { methodNotAllowed } from './method.js';

export function auditRoutes(gateway: Gateway, h: HttpHelpers): Router {
  const r = Router();
  r.get('/AuditEvent', async (req, res) => {
    const params = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    params.delete('_format');
    const self = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
    sendResource(req, res, 200, await gateway.auditLog.search(params, h.context(req), self));
  });
  r.all('/AuditEvent', methodNotAllowed('GET'));
  return r;
}
