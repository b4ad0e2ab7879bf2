/**
 * SMART App Launch v2 scopes for system clients (SMART Backend Services): which scopes each role
 * receives, how a requested `scope` is narrowed, and whether a granted set allows an interaction.
 *
 * Scope syntax (SMART v2, https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
 * `system/<ResourceType|*>.<c r u d s in that order>`. v1 suffixes `.read` (= rs), `.write`
 * (= cud) and `.*` (= cruds) are understood when checking. Scopes with `?` query constraints are
 * never granted: the gateway does not enforce them. `gateway/trust-list.write` is the gateway's own
 * (non-FHIR) scope for the trust-list admin API.
 *
 * Invariants: deny by default — an unknown scope or interaction allows nothing; defaults are data
 * (a trust list file may override them per role, see trust-list.ts).
 */
import { GatewayError } from '../errors.js';

export type Role = 'hospital' | 'provider' | 'admin';
export const ROLES: readonly Role[] = ['hospital', 'provider', 'admin'];
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';
export const TRUST_LIST_ADMIN_SCOPE = 'gateway/trust-list.write';

/**
 * Hospitals submit and replace documents and manage their patients' consents; overseas providers
 * only read what a consent lets them see; admins read everything and administer the trust list.
 */
export const DEFAULT_ROLE_SCOPES: Readonly<Record<Role, readonly string[]>> = Object.freeze({
  hospital: Object.freeze([
    'system/Bundle.crus', 'system/Consent.crus', 'system/Patient.rs', 'system/DocumentReference.rs',
    'system/AuditEvent.rs', 'system/Provenance.rs',
  ]),
  provider: Object.freeze([
    'system/Bundle.rs', 'system/Consent.rs', 'system/Patient.rs', 'system/DocumentReference.rs', 'system/Provenance.rs',
  ]),
  admin: Object.freeze(['system/*.rs', 'system/Organization.cru', TRUST_LIST_ADMIN_SCOPE]),
});

interface ParsedScope {
  type: string;
  perms: Set<Interaction>;
}

const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };

export function parseScope(scope: string): ParsedScope | undefined {
  const m = /^system\/([A-Za-z]+|\*)\.([a-z*]+)$/.exec(scope);
  if (!m) return undefined;
  const letters = V1[m[2]!] ?? m[2]!;
  if (!/^c?r?u?d?s?$/.test(letters) || !letters) return undefined;
  return { type: m[1]!, perms: new Set(letters.split('') as Interaction[]) };
}

/** True when `granted` lets a system client perform `interaction` on `resourceType`. */
export function scopeAllows(granted: readonly string[], resourceType: string, interaction: Interaction): boolean {
  return granted.some((s) => {
    const p = parseScope(s);
    return !!p && (p.type === '*' || p.type === resourceType) && p.perms.has(interaction);
  });
}

function covers(allowed: string, requested: string): boolean {
  if (allowed === requested) return true;
  const a = parseScope(allowed);
  const r = parseScope(requested);
  if (!a || !r || (a.type !== '*' && a.type !== r.type)) return false;
  return [...r.perms].every((p) => a.perms.has(p));
}

/**
 * Scopes to grant for a token request: all of the role's scopes when none are requested, else the
 * requested ones that the role covers (a server may grant fewer than asked, RFC 6749 §3.3).
 * Nothing grantable → `INVALID_PARAMETER` with `details.error = 'invalid_scope'`.
 */
export function grantScopes(allowed: readonly string[], requested?: string): string[] {
  if (requested === undefined || requested.trim() === '') return [...allowed];
  const granted = [...new Set(requested.trim().split(/\s+/))].filter((r) => allowed.some((a) => covers(a, r)));
  if (!granted.length) {
    throw new GatewayError('INVALID_PARAMETER', 'None of the requested scopes can be granted to this client.', {
      details: { error: 'invalid_scope' },
    });
  }
  return granted;
}
