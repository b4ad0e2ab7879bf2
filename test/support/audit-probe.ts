/**
 * Sends one request with a known `X-Request-Id` and reports the audit entries it left, read back
 * through `GET /fhir/AuditEvent` (admin), for the route audit-coverage test.
 *
 * How "new" is proven: right before the request, the entries carrying that request id (BALP
 * `XrequestId` entity, searchable as `entity=<id>`) must be none, and the count of entries with the
 * expected gateway subtype is noted; afterwards the entry must carry the id and the subtype count
 * must have grown. Reading after the response also checks that the entry is durable before the
 * answer is sent (issue 7 "written with the act").
 */
import { randomUUID } from 'node:crypto';
import { AUDIT_SUBTYPE_SYSTEM, type AuditAction } from '../../src/audit/codes.js';

/** One audited call: `fetch` sends the request under test (only once) with the request id. */
export interface ProbeCall {
  readonly requestId: string;
  /** A path (`/fhir/…`, `/shl/…`) is taken relative to the server; a full URL is used as is. */
  fetch(target: string, init?: RequestInit): Promise<Response>;
}

export interface AuditSeen {
  requestId: string;
  /** Gateway subtype codes (action, then operation if any) of each entry with the request id. */
  entries: { id: string; codes: string[]; outcome: string; requestIds: string[] }[];
  subtypeBefore: number;
  subtypeAfter: number;
  status: number;
  /** X-Request-Id the gateway answered with (it echoes a well-formed one). */
  echoedRequestId: string | null;
  /** Start of the answer body, for failure messages. */
  bodyStart: string;
}

async function auditSearch(base: string, adminToken: string, query: string): Promise<{ total: number; events: any[] }> {
  const res = await fetch(`${base}/AuditEvent?${query}`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status !== 200) throw new Error(`audit search ${query} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const b = (await res.json()) as { total?: number; entry?: { resource: any }[] };
  return { total: b.total ?? 0, events: (b.entry ?? []).map((e) => e.resource) };
}

const subtypeQuery = (action: AuditAction) => `subtype=${encodeURIComponent(`${AUDIT_SUBTYPE_SYSTEM}|${action}`)}`;

function describeEvent(e: any) {
  return {
    id: String(e.id),
    codes: (e.subtype ?? []).filter((c: any) => c.system === AUDIT_SUBTYPE_SYSTEM).map((c: any) => String(c.code)),
    outcome: String(e.outcome),
    requestIds: (e.entity ?? [])
      .filter((en: any) => (en.type?.code ?? '') === 'XrequestId')
      .map((en: any) => String(en.what?.identifier?.value)),
  };
}

/**
 * Runs `request` (which may first set up state with its own, unrelated requests) and returns what
 * the audit log holds for the one request sent through `call.fetch`.
 */
export async function probeAudit(
  server: { url: string; base: string },
  adminToken: string,
  action: AuditAction,
  request: (call: ProbeCall) => Promise<Response>,
): Promise<AuditSeen> {
  const requestId = `audit-cov-${randomUUID()}`;
  let subtypeBefore = -1;
  let sent: Response | undefined;
  const call: ProbeCall = {
    requestId,
    async fetch(target, init = {}) {
      if (sent) throw new TypeError('a probe sends exactly one audited request');
      const before = await auditSearch(server.base, adminToken, `entity=${requestId}&_count=1000`);
      if (before.events.length) throw new Error(`request id ${requestId} is already in the audit log`);
      subtypeBefore = (await auditSearch(server.base, adminToken, `${subtypeQuery(action)}&_count=0`)).total;
      const headers = new Headers(init.headers);
      headers.set('x-request-id', requestId);
      sent = await fetch(target.startsWith('/') ? `${server.url}${target}` : target, { ...init, headers });
      return sent;
    },
  };
  const response = await request(call);
  if (!sent || response !== sent) throw new TypeError('the case must send its request with call.fetch and return that response');
  // Consume the body so the connection is released before the audit log is read.
  const bodyStart = (await response.text()).slice(0, 400);
  const after = await auditSearch(server.base, adminToken, `entity=${requestId}&_count=1000`);
  const subtypeAfter = (await auditSearch(server.base, adminToken, `${subtypeQuery(action)}&_count=0`)).total;
  return { requestId, entries: after.events.map(describeEvent), subtypeBefore, subtypeAfter, status: response.status, echoedRequestId: response.headers.get('x-request-id'), bodyStart };
}
