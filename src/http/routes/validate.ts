/**
 * POST /fhir/$validate and POST /fhir/{type}/$validate: 200 with the OperationOutcome (errors
 * included), `profile` as a query parameter or a Parameters member.
 */
import { Router, type Request } from 'express';
import type { Gateway } from '../../gateway/index.js';
import { operationOutcome } from '../../fhir/outcome.js';
import type { HttpHelpers } from '../app.js';
import { sendResource } from '../negotiate.js';
import { bodyText } from './documents.js';
import { methodNotAllowed } from './method.js';

function profilesOf(req: Request): string[] {
  const p = req.query.profile;
  return (Array.isArray(p) ? p : p === undefined ? [] : [p]).filter((x): x is string => typeof x === 'string');
}

export function validateRoutes(gateway: Gateway, h: HttpHelpers): Router {
  const r = Router();
  const handle = (type?: string) => async (req: Request, res: Parameters<Parameters<Router['post']>[1]>[1]) => {
    const result = await gateway.validation.validate(
      { body: bodyText(req), contentType: req.get('content-type'), profiles: profilesOf(req), ...(type ? { type } : {}) },
      h.context(req),
    );
    sendResource(req, res, 200, operationOutcome(result.issues));
  };
  r.post('/$validate', h.fhirBody, handle());
  r.post('/:type/$validate', h.fhirBody, (req, res) => handle(req.params.type as string)(req, res));
  r.all('/$validate', methodNotAllowed('POST'));
  return r;
}
