/**
 * /fhir/Bundle: submit (POST), read (GET /{id}) and search (GET ?identifier= | ?patient.identifier=).
 * A provider's GET goes to the consent-token reads (header X-Consent-Token, optional Accept-Language).
 */
import { Router, type Request } from 'express';
import { GatewayError } from '../../errors.js';
import type { Gateway } from '../../gateway/index.js';
import { deliveredJson } from '../../gateway/delivery-cache.js';
import { operationOutcome } from '../../fhir/outcome.js';
import type { HttpHelpers } from '../app.js';
import { sendJsonText, sendResource } from '../negotiate.js';
import { methodNotAllowed } from './method.js';
import { parseSearch } from '../search-params.js';

type EtagFn = (body: Buffer, encoding?: string) => string | undefined;
/** Per delivered (frozen) Bundle: its JSON as UTF-8 bytes and the ETag express makes of them. */
const wireBodies = new WeakMap<object, { body: Buffer; etag: string | undefined; by: EtagFn | undefined }>();

/**
 * The bytes and ETag of a delivery of the delivery cache, made once per delivery instead of on
 * every response (express would convert the ~24 KB text to a Buffer and SHA-1 it per request);
 * undefined for a Bundle the cache did not deliver. The ETag is the app's own `etag fn` applied to
 * the same bytes, so the header is exactly the one `res.send(text)` would set.
 */
function wireBody(bundle: object, etagFn: EtagFn | undefined): { body: Buffer; etag: string | undefined } | undefined {
  const known = wireBodies.get(bundle);
  if (known && known.by === etagFn) return known;
  const text = deliveredJson(bundle);
  if (text === undefined) return undefined;
  const body = Buffer.from(text, 'utf8');
  const made = { body, etag: etagFn ? etagFn(body) : undefined, by: etagFn };
  wireBodies.set(bundle, made);
  return made;
}

export function bodyText(req: Request): string {
  return Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
}

export function documentRoutes(gateway: Gateway, h: HttpHelpers): Router {
  const r = Router();

  r.post('/Bundle', h.fhirBody, async (req, res) => {
    const result = await gateway.documents.submit({ body: bodyText(req), contentType: req.get('content-type') }, h.context(req));
    const { id, versionId } = result.document;
    res.setHeader('Location', `${req.baseUrl}/Bundle/${id}/_history/${versionId}`);
    res.setHeader('ETag', `W/"${versionId}"`);
    res.setHeader('Last-Modified', new Date(result.document.lastUpdated).toUTCString());
    if (result.issues.length && req.get('prefer')?.includes('return=OperationOutcome')) {
      return sendResource(req, res, result.status, operationOutcome(result.issues));
    }
    // The text the store just wrote is JSON.stringify of this resource: sent as is (ports.ts).
    const text = result.document.resourceJson;
    if (text !== undefined) return sendJsonText(res, result.status, text);
    sendResource(req, res, result.status, result.document.resource);
  });

  /** $convert: a WS/T 500.53 CDA (or FHIR JSON) → the FHIR document, not stored. */
  r.post('/$convert', h.fhirBody, async (req, res) => {
    const { resource, issues } = await gateway.documents.convert({ body: bodyText(req), contentType: req.get('content-type') }, h.context(req));
    sendResource(req, res, 200, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'output', resource },
        { name: 'issues', resource: operationOutcome(issues) },
      ],
    });
  });
  r.all('/$convert', methodNotAllowed('POST'));

  r.get('/Bundle', async (req, res) => {
    const params = parseSearch(req.query, {
      identifier: 'token',
      'composition.patient.identifier': 'token',
      'patient.identifier': 'token',
    });
    const self = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
    const ctx = h.context(req);
    if (ctx.principal?.role === 'provider') {
      // Overseas providers read only under a consent token (issue 6); refusals are 404 alike.
      const patient = params.tokens['composition.patient.identifier'] ?? params.tokens['patient.identifier'];
      const found = await gateway.consentReads.search(patient, params, req.get('x-consent-token'), req.get('accept-language'), ctx, self);
      return sendResource(req, res, 200, found);
    }
    const bundle = await gateway.documents.search(
      {
        identifier: params.tokens.identifier,
        patientIdentifier: params.tokens['composition.patient.identifier'] ?? params.tokens['patient.identifier'],
        count: params.count,
        offset: params.offset,
      },
      h.context(req),
      self,
    );
    sendResource(req, res, 200, bundle);
  });

  r.get('/Bundle/:id', async (req, res) => {
    const id = req.params.id;
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw new GatewayError('NOT_FOUND', 'Bundle id is not valid.', { expression: 'id' });
    const ctx = h.context(req);
    if (ctx.principal?.role === 'provider') {
      const bundle = await gateway.consentReads.read(id, req.get('x-consent-token'), req.get('accept-language'), ctx);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Language', (bundle.language as string | undefined) ?? 'und');
      // A cached delivery's JSON text was made once (delivery-cache.ts): sent as is, same bytes,
      // its UTF-8 bytes and ETag made once too (the response is exactly what send(text) makes).
      const wire = wireBody(bundle, req.app.get('etag fn') as EtagFn | undefined);
      if (!wire) return sendResource(req, res, 200, bundle);
      res.status(200).type(`${(res.locals.fhirType as string | undefined) ?? 'application/fhir+json'}; charset=utf-8`);
      if (wire.etag) res.setHeader('ETag', wire.etag);
      return res.send(wire.body);
    }
    const doc = await gateway.documents.read(id, ctx);
    res.setHeader('ETag', `W/"${doc.versionId}"`);
    res.setHeader('Last-Modified', new Date(doc.lastUpdated).toUTCString());
    sendResource(req, res, 200, doc.resource);
  });

  r.all('/Bundle', methodNotAllowed('GET', 'POST'));
  r.all('/Bundle/:id', methodNotAllowed('GET'));
  return r;
}
