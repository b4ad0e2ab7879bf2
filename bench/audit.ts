/**
 * Audit log benchmark (issue 7, "Speed"): appended entries per second with the hash chain, one
 * request at a time and under 50 concurrent requests, on PGlite and (when TEST_DATABASE_URL or
 * DATABASE_URL is set) PostgreSQL; and the time to verify an intact chain of 100,000 entries
 * (target ≤ 5 s), both in memory and read back from PGlite.
 *
 * Run alone: `npx tsx bench/audit.ts` (or through bench/run.ts, which calls benchAudit()).
 */
import { chainHashCanonical, chainLink, GENESIS_HASH, verifyChain } from '../src/audit/chain.js';
import { buildAuditEvent, type AuditFacts, type AuditObserver } from '../src/audit/events.js';
import { canonicalJson } from '../src/fhir/canonical.js';
import type { Database } from '../src/store/db.js';
import { openPglite } from '../src/store/pglite.js';
import { openPostgres } from '../src/store/postgres.js';
import { AUDIT_SCHEMA } from '../src/store/schema/audit.sql.js';
import { createSqlAuditLog } from '../src/store/sql/audit.js';
import type { AuditRecord } from '../src/store/ports.js';

const OBSERVER: AuditObserver = { site: 'gateway.example.org', name: 'EMR exchange gateway', baseUrl: 'https://gateway.example.org/fhir' };

function facts(i: number): AuditFacts {
  return {
    action: 'read',
    outcome: 'success',
    recorded: new Date(Date.UTC(2025, 0, 1) + i).toISOString(),
    requestId: `bench-${i}`,
    actor: { participantId: 'provider-1', organization: 'org-1', organizationName: 'Charité Berlin', country: 'DE', role: 'provider' },
    sourceAddress: '203.0.113.7',
    patientIdentifiers: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '11010519491231002X' }],
    documents: [`doc-${i % 97}`],
    consentId: 'consent-1',
    purposeOfUse: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
  };
}

export interface AuditBenchResult {
  name: string;
  value: number;
  unit: string;
}

async function appendRate(db: Database, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const event = buildAuditEvent(facts(i), OBSERVER);
      await db.transaction((tx) => createSqlAuditLog(tx).appendChained(chainLink(event)));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return total / ((performance.now() - t0) / 1000);
}

function* memoryChain(n: number): Generator<AuditRecord> {
  const text = canonicalJson({ ...buildAuditEvent(facts(0), OBSERVER), id: '@@ID@@', recorded: '@@REC@@' });
  const [a, rest] = text.split('"@@ID@@"') as [string, string];
  const [b, c] = rest.split('"@@REC@@"') as [string, string];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const recorded = new Date(Date.UTC(2025, 0, 1) + i).toISOString();
    const canonical = `${a}"${i}"${b}"${recorded}"${c}`;
    const hash = chainHashCanonical(prev, i, canonical);
    yield { seq: i, recorded, prevHash: prev, hash, canonical, event: { resourceType: 'AuditEvent' } };
    prev = hash;
  }
}

const noCheckpoints = async (): Promise<never> => {
  throw new Error('none');
};

export async function benchAudit(log: (line: string) => void = console.log): Promise<AuditBenchResult[]> {
  const results: AuditBenchResult[] = [];
  const report = (name: string, value: number, unit: string) => {
    results.push({ name, value, unit });
    log(`audit ${name}: ${value.toFixed(unit === 's' ? 2 : 0)} ${unit}`);
  };

  const targets: [string, () => Promise<Database>][] = [['PGlite', () => openPglite()]];
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) targets.push(['PostgreSQL', () => openPostgres(url, 60)]);
  else log('audit PostgreSQL append benchmark skipped: set TEST_DATABASE_URL or DATABASE_URL');

  for (const [name, open] of targets) {
    const db = await open();
    await db.query(AUDIT_SCHEMA);
    const before = (await createSqlAuditLog(db).head())?.seq ?? 0;
    report(`${name} append, 1 at a time`, await appendRate(db, 1000, 1), 'entries/s');
    report(`${name} append, 50 concurrent`, await appendRate(db, 2000, 50), 'entries/s');
    const check = await verifyChain(createSqlAuditLog(db).iterate(before + 1), [], noCheckpoints);
    if (before === 0 && !check.ok) throw new Error(`benchmark chain broken on ${name}: ${JSON.stringify(check.firstBroken)}`);
    await db.close();
  }

  // Verify 100,000 entries: pure verification over canonical texts (hashing only) ...
  let t0 = performance.now();
  const records = [...memoryChain(100_000)];
  const built = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const r = await verifyChain(records, [], noCheckpoints);
  if (!r.ok || r.checked !== 100_000) throw new Error('verify bench chain broken');
  report('verify 100,000 entries in memory (target ≤ 5 s)', (performance.now() - t0) / 1000, 's');
  log(`  (building that chain took ${built.toFixed(2)} s)`);

  // ... and read back from PGlite (COPY-free bulk insert of the same records, then iterate + verify).
  const db = await openPglite();
  await db.query(AUDIT_SCHEMA);
  for (let i = 0; i < records.length; i += 2000) {
    const slice = records.slice(i, i + 2000);
    await db.query(
      `INSERT INTO audit_log (seq, recorded, prev_hash, hash, event, outcome)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      [slice.map((x) => x.seq), slice.map((x) => x.recorded), slice.map((x) => x.prevHash), slice.map((x) => x.hash), slice.map((x) => x.canonical), slice.map(() => '0')],
    );
  }
  t0 = performance.now();
  const fromDb = await verifyChain(createSqlAuditLog(db).iterate(), [], noCheckpoints);
  if (!fromDb.ok || fromDb.checked !== 100_000) throw new Error('verify bench chain from PGlite broken');
  report('verify 100,000 entries read from PGlite (target ≤ 5 s)', (performance.now() - t0) / 1000, 's');
  await db.close();
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchAudit();
}
