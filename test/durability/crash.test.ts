/**
 * Crash durability (issue 2 "Done when", issue 7): the gateway runs as a child process on the
 * embedded PGlite store (temporary DATA_DIR) and, when TEST_DATABASE_URL is set, on PostgreSQL (a
 * fresh schema); four clients stream submissions with distinct identifiers, each followed by a read
 * of what was stored, and the child is
 * SIGKILLed mid-stream (requests in flight). After a restart on the same data:
 *  - every submission that was acknowledged with 201 is readable by id, unchanged identifier;
 *  - every submission that was in flight is either wholly stored or absent (no half-written one);
 *  - every acknowledged submission and every read the clients received has its audit entry, and the
 *    audit hash chain verifies with `emr-gateway audit verify` (exit 0).
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/index.js';
import { cli } from '../cli/support.js';
import { accessToken, client } from '../support/clients.js';
import { testDatabases } from '../support/databases.js';
import { repoRoot } from '../support/server.js';

const CLIENTS = 4;
const KILL_AFTER_ACKS = 10;
const DOC_SYSTEM = 'urn:oid:2.16.156.10011.1.1';
const fixtureDir = path.join(repoRoot, 'test/fixtures');
const documents = readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).map((f) => readFileSync(path.join(fixtureDir, f), 'utf8'));

interface Gateway {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): string;
}

/** Starts `node --import tsx src/server.ts`; its port comes from the "listening on" line. */
function startGateway(env: Record<string, string>): Promise<Gateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/server.ts')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the gateway did not start in 45 s: ${log}`));
    }, 45_000);
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /emr-gateway listening on (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, exited, log: () => log });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited before listening (${code ?? signal}): ${log}`));
    });
  });
}

interface StreamResult {
  acknowledged: { id: string; identifier: string }[];
  /** X-Request-Id of every read that was answered 200 (the client received the record). */
  servedReads: string[];
  /** Identifiers sent but not acknowledged (in flight at the kill). */
  unacknowledged: string[];
}

/** CLIENTS concurrent submitters; the gateway is SIGKILLed as soon as KILL_AFTER_ACKS were acknowledged. */
async function streamUntilKilled(gw: Gateway, token: string, label: string): Promise<StreamResult> {
  const result: StreamResult = { acknowledged: [], servedReads: [], unacknowledged: [] };
  let killed = false;
  const submitter = async (c: number) => {
    for (let n = 0; !killed; n++) {
      const doc = JSON.parse(documents[(c + n) % documents.length]!);
      const identifier = `CRASH-${label}-${c}-${n}`;
      doc.identifier = { system: DOC_SYSTEM, value: identifier };
      let res: Response;
      try {
        res = await fetch(`${gw.url}/fhir/Bundle`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
          body: JSON.stringify(doc),
        });
      } catch {
        result.unacknowledged.push(identifier); // connection lost: the process was killed
        return;
      }
      const text = await res.text().catch(() => '');
      if (res.status !== 201) {
        if (killed) {
          result.unacknowledged.push(identifier);
          return;
        }
        throw new Error(`submission ${identifier} answered ${res.status}: ${text.slice(0, 300)}`);
      }
      const id = (JSON.parse(text) as { id: string }).id;
      result.acknowledged.push({ id, identifier });
      // A read of what was just stored: reads and writes interleave until the kill.
      const requestId = `crash-read-${label}-${c}-${n}`;
      try {
        const read = await fetch(`${gw.url}/fhir/Bundle/${id}`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId } });
        if (read.status === 200) {
          await read.arrayBuffer();
          result.servedReads.push(requestId);
        }
      } catch {
        /* killed while reading: not served */
      }
      if (result.acknowledged.length >= KILL_AFTER_ACKS && !killed) {
        killed = true;
        gw.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => submitter(c)));
  return result;
}

for (const database of testDatabases()) {
  describe(`crash durability on ${database.name}: SIGKILL mid-stream, restart on the same data`, function () {
    this.timeout(150_000);
    let env: Record<string, string>;
    let dataDir: string | undefined;

    before(async () => {
      if (database.url) env = { DATABASE_URL: await database.url() };
      else {
        dataDir = mkdtempSync(path.join(os.tmpdir(), 'emr-crash-'));
        env = { DATA_DIR: dataDir };
      }
    });
    after(() => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps every acknowledged submission readable and audited, and the audit chain intact', async () => {
      const first = await startGateway(env);
      const stream = await streamUntilKilled(first, await accessToken(first.url, client('hospital', 0)), database.name);
      const killedWith = await first.exited;
      expect(killedWith.signal, first.log()).to.equal('SIGKILL');
      expect(stream.acknowledged.length).to.be.at.least(KILL_AFTER_ACKS);

      let summary = '';
      const second = await startGateway(env);
      try {
        const token = await accessToken(second.url, client('hospital', 0));
        const get = (p: string) => fetch(`${second.url}/fhir/${p}`, { headers: { authorization: `Bearer ${token}` } });
        for (const { id, identifier } of stream.acknowledged) {
          const res = await get(`Bundle/${id}`);
          expect(res.status, `acknowledged ${identifier} (Bundle/${id}) after the crash`).to.equal(200);
          expect(((await res.json()) as { identifier: { value: string } }).identifier.value).to.equal(identifier);
        }
        let inFlightStored = 0;
        for (const identifier of stream.unacknowledged) {
          const res = await get(`Bundle?identifier=${encodeURIComponent(`${DOC_SYSTEM}|${identifier}`)}`);
          expect(res.status).to.equal(200);
          const found = (await res.json()) as { total: number; entry?: { resource: { entry?: unknown[] } }[] };
          expect(found.total, `in-flight ${identifier}: stored once or not at all`).to.be.oneOf([0, 1]);
          if (found.total === 1) {
            inFlightStored++;
            expect(found.entry![0]!.resource.entry).to.have.length.greaterThan(0);
          }
        }
        summary = `${stream.acknowledged.length} acknowledged and readable after SIGKILL, ${stream.unacknowledged.length} in flight (${inFlightStored} of them committed before the kill)`;
      } finally {
        second.child.kill('SIGTERM'); // graceful: finishes, writes its checkpoint, closes the store
        expect((await second.exited).code, second.log()).to.equal(0);
      }

      const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
      const audited = new Set<string>();
      const requestIds = new Set<string>();
      try {
        for await (const r of store.audit.iterate(1)) {
          for (const e of (r.event.entity ?? []) as { what?: { reference?: string; identifier?: { value?: string } } }[]) {
            if (e.what?.reference) audited.add(e.what.reference);
            if (e.what?.identifier?.value) requestIds.add(e.what.identifier.value);
          }
        }
      } finally {
        await store.close();
      }
      const missing = stream.acknowledged.filter(({ id }) => !audited.has(`Bundle/${id}`));
      expect(missing, 'acknowledged submissions without an audit entry').to.deep.equal([]);
      expect(stream.servedReads.length).to.be.greaterThan(0);
      const unaudited = stream.servedReads.filter((r) => !requestIds.has(r));
      expect(unaudited, 'reads served without an audit entry').to.deep.equal([]);

      const verify = await cli(['audit', 'verify'], env);
      expect(verify.code, verify.out + verify.err).to.equal(0);
      console.log(`      ${database.name}: ${summary}; ${verify.out}`);
    });
  });
}
