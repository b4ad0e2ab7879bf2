/**
 * GET /fhir/metadata: the CapabilityStatement (FHIR R4 capabilitystatement.html), public.
 */
import { Router } from 'express';
import type { Gateway } from '../../gateway/index.js';
import { sendResource } from '../negotiate.js';
import { capabilityStatement } from '../capability.js';
import { methodNotAllowed } from './method.js';

export function metadataRoutes(gateway: Gateway, baseUrl: string): Router {
  void gateway;
  const r = Router();
  const statement = capabilityStatement(baseUrl);
  r.get('/metadata', (req, res) => sendResource(req, res, 200, statement));
  r.all('/metadata', methodNotAllowed('GET'));
  return r;
}
