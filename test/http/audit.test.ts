/**
 * The audit log over HTTP (issue 7): every patient-data route leaves its entry; GET /fhir/AuditEvent
 * is for admins only; a signed checkpoint is written at shutdown and the chain verifies.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer, repoRoot, type TestServer } from '../support/server.js';
import { accessToken, client } from '../support/clients.js';
import { openStore } from '../../src/store/index.js';
import { auditVerify } from '../../src/audit/commands.js';
import { loadConfig } from '../../src/config/index.js';
import { loadTrust } from '../../src/compose/trust.js';

describe('audit log over HTTP', function () {
  let server: TestServer;
  let hospital: string;
  let admin: string;
  let docId: string;
  const subtypes = async (query = '') => {
    const res = await fetch(`${server.base}/AuditEvent?_count=1000${query}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).to.equal(200);
    const b = await res.json();
    return b.entry.map((e: any) => e.resource.subtype.find((c: any) => c.system.endsWith('audit-event-subtype'))?.code);
  };

  before(async () => {
    server = await startTestServer();
    hospital = await accessToken(server.url, client('hospital', 0));
    admin = await accessToken(server.url, client('admin', 0));
    const doc = readFileSync(path.join(repoRoot, 'test/fixtures/cn-lap-chole.json'), 'utf8');
    const created = await fetch(`${server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${hospital}`, 'content-type': 'application/fhir+json' }, body: doc });
    docId = (await created.json()).id;
  });

  after(() => server.close());

  it('records the submission, the read and the search, each with the request id', async () => {
    const read = await fetch(`${server.base}/Bundle/${docId}`, { headers: { authorization: `Bearer ${hospital}`, 'x-request-id': 'audit-read-1' } });
    expect(read.status).to.equal(200);
    await fetch(`${server.base}/Bundle?identifier=${encodeURIComponent('urn:oid:2.16.156.10011.1.1|none')}`, { headers: { authorization: `Bearer ${hospital}` } });
    const codes = await subtypes();
    for (const action of ['token-issued', 'submit', 'read', 'search']) expect(codes, action).to.include(action);
    const res = await fetch(`${server.base}/AuditEvent?entity=Bundle/${docId}`, { headers: { authorization: `Bearer ${admin}` } });
    const events = (await res.json()).entry.map((e: any) => e.resource);
    expect(JSON.stringify(events)).to.include('audit-read-1');
  });

  it('records a refused submission with why', async () => {
    await fetch(`${server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${hospital}`, 'content-type': 'application/fhir+json' }, body: '{"resourceType":"Patient"}' });
    const res = await fetch(`${server.base}/AuditEvent?outcome=4,8,12&_count=100`, { headers: { authorization: `Bearer ${admin}` } });
    const failures = (await res.json()).entry.map((e: any) => e.resource);
    expect(failures.some((e: any) => /Bundle of type document/.test(e.outcomeDesc ?? ''))).to.equal(true);
  });

  it('refuses the audit log to a hospital with 403', async () => {
    const res = await fetch(`${server.base}/AuditEvent`, { headers: { authorization: `Bearer ${hospital}` } });
    expect(res.status).to.equal(403);
  });

  it('writes a signed checkpoint at shutdown and the chain verifies', async () => {
    await server.stop();
    const config = loadConfig({ DATA_DIR: server.dataDir, CERTS_DIR: path.join(repoRoot, 'certs-example'), TRUST_LIST: path.join(repoRoot, 'certs-example/trust-list.json') });
    const { keys } = loadTrust(config, () => new Date());
    const store = await openStore({ dataDir: server.dataDir });
    try {
      const cps = [];
      for await (const cp of store.audit.checkpoints()) cps.push(cp);
      expect(cps.length).to.be.at.least(1);
      const report = await auditVerify(store.audit, keys.current.publicKey);
      expect(report.exitCode, report.summary).to.equal(0);
      expect(report.result.checked).to.be.greaterThan(4);
    } finally {
      await store.close();
    }
  });
});
