/**
 * Consent over FHIR (`/fhir/Consent…`) and the JSON APIs the patient's pages call (`/api/…`).
 *
 * FHIR: `POST /Consent/$grant`, `POST /Consent/$invite`, `POST /Consent/$emergency`,
 * `POST /Consent/{id}/$revoke`, `GET /Consent/{id}`, `GET /Consent?patient.identifier=`.
 * JSON: `GET /api/invitations/current` + `POST /api/invitations/grant` (header `X-Invitation`),
 * `GET /api/manage` + `POST /api/manage/revoke` (header `X-Management-Secret`),
 * `GET /api/admin/exports` (admin bearer token). Secrets come only in headers (the pages read them
 * from the URL fragment, which never reaches a server or its logs); answers are `no-store`.
 */
import express, { Router, type Request } from 'express';
import { GatewayError } from '../../errors.js';
import { parseJsonResource } from '../../fhir/json.js';
import type { Gateway } from '../../gateway/index.js';
import type { HttpHelpers } from '../app.js';
import { sendResource } from '../negotiate.js';
import { parseSearch } from '../search-params.js';
import { methodNotAllowed } from './method.js';
import { bodyText } from './documents.js';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

function fhirJson(req: Request): unknown {
  return parseJsonResource(bodyText(req));
}

export function consentFhirRoutes(gateway: Gateway, h: HttpHelpers): Router {
  const r = Router();
  const self = (req: Request) => `${req.protocol}://${req.get('host')}${req.originalUrl}`;

  r.post('/Consent/:op', h.fhirBody, async (req, res) => {
    const op = req.params.op;
    if (op === '$grant') {
      const out = await gateway.consent.grant(fhirJson(req), h.context(req));
      res.setHeader('Location', `${req.baseUrl}/Consent/${out.consent.id}/_history/${out.consent.versionId}`);
      res.setHeader('Cache-Control', 'no-store');
      return sendResource(req, res, 201, out.parameters);
    }
    if (op === '$invite') {
      const out = await gateway.consent.invite(fhirJson(req), h.context(req));
      res.setHeader('Cache-Control', 'no-store');
      return sendResource(req, res, 200, out.parameters);
    }
    if (op === '$emergency') {
      const bundle = await gateway.consentReads.emergency(fhirJson(req), req.get('accept-language'), h.context(req), self(req));
      res.setHeader('Cache-Control', 'no-store');
      return sendResource(req, res, 200, bundle);
    }
    throw new GatewayError('NOT_FOUND', `No operation ${op} on Consent.`);
  });

  r.post('/Consent/:id/:op', async (req, res) => {
    if (req.params.op !== '$revoke' || !ID.test(req.params.id)) throw new GatewayError('NOT_FOUND', 'No such Consent operation.');
    const rec = await gateway.consent.revoke(req.params.id, h.context(req));
    sendResource(req, res, 200, rec.resource);
  });

  r.get('/Consent', async (req, res) => {
    const params = parseSearch(req.query, { 'patient.identifier': 'token', patient: 'token' });
    const bundle = await gateway.consent.search(
      params.tokens['patient.identifier'] ?? params.tokens.patient,
      { count: params.count, offset: params.offset },
      h.context(req),
      self(req),
    );
    sendResource(req, res, 200, bundle);
  });

  r.get('/Consent/:id', async (req, res) => {
    if (!ID.test(req.params.id)) throw new GatewayError('NOT_FOUND', 'Consent id is not valid.');
    const rec = await gateway.consent.read(req.params.id, h.context(req));
    res.setHeader('ETag', `W/"${rec.versionId}"`);
    sendResource(req, res, 200, rec.resource);
  });

  r.all('/Consent', methodNotAllowed('GET'));
  return r;
}

export function consentApiRoutes(gateway: Gateway, h: HttpHelpers): Router {
  const r = Router();
  const json = express.json({ limit: '64kb', strict: true });
  r.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  r.get('/invitations/current', async (req, res) => {
    res.json(await gateway.consent.invitationChoices(req.get('x-invitation'), h.context(req)));
  });
  r.post('/invitations/grant', json, async (req, res) => {
    res.status(201).json(await gateway.consent.grantByInvitation(req.get('x-invitation'), req.body, h.context(req)));
  });
  r.get('/manage', async (req, res) => {
    res.json(await gateway.consent.manageView(req.get('x-management-secret'), h.context(req)));
  });
  r.post('/manage/revoke', json, async (req, res) => {
    const body = (req.body ?? {}) as { consentId?: unknown };
    res.json(await gateway.consent.manageRevoke(req.get('x-management-secret'), body.consentId, h.context(req)));
  });
  r.get('/admin/exports', async (req, res) => {
    res.json(await gateway.consent.exportCounts(h.context(req)));
  });
  return r;
}
