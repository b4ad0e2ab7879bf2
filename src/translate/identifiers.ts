/**
 * Identifier policy for a delivered document (PIPL art. 28 sensitive data; art. 6 minimisation).
 * The resident ID number (居民身份证号, `urn:oid:2.16.156.10011.1.3`, GB 11643) is national and
 * lifelong: by default it does not leave China. Per destination, the configured policy decides:
 *   remove    – the identifier is dropped (default);
 *   pseudonym – replaced by a gateway pseudonym: HMAC-SHA256(secret, value) base64url, system
 *               `https://emr-gateway.example.org/fhir/sid/pseudonym` (RFC 2104; stable per secret,
 *               so a recipient can link documents of one patient without learning the number);
 *   keep      – kept as sent, ONLY when the patient's consent allows it (the caller decides).
 * Passports, hospital record numbers (.1.13) and inpatient numbers (.1.12) are always kept.
 *
 * Invariants: the HMAC secret is injected (never generated here); the resident ID value is also
 * redacted from narrative text when it is not kept (see narrative.ts).
 */
import { createHmac } from 'node:crypto';

export const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
export const PSEUDONYM_SYSTEM = 'https://emr-gateway.example.org/fhir/sid/pseudonym';

export type ResidentIdPolicy = 'remove' | 'pseudonym' | 'keep';
export interface IdentifierPolicy {
  residentId: ResidentIdPolicy;
}
export const DEFAULT_IDENTIFIER_POLICY: IdentifierPolicy = Object.freeze({ residentId: 'remove' });

type Obj = Record<string, unknown>;

export function isResidentId(id: unknown): boolean {
  return typeof id === 'object' && id !== null && (id as Obj).system === RESIDENT_ID_SYSTEM;
}

export function pseudonym(secret: Uint8Array | string, value: string): string {
  return createHmac('sha256', secret).update(`${RESIDENT_ID_SYSTEM}|${value}`).digest('base64url');
}

export interface IdentifierResult {
  identifiers: unknown[];
  /** Index in the source array → what was done. */
  actions: { index: number; action: 'removed' | 'pseudonymised' | 'kept' }[];
  /** Resident ID values that left the document (to redact from narrative). */
  hidden: string[];
}

/** Apply the policy to one `identifier` array; returns a new array (never mutates `ids`). */
export function applyIdentifierPolicy(ids: readonly unknown[], policy: IdentifierPolicy, secret: Uint8Array | string): IdentifierResult {
  const out: unknown[] = [];
  const actions: IdentifierResult['actions'] = [];
  const hidden: string[] = [];
  ids.forEach((id, index) => {
    if (!isResidentId(id)) {
      out.push(id);
      return;
    }
    const value = (id as Obj).value;
    if (policy.residentId === 'keep') {
      out.push(id);
      actions.push({ index, action: 'kept' });
      return;
    }
    if (typeof value === 'string' && value.length > 0) hidden.push(value);
    if (policy.residentId === 'pseudonym' && typeof value === 'string' && value.length > 0) {
      out.push({ use: 'secondary', system: PSEUDONYM_SYSTEM, value: pseudonym(secret, value) });
      actions.push({ index, action: 'pseudonymised' });
    } else actions.push({ index, action: 'removed' });
  });
  return { identifiers: out, actions, hidden };
}
