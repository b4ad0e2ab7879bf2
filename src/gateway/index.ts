/**
 * The gateway: one object whose methods are the use cases, plain data in and out. The HTTP routes
 * and the CLI are thin adapters over it (ARCHITECTURE.md "The house in one picture").
 */
import type { GatewayDeps } from './deps.js';
import { documentUseCases } from './documents.js';

export type { GatewayDeps } from './deps.js';
export type { RequestContext, Principal } from './context.js';

export function createGateway(deps: GatewayDeps) {
  return {
    documents: documentUseCases(deps),
    async ready(): Promise<void> {
      await deps.store.ping();
    },
    close: () => deps.store.close(),
  };
}

export type Gateway = ReturnType<typeof createGateway>;
