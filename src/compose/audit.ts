/**
 * The audit writer the use cases call: turns a use case's note plus the request context into
 * BALP facts, builds the AuditEvent and links it onto the hash chain inside the caller's
 * transaction (issue 7: the entry commits with the act; if it cannot be written the act fails).
 */
import { buildAuditEvent, type AuditActor, type AuditObserver } from '../audit/events.js';
import { chainLink } from '../audit/chain.js';
import type { Principal } from '../gateway/context.js';
import type { AuditNote } from '../gateway/deps.js';
import type { Stores } from '../store/ports.js';

function actorOf(p: Principal | undefined, linkRecipient: string | undefined): AuditActor {
  return {
    ...(p ? { participantId: p.clientId, organization: p.organization, organizationName: p.organizationName, country: p.country, role: p.role } : {}),
    ...(linkRecipient !== undefined ? { linkRecipient } : {}),
  };
}

export function createAuditWriter(deps: { clock: { now(): Date }; observer: AuditObserver }) {
  return async (tx: Stores, note: AuditNote): Promise<void> => {
    const { ctx, linkRecipient, ...rest } = note;
    const event = buildAuditEvent(
      {
        ...rest,
        recorded: deps.clock.now().toISOString(),
        requestId: ctx.requestId,
        actor: actorOf(ctx.principal, linkRecipient),
        ...(ctx.sourceAddress ? { sourceAddress: ctx.sourceAddress } : {}),
      },
      deps.observer,
    );
    await tx.audit.appendChained(chainLink(event));
  };
}
