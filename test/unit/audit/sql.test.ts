import { expect } from 'chai';
import { generateKeyPair } from 'jose';
import { chainLink, verifyChain, type BreakReason } from '../../../src/audit/chain.js';
import { checkpointVerifier, signCheckpoint, type CheckpointSigner } from '../../../src/audit/checkpoint.js';
import { auditExport, auditVerify } from '../../../src/audit/commands.js';
import { buildAuditEvent } from '../../../src/audit/events.js';
import { parseAuditSearch } from '../../../src/audit/search.js';
import { isGatewayError } from '../../../src/errors.js';
import type { SqlClient } from '../../../src/store/db.js';
import type { AuditLog } from '../../../src/store/ports.js';
import { auditRevokeSql } from '../../../src/store/schema/audit.sql.js';
import { createSqlAuditLog } from '../../../src/store/sql/audit.js';
import { asAttacker, pgliteDb, postgresDb, reset, type TestDb } from './support/databases.js';
import { OBSERVER, PASSPORT, RESIDENT_ID, facts } from './support/fixtures.js';

const N = 200;
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

function sqlSuite(open: () => Promise<TestDb>, label: string): void {
  describe(`audit/sql on ${label}`, function () {
    this.timeout(120_000);
    let t: TestDb;
    let log: AuditLog;
    let signer: CheckpointSigner;
    let keys: CryptoKey;

    before(async () => {
      t = await open();
      log = createSqlAuditLog(t.db);
      const kp = await generateKeyPair('ES256');
      signer = { key: kp.privateKey, kid: 'gw-test', alg: 'ES256' };
      keys = kp.publicKey;
    });
    after(async () => t?.drop());

    /** N entries: odd ones in a caller's transaction (with the data change), even ones on their own. */
    async function fill(n = N): Promise<void> {
      await reset(t.db);
      for (let i = 1; i <= n; i++) {
        const f = facts(i, {
          ...(i % 5 === 0 ? { outcome: 'failure', failure: { reason: 'consent expired', code: 'FORBIDDEN' } } : {}),
          ...(i % 3 === 0 ? { patientIdentifiers: [PASSPORT] } : {}),
          ...(i % 7 === 0 ? { actor: { linkRecipient: 'Dr. Anna Müller' }, action: 'link-manifest' } : {}),
        });
        const link = chainLink(buildAuditEvent(f, OBSERVER));
        if (i % 2) await t.db.transaction((tx) => createSqlAuditLog(tx).appendChained(link));
        else await log.appendChained(link);
      }
    }
    const verify = () => verifyChain(log.iterate(), log.checkpoints(), checkpointVerifier(keys));
    async function checkpointHead(): Promise<void> {
      await log.addCheckpoint(await signCheckpoint(await log.head(), new Date('2025-02-01T00:00:00Z'), signer));
    }

    it(`appends ${N} entries in transactions as one intact chain`, async () => {
      await fill();
      await checkpointHead();
      const r = await verify();
      expect(r).to.include({ ok: true, checked: N, checkpoints: 1 });
      expect(r.head?.seq).to.equal(N);
      const report = await auditVerify(log, keys);
      expect(report.exitCode).to.equal(0);
    });

    const TAMPER: [string, () => Promise<void>, number, BreakReason][] = [
      [
        'UPDATE of one entry\'s content',
        () => asAttacker(t.db, [{ sql: `UPDATE audit_log SET event = replace(event, '"outcome":"0"', '"outcome":"4"') WHERE seq = 77` }]),
        77,
        'content-modified',
      ],
      ['DELETE of one entry', () => asAttacker(t.db, [{ sql: 'DELETE FROM audit_log WHERE seq = 120' }]), 120, 'missing-entry'],
      [
        'INSERT of a forged entry in the middle (later entries renumbered, forged hash valid)',
        async () => {
          const prev = (await t.db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = 99')).rows[0]!;
          const forged = chainLink(buildAuditEvent(facts(5000, { requestId: 'forged' }), OBSERVER))({ seq: 99, hash: prev.hash });
          await asAttacker(t.db, [
            { sql: 'UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= 100' },
            { sql: 'UPDATE audit_log SET seq = seq - 999999 WHERE seq >= 1000000' },
            {
              sql: `INSERT INTO audit_log (seq, recorded, prev_hash, hash, event, outcome) VALUES (100, $1, $2, $3, $4, '0')`,
              params: [forged.recorded, prev.hash, forged.hash, forged.canonical],
            },
          ]);
        },
        100,
        'forged',
      ],
      [
        'INSERT of a forged entry at the end with a made-up hash',
        () =>
          asAttacker(t.db, [
            {
              sql: `INSERT INTO audit_log (seq, recorded, prev_hash, hash, event, outcome) SELECT 201, recorded, $1, $2, replace(event, '"id":"1"', '"id":"201"'), outcome FROM audit_log WHERE seq = 1`,
              params: ['e'.repeat(64), 'f'.repeat(64)],
            },
          ]),
        201,
        'forged',
      ],
      [
        'two entries swapped',
        () =>
          asAttacker(t.db, [
            {
              sql: `UPDATE audit_log a SET prev_hash = b.prev_hash, hash = b.hash, event = b.event, recorded = b.recorded
                    FROM audit_log b WHERE (a.seq = 50 AND b.seq = 51) OR (a.seq = 51 AND b.seq = 50)`,
            },
          ]),
        50,
        'reordered',
      ],
      ['the tail truncated after a checkpoint', () => asAttacker(t.db, [{ sql: 'DELETE FROM audit_log WHERE seq > 180' }]), 181, 'truncated-after-checkpoint'],
      [
        'a checkpoint moved to another head',
        () => asAttacker(t.db, [{ sql: `UPDATE audit_checkpoint SET head_hash = (SELECT hash FROM audit_log WHERE seq = 150), seq = 150` }]),
        150,
        'bad-checkpoint-signature',
      ],
      [
        'the whole chain rewritten from entry 30 with valid hashes',
        async () => {
          const rows = (await t.db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log WHERE seq = 29')).rows;
          let head = { seq: 29, hash: rows[0]!.hash };
          const statements: { sql: string; params: unknown[] }[] = [{ sql: 'DELETE FROM audit_log WHERE seq >= $1', params: [30] }];
          for (let i = 30; i <= N; i++) {
            const b = chainLink(buildAuditEvent(facts(i, { documents: ['laundered'] }), OBSERVER))(head);
            statements.push({
              sql: `INSERT INTO audit_log (seq, recorded, prev_hash, hash, event, outcome) VALUES ($1, $2, $3, $4, $5, '0')`,
              params: [i, b.recorded, head.hash, b.hash, b.canonical],
            });
            head = { seq: i, hash: b.hash };
          }
          await asAttacker(t.db, statements);
        },
        N,
        'checkpoint-mismatch',
      ],
    ];
    for (const [name, tamper, seq, reason] of TAMPER) {
      it(`verify names entry ${seq} after ${name}: ${reason}`, async () => {
        await fill();
        await checkpointHead();
        await tamper();
        const r = await verify();
        expect(r.ok).to.equal(false);
        expect(r.firstBroken).to.include({ seq, reason });
        const report = await auditVerify(log, keys);
        expect(report.exitCode).to.equal(3);
        expect(report.summary).to.contain(`entry ${seq}`);
      });
    }

    it('refuses UPDATE, DELETE and TRUNCATE of the audit tables from the application', async () => {
      await fill(3);
      await checkpointHead();
      for (const sql of ["UPDATE audit_log SET outcome = '4' WHERE seq = 1", 'DELETE FROM audit_log WHERE seq = 1', 'TRUNCATE audit_log', 'DELETE FROM audit_checkpoint']) {
        let failed = false;
        await t.db.query(sql, []).catch(() => (failed = true));
        expect(failed, sql).to.equal(true);
      }
      expect((await verify()).ok).to.equal(true);
    });

    it('commits the entry with the caller\'s transaction: a rollback leaves no entry', async () => {
      await fill(2);
      await t.db
        .transaction(async (tx) => {
          await createSqlAuditLog(tx).appendChained(chainLink(buildAuditEvent(facts(3), OBSERVER)));
          throw new Error('the data change failed');
        })
        .catch(() => undefined);
      expect((await log.head())?.seq).to.equal(2);
      expect((await verify()).ok).to.equal(true);
    });

    it('fails with AUDIT_FAILED when the entry cannot be written', async () => {
      const broken: SqlClient = {
        query: async (sql, params) => {
          if (sql.includes('INSERT')) throw new Error('disk full');
          return t.db.query(sql, params);
        },
      };
      let code = '';
      await t.db.transaction((tx) => createSqlAuditLog({ query: (s, p) => (s.includes('INSERT') ? broken.query(s, p) : tx.query(s, p)) }).appendChained(chainLink(buildAuditEvent(facts(1), OBSERVER)))).catch((e) => {
        code = isGatewayError(e) ? e.code : 'other';
      });
      expect(code).to.equal('AUDIT_FAILED');
    });

    it('keeps one chain under 50 concurrent appends', async () => {
      await reset(t.db);
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => t.db.transaction((tx) => createSqlAuditLog(tx).appendChained(chainLink(buildAuditEvent(facts(i), OBSERVER))))),
      );
      expect(await verify()).to.include({ ok: true, checked: 50 });
    });

    describe('search', () => {
      before(async () => fill());
      const search = (q: Record<string, string | string[]>) => log.search(parseAuditSearch(q));

      it('finds by patient.identifier (either identifier of the patient)', async () => {
        const passport = await search({ 'patient.identifier': `${PASSPORT.system}|${PASSPORT.value}`, _count: '1000' });
        expect(passport.total).to.equal(Math.floor(N / 3));
        const both = await search({ 'patient.identifier': `${PASSPORT.system}|${PASSPORT.value},${RESIDENT_ID.system}|${RESIDENT_ID.value}` });
        expect(both.total).to.equal(N);
      });
      it('finds by date range (ge / lt, day precision and instants)', async () => {
        // facts(i) is recorded at 2025-01-01T00:00:00Z + i seconds
        const r = await search({ date: ['ge2025-01-01T00:00:10Z', 'lt2025-01-01T00:00:20Z'] });
        expect(r.records.map((x) => x.seq)).to.deep.equal([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
        expect((await search({ date: 'eq2025-01-01' })).total).to.equal(N);
        expect((await search({ date: 'gt2025-01-01' })).total).to.equal(0);
      });
      it('finds by agent, entity, subtype and outcome, and pages with _count', async () => {
        expect((await search({ agent: 'Dr. Anna Müller' })).total).to.equal(Math.floor(N / 7));
        expect((await search({ agent: 'provider-charite', outcome: '4' })).total).to.equal(
          Array.from({ length: N }, (_, k) => k + 1).filter((i) => i % 5 === 0 && i % 7 !== 0).length,
        );
        expect((await search({ entity: 'req-42' })).records.map((x) => x.seq)).to.deep.equal([42]);
        expect((await search({ entity: 'Bundle/doc-3' })).total).to.equal(Array.from({ length: N }, (_, k) => k + 1).filter((i) => i % 17 === 3).length);
        expect((await search({ subtype: 'https://emr-gateway.example.org/fhir/CodeSystem/audit-event-subtype|link-manifest' })).total).to.equal(Math.floor(N / 7));
        const page = await search({ _count: '5', _offset: '10', _sort: '-date' });
        expect(page.total).to.equal(N);
        expect(page.records.map((x) => x.seq)).to.deep.equal([190, 189, 188, 187, 186]);
      });
      it('exports a patient\'s events as NDJSON with the accounting of disclosures', async () => {
        const lines: string[] = [];
        const out = await auditExport(log, { patient: `${PASSPORT.system}|${PASSPORT.value}`, from: '2025-01-01T00:00:00Z', to: '2025-01-01T00:01:00Z' }, (l) => {
          lines.push(l);
        });
        // entries 1..60 (to = 00:01:00 at second precision includes second 60) with i % 3 === 0
        expect(out.events).to.equal(20);
        expect(lines).to.have.length(20);
        expect(JSON.parse(lines[0]!).resourceType).to.equal('AuditEvent');
        // successful ones only (i % 5 !== 0)
        expect(out.disclosures.length).to.equal([3, 6, 9, 12, 18, 21, 24, 27, 33, 36, 39, 42, 48, 51, 54, 57].length);
        expect(out.csv.split('\r\n')[0]).to.equal('date,recipient,recipientAddress,description,purpose,consent,requestId');
      });
    });

    if (label === 'PostgreSQL') {
      it('AUDIT_REVOKE_SQL leaves the gateway role only SELECT and INSERT', async () => {
        const role = `${t.schema}_app`;
        await t.db.query(`CREATE ROLE ${role}`, []);
        await t.db.query(`GRANT USAGE ON SCHEMA ${t.schema} TO ${role}`, []);
        for (const stmt of auditRevokeSql(role).split(';').map((s) => s.trim()).filter(Boolean)) await t.db.query(stmt, []);
        await t.db.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`, []);
        try {
          for (const sql of ["UPDATE audit_log SET outcome = '4'", 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
            let denied = false;
            await t.db.transaction(async (tx) => {
              await tx.query(`SET LOCAL ROLE ${role}`, []);
              await tx.query(sql, []);
            }).catch((e: { code?: string }) => (denied = e.code === '42501'));
            expect(denied, sql).to.equal(true);
          }
          const rec = await t.db.transaction(async (tx) => {
            await tx.query(`SET LOCAL ROLE ${role}`, []);
            const l = createSqlAuditLog(tx);
            const r = await l.appendChained(chainLink(buildAuditEvent(facts(1), OBSERVER)));
            await l.addCheckpoint(await signCheckpoint(await l.head(), new Date(), signer));
            return r;
          });
          expect(rec.seq).to.be.above(0);
        } finally {
          await t.db.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`, []);
        }
      });
    }
  });
}

sqlSuite(pgliteDb, 'PGlite');
if (TEST_DATABASE_URL) sqlSuite(() => postgresDb(TEST_DATABASE_URL), 'PostgreSQL');
else console.log('audit/sql on PostgreSQL SKIPPED: TEST_DATABASE_URL is not set (npm test starts a temporary server when PostgreSQL binaries are installed)');
