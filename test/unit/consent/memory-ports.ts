// In-memory implementation of the consent ports for unit tests. Each method does its whole
// read-modify-write synchronously (no await in between), which is what one SQL statement gives
// the real adapter: the atomicity the ports document.
import type { ConsentPorts, ConsentRecord, FileTicket, InvitationRecord, LinkRecord } from '../../../src/consent/ports.js';

export function memoryPorts(): ConsentPorts & { _links: Map<string, LinkRecord>; _versions: ConsentRecord[] } {
  const versions: ConsentRecord[] = [];
  const links = new Map<string, LinkRecord>();
  const tickets = new Map<string, FileTicket>();
  const invitations = new Map<string, InvitationRecord>();
  const ledger = new Set<string>();
  const current = (id: string) => versions.filter((v) => v.id === id).sort((a, b) => b.versionId - a.versionId)[0];
  return {
    _links: links,
    _versions: versions,
    consents: {
      async saveVersion(r) {
        if (versions.some((v) => v.id === r.id && v.versionId === r.versionId)) throw new Error('conflict');
        versions.push(structuredClone(r));
      },
      async getCurrent(id) {
        return current(id);
      },
      async findActiveByKey(key) {
        const ids = [...new Set(versions.filter((v) => v.key === key).map((v) => v.id))];
        return ids.map(current).find((c) => c?.status === 'active');
      },
      async listByPatient(p) {
        const ids = [...new Set(versions.filter((v) => v.patient.system === p.system && v.patient.value === p.value).map((v) => v.id))];
        return ids.map((id) => current(id)!);
      },
    },
    links: {
      async create(l) {
        links.set(l.hash, { ...l });
      },
      async findByHash(h) {
        const l = links.get(h);
        return l && { ...l };
      },
      async recordFailedAttempt(h) {
        const l = links.get(h);
        if (!l || !l.active || l.failures >= l.budget) return undefined;
        l.failures += 1;
        l.active = l.failures < l.budget;
        return { remainingAttempts: l.budget - l.failures, disabled: !l.active };
      },
      async deactivate(h) {
        const l = links.get(h);
        if (l) l.active = false;
      },
      async deactivateByConsent(id, kind) {
        let n = 0;
        for (const l of links.values()) if (l.consentId === id && l.active && (!kind || l.kind === kind)) (l.active = false), n++;
        return n;
      },
      async listByConsent(id) {
        return [...links.values()].filter((l) => l.consentId === id);
      },
    },
    files: {
      async create(t) {
        tickets.set(t.hash, t);
      },
      async consume(h, now) {
        const t = tickets.get(h);
        tickets.delete(h);
        return t && t.expires > now ? t : undefined;
      },
    },
    invitations: {
      async create(i) {
        invitations.set(i.hash, { ...i });
      },
      async peek(h, now) {
        const i = invitations.get(h);
        return i && !i.used && i.expires > now ? { ...i } : undefined;
      },
      async consume(h, now) {
        const i = invitations.get(h);
        if (!i || i.used || i.expires <= now) return undefined;
        i.used = now;
        return { ...i };
      },
    },
    ledger: {
      async recordPerson(hid, y, p) {
        const k = `${hid}|${y}|${p}`;
        const isNew = !ledger.has(k);
        ledger.add(k);
        return isNew;
      },
      async countDistinct(hid, y) {
        return [...ledger].filter((k) => k.startsWith(`${hid}|${y}|`)).length;
      },
      async hasPerson(hid, y, p) {
        return ledger.has(`${hid}|${y}|${p}`);
      },
      async admitPerson(hid, y, p, ceiling) {
        const k = `${hid}|${y}|${p}`;
        if (ledger.has(k)) return 'existing';
        if ([...ledger].filter((x) => x.startsWith(`${hid}|${y}|`)).length >= ceiling) return 'refused';
        ledger.add(k);
        return 'recorded';
      },
    },
  };
}
