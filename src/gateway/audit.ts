/**
 * Reading the audit log (issue 7): `GET /fhir/AuditEvent` for admins only (403 for other roles),
 * and the signed checkpoints the server writes at an interval and at shutdown.
 */
import { parseAuditSearch, type SearchInput } from '../audit/search.js';
import { signCheckpoint } from '../audit/checkpoint.js';
import type { Bundle } from '../fhir/types.js';
import type { RequestContext } from './context.js';
import type { GatewayDeps } from './deps.js';
import { requireRole } from './authorize.js';
import { searchsetBundle } from './searchset.js';

export function auditUseCases(deps: GatewayDeps) {
  async function search(params: SearchInput, ctx: RequestContext, selfUrl: string): Promise<Bundle> {
    requireRole(ctx, ['admin']);
    const query = parseAuditSearch(params);
    const { total, records } = await deps.store.audit.search(query);
    await deps.store.withTransaction((tx) => deps.audit(tx, { action: 'search', outcome: 'success', ctx, query: new URL(selfUrl).search }));
    return searchsetBundle(
      records.map((r) => r.event),
      total,
      { count: query.count, offset: query.offset },
      selfUrl,
      deps.clock.now(),
      deps.ids.newId(),
    );
  }

  /** Signs the current head (sequence number, head hash, time) with the gateway key. */
  async function checkpoint(): Promise<void> {
    const head = await deps.store.audit.head();
    const { kid, alg, privateKey } = deps.keys.current;
    const cp = await signCheckpoint(head, deps.clock.now(), { key: privateKey, kid, alg });
    await deps.store.audit.addCheckpoint(cp);
  }

  return { search, checkpoint };
}
