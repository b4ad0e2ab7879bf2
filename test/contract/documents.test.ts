/**
 * Store contract: the DocumentStore and migrations behave the same on PGlite and PostgreSQL.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createStore } from '../../src/store/index.js';
import { migrate } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/ports.js';
import type { Bundle } from '../../src/fhir/types.js';
import { postgresSkipReason, testDatabases } from '../support/databases.js';
import { openTemplateDataDir } from './template-db.js';

const fixturesDir = path.resolve(import.meta.dirname, '../fixtures');
const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(fixturesDir, f), 'utf8')) as Bundle);

const doc = (id: string, value: string, patient = '110105194912310029') => ({
  id,
  identifier: { system: 'urn:oid:2.16.156.10011.1.1', value },
  contentHash: `h-${id}-${value}`,
  submitter: 'hospital-a',
  patientIdentifiers: [{ system: 'urn:oid:2.16.156.10011.1.3', value: patient }],
  lastUpdated: '2026-11-23T08:00:00.000Z',
  resource: { resourceType: 'Bundle', id, type: 'document', identifier: { system: 'urn:oid:2.16.156.10011.1.1', value } } as Bundle,
});

// Also on a data directory unpacked from the build's PGlite template (issue 10: first start).
const databases = [...testDatabases(), { name: 'PGlite data directory made from the template', open: openTemplateDataDir }];

for (const tdb of databases) {
  describe(`document store contract on ${tdb.name}`, function () {
    let store: Store;
    beforeEach(async () => {
      store = await createStore(await tdb.open());
    });
    afterEach(() => store.close());

    it('runs migrations once: a second run applies nothing', async () => {
      const db = await tdb.open();
      expect(await migrate(db)).to.not.be.empty;
      expect(await migrate(db)).to.deep.equal([]);
      await db.close();
    });

    it('stores versions and finds the latest by identifier', async () => {
      await store.withTransaction((tx) => tx.documents.insertVersion(doc('a1', 'X-1'), 1));
      await store.withTransaction((tx) => tx.documents.insertVersion({ ...doc('a1', 'X-1'), contentHash: 'v2' }, 2));
      const found = await store.documents.findByIdentifier({ system: 'urn:oid:2.16.156.10011.1.1', value: 'X-1' });
      expect(found?.versionId).to.equal(2);
      expect(found?.contentHash).to.equal('v2');
      expect((await store.documents.get('a1', 1))?.contentHash).to.equal('h-a1-X-1');
      expect((await store.documents.get('a1'))?.versionId).to.equal(2);
    });

    it('refuses a duplicate version with a unique violation', async () => {
      await store.withTransaction((tx) => tx.documents.insertVersion(doc('b1', 'X-2'), 1));
      let code: string | undefined;
      try {
        await store.withTransaction((tx) => tx.documents.insertVersion(doc('b2', 'X-2'), 1));
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code).to.equal('23505');
    });

    it('rolls back every write of a failed transaction', async () => {
      try {
        await store.withTransaction(async (tx) => {
          await tx.documents.insertVersion(doc('c1', 'X-3'), 1);
          throw new Error('boom');
        });
      } catch {
        /* expected */
      }
      expect(await store.documents.get('c1')).to.equal(undefined);
    });

    it('searches by patient identifier, submitter and pages', async () => {
      for (let i = 0; i < 5; i++) await store.withTransaction((tx) => tx.documents.insertVersion(doc(`d${i}`, `Y-${i}`, i < 3 ? 'P1' : 'P2'), 1));
      const p1 = await store.documents.search({ patientIdentifier: { system: 'urn:oid:2.16.156.10011.1.3', value: 'P1' }, count: 2, offset: 0 });
      expect(p1.total).to.equal(3);
      expect(p1.documents).to.have.length(2);
      const other = await store.documents.search({ submitter: 'hospital-b', count: 10, offset: 0 });
      expect(other.total).to.equal(0);
    });

    it('returns every fixture exactly as stored', async () => {
      expect(fixtures.length).to.be.at.least(3);
      for (const [i, f] of fixtures.entries()) {
        await store.withTransaction((tx) => tx.documents.insertVersion({ ...doc(`f${i}`, `F-${i}`), resource: f }, 1));
        expect((await store.documents.get(`f${i}`))?.resource).to.deep.equal(f);
      }
    });
  });
}

if (postgresSkipReason) {
  describe('document store contract on PostgreSQL', () => {
    it(`is skipped: ${postgresSkipReason}`);
  });
}
