/**
 * Content negotiation for the FHIR base (FHIR R4 http.html#mime-type): JSON only, as
 * application/fhir+json or application/json; `_format` overrides Accept. XML and other formats are
 * refused with 406 rather than answered in a format the client did not ask for.
 */
import type { Request, RequestHandler, Response } from 'express';
import { GatewayError } from '../errors.js';

const FORMATS: Record<string, string> = {
  json: 'application/fhir+json',
  'application/fhir+json': 'application/fhir+json',
  'application/json': 'application/json',
  'application/json+fhir': 'application/fhir+json',
};

function fromAccept(accept: string | undefined): string | undefined {
  if (!accept) return 'application/fhir+json';
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  for (const t of types) {
    if (t === 'application/fhir+json' || t === 'application/json+fhir') return 'application/fhir+json';
    if (t === 'application/json') return 'application/json';
    if (t === '*/*' || t === 'application/*') return 'application/fhir+json';
  }
  return undefined;
}

export function negotiate(): RequestHandler {
  return (req, res, next) => {
    const format = typeof req.query._format === 'string' ? FORMATS[req.query._format.toLowerCase()] : undefined;
    if (typeof req.query._format === 'string' && !format) {
      return next(new GatewayError('NOT_ACCEPTABLE', `_format=${req.query._format} is not supported; this server speaks FHIR JSON.`, { expression: '_format' }));
    }
    const type = format ?? fromAccept(req.get('accept'));
    if (!type) return next(new GatewayError('NOT_ACCEPTABLE', 'This server answers application/fhir+json or application/json only.'));
    res.locals.fhirType = type;
    next();
  };
}

export function sendResource(req: Request, res: Response, status: number, body: unknown): void {
  void req;
  sendJsonText(res, status, JSON.stringify(body));
}

/** Sends JSON text already made (exactly JSON.stringify of the resource) as sendResource would. */
export function sendJsonText(res: Response, status: number, text: string): void {
  const type = (res.locals.fhirType as string | undefined) ?? 'application/fhir+json';
  res.status(status).type(`${type}; charset=utf-8`).send(text);
}
