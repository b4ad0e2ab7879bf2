/**
 * The express application: security headers, request ids, logging without record content, body
 * limits, content negotiation, authentication, the routes, and the one error renderer. Thin: each
 * route parses the request, makes one gateway call and sends the answer.
 */
import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { Gateway } from '../gateway/index.js';
import type { Principal, RequestContext } from '../gateway/context.js';
import { errorHandler } from './errors.js';
import { negotiate } from './negotiate.js';
import { documentRoutes } from './routes/documents.js';
import { metadataRoutes } from './routes/metadata.js';
import { authRoutes } from './routes/auth.js';
import { pagesRouter } from './pages/routes.js';
import { consentApiRoutes, consentFhirRoutes } from './routes/consent.js';
import { shlRoutes } from './routes/shl.js';
import { validateRoutes } from './routes/validate.js';
import { auditRoutes } from './routes/audit.js';
import { translateRoutes } from './routes/translate.js';

export interface AppOptions {
  log: Logger;
  bodyLimitBytes: number;
  publicBaseUrl: string;
  /** Extra routers mounted by later capabilities (auth, consent, pages …). */
  mount?: (app: Express, helpers: HttpHelpers) => void;
}

export interface HttpHelpers {
  context(req: Request): RequestContext;
  fhirBody: express.RequestHandler;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createApp(gateway: Gateway, options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.use(helmet());
  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Path only: query strings may carry patient identifiers, which never go to the log.
      options.log.info(
        { requestId: id, method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'request',
      );
    });
    next();
  });

  const fhirBody = express.raw({ type: () => true, limit: options.bodyLimitBytes });
  const context = (req: Request): RequestContext => ({
    requestId: String(req.res?.getHeader('X-Request-Id') ?? ''),
    sourceAddress: req.socket.remoteAddress,
    principal: req.res?.locals.principal as Principal | undefined,
  });
  const helpers: HttpHelpers = { context, fhirBody };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await gateway.ready();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  app.use(authRoutes(gateway, helpers, options.log));
  app.use(pagesRouter());
  app.use('/fhir', negotiate());
  const bearer: express.RequestHandler = async (req, res, next) => {
    const auth = req.get('authorization');
    if (!auth) return next();
    const m = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)$/i.exec(auth);
    if (!m) {
      return next(new GatewayError('TOKEN_INVALID', 'The Authorization header must be "Bearer <access token>".', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }));
    }
    try {
      res.locals.principal = await gateway.auth.authenticate(m[1]!);
      next();
    } catch (e) {
      next(e);
    }
  };
  app.use('/fhir', bearer);
  app.use('/api/admin', bearer);
  // Consent links and the patient's JSON APIs (issue 6): spec-shaped answers, not FHIR.
  app.use(shlRoutes(gateway, helpers, options.log));
  app.use('/api', consentApiRoutes(gateway, helpers));
  options.mount?.(app, helpers);
  app.use('/fhir', metadataRoutes(gateway, options.publicBaseUrl));
  app.use('/fhir', validateRoutes(gateway, helpers));
  app.use('/fhir', auditRoutes(gateway, helpers));
  app.use('/fhir', translateRoutes(gateway, helpers));
  app.use('/fhir', consentFhirRoutes(gateway, helpers));
  app.use('/fhir', documentRoutes(gateway, helpers));

  app.use('/fhir', (req, _res, next) => {
    next(new GatewayError('NOT_FOUND', `No route for ${req.method} ${req.baseUrl}${req.path}.`));
  });
  app.use((req, _res, next) => next(new GatewayError('NOT_FOUND', `No route for ${req.method} ${req.path}.`)));
  app.use(errorHandler(options.log));
  return app;
}
