/**
 * The gateway: one object whose methods are the use cases, plain data in and out. The HTTP routes
 * and the CLI are thin adapters over it (ARCHITECTURE.md "The house in one picture").
 */
import type { GatewayDeps } from './deps.js';
import { documentUseCases } from './documents.js';
import { authUseCases } from './auth.js';
import { consentUseCases } from './consent.js';
import { consentReadUseCases } from './consent-read.js';
import { shlUseCases } from './shl.js';
import { validateUseCases } from './validate.js';
import { auditUseCases } from './audit.js';
import { translateUseCases } from './translate.js';
import { jwks, smartConfiguration } from '../trust/index.js';

export type { GatewayDeps } from './deps.js';
export type { RequestContext, Principal } from './context.js';

export function createGateway(deps: GatewayDeps) {
  return {
    documents: documentUseCases(deps),
    auth: authUseCases(deps),
    consent: consentUseCases(deps),
    consentReads: consentReadUseCases(deps),
    shl: shlUseCases(deps),
    validation: validateUseCases(deps),
    auditLog: auditUseCases(deps),
    translation: translateUseCases(deps),
    jwks: () => jwks(deps.keys, () => deps.clock.now()),
    smartConfiguration: () => smartConfiguration(deps.trust, { tokenUrl: deps.urls.token, jwksUrl: deps.urls.jwks, issuer: deps.urls.issuer }),
    async ready(): Promise<void> {
      await deps.store.ping();
    },
    close: () => deps.store.close(),
  };
}

export type Gateway = ReturnType<typeof createGateway>;
