/**
 * POST /fhir/Bundle/$translate and GET|POST /fhir/ConceptMap/$translate.
 */
import { Router, type Request } from 'express';
import type { Gateway } from '../../gateway/index.js';
import type { HttpHelpers } from '../app.js';
import { sendResource } from '../negotiate.js';
import { bodyText } from './documents.js';
import { methodNotAllowed } from './method.js';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function translateRoutes(gateway: Gateway, h: HttpHelpers): Router {
  const r = Router();
  r.post('/Bundle/$translate', h.fhirBody, async (req, res) => {
    const out = await gateway.translation.translateDocument(
      { body: bodyText(req), contentType: req.get('content-type'), target: str(req.query.target), units: str(req.query.units) },
      h.context(req),
    );
    sendResource(req, res, 200, out);
  });
  r.all('/Bundle/$translate', methodNotAllowed('POST'));
  const code = (req: Request) => ({ system: str(req.query.system), code: str(req.query.code), target: str(req.query.target) });
  r.get('/ConceptMap/$translate', (req, res) => sendResource(req, res, 200, gateway.translation.translateCode(code(req), h.context(req))));
  r.all('/ConceptMap/$translate', methodNotAllowed('GET'));
  return r;
}
