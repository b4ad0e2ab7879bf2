/**
 * The one error renderer: every failure under /fhir (and the JSON APIs beside it) becomes an
 * OperationOutcome with the status from ERROR_TABLE and the request id. Unknown errors become a
 * generic 500 whose details go to the log only — never a stack trace or a library message.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../errors.js';
import { operationOutcome } from '../fhir/outcome.js';

/** Maps body-parser / express errors (which carry `type` or `status`) onto our codes. */
export function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  const e = err as { type?: string; status?: number; statusCode?: number };
  if (e?.type === 'entity.too.large') return new GatewayError('TOO_LARGE', 'The request body is larger than this server accepts.', { cause: err });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'The request body encoding is not supported; send UTF-8.', { cause: err });
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new GatewayError('BAD_REQUEST', 'The request could not be read.', { cause: err });
  }
  return new GatewayError('INTERNAL', 'An internal error occurred. Quote the X-Request-Id when reporting it.', { cause: err });
}

export function sendError(res: Response, err: unknown, log: Logger): void {
  const ge = toGatewayError(err);
  const requestId = String(res.getHeader('X-Request-Id') ?? '');
  if (ge.code === 'INTERNAL' || ge.status >= 500) log.error({ err: ge.cause ?? ge, requestId }, 'request failed');
  else if (ge.cause) log.debug({ err: ge.cause, requestId, code: ge.code }, 'request refused');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(ge.headers)) res.setHeader(k, v);
  res.status(ge.status).type('application/fhir+json; charset=utf-8').send(JSON.stringify({ ...operationOutcome(ge.issues), ...ge.details }));
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => sendError(res, err, log);
}
