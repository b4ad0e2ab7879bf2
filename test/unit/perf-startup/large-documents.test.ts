/**
 * Large documents over HTTP (issue 10 "scale"): a Bundle above MAX_DOCUMENT_ENTRIES is refused with
 * 413 TOO_LARGE at `Bundle.entry` before validation, on intake and on $validate (also inside a
 * Parameters); a document at the
 * limit is validated, hashed and stored while a concurrent `/healthz` keeps being answered within a
 * second (the server runs in this process, so an event loop blocked by the submission delays it).
 */
import { expect } from 'chai';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestServer, type TestServer } from '../../support/server.js';
import { accessToken, client } from '../../support/clients.js';
import { syntheticDischargeSummary } from '../../../bench/synthetic.js';
import { MAX_DOCUMENT_ENTRIES } from '../../../src/ingest/parse.js';

describe('large documents over HTTP', function () {
  let server: TestServer;
  let hospital: string;
  const post = (url: string, body: string) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${hospital}`, 'content-type': 'application/fhir+json' }, body });

  before(async () => {
    server = await startTestServer();
    hospital = await accessToken(server.url, client('hospital', 0));
  });
  after(() => server.close());

  it(`refuses a Bundle of ${MAX_DOCUMENT_ENTRIES + 1} entries with 413 at Bundle.entry, on intake and on $validate`, async () => {
    const body = JSON.stringify(syntheticDischargeSummary(MAX_DOCUMENT_ENTRIES + 1, 7));
    for (const url of [`${server.base}/Bundle`, `${server.base}/Bundle/$validate`]) {
      const res = await post(url, body);
      const outcome = await res.json();
      expect(res.status, url).to.equal(413);
      expect(outcome.resourceType).to.equal('OperationOutcome');
      expect(outcome.issue[0].code).to.equal('too-costly');
      expect(outcome.issue[0].expression).to.deep.equal(['Bundle.entry']);
    }
    const wrapped = `{"resourceType":"Parameters","parameter":[{"name":"resource","resource":${body}}]}`;
    const res = await post(`${server.base}/$validate`, wrapped);
    expect(res.status).to.equal(413);
    expect((await res.json()).issue[0].expression).to.deep.equal(['Parameters.parameter[0].resource.entry']);
  });

  it(`stores a ${MAX_DOCUMENT_ENTRIES}-entry document while /healthz is answered within a second`, async () => {
    const body = JSON.stringify(syntheticDischargeSummary(MAX_DOCUMENT_ENTRIES, 8));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    let done = false;
    let slowest = 0;
    let answered = 0;
    const poll = (async () => {
      while (!done) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/healthz`);
        await res.arrayBuffer();
        expect(res.status).to.equal(200);
        slowest = Math.max(slowest, performance.now() - t0);
        answered++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    loop.enable();
    const t0 = performance.now();
    const res = await post(`${server.base}/Bundle`, body);
    const created = await res.json();
    const took = performance.now() - t0;
    done = true;
    await poll;
    loop.disable();
    const blockedMs = loop.max / 1e6;
    console.log(
      `      ${MAX_DOCUMENT_ENTRIES} entries (${(body.length / 1e6).toFixed(1)} MB): 201 in ${took.toFixed(0)} ms; ` +
        `/healthz answered ${answered}×, slowest ${slowest.toFixed(0)} ms; longest event-loop block ${blockedMs.toFixed(0)} ms`,
    );
    expect(res.status, JSON.stringify(created).slice(0, 300)).to.equal(201);
    expect(created.entry).to.have.length(MAX_DOCUMENT_ENTRIES);
    expect(answered).to.be.at.least(2);
    expect(slowest).to.be.below(1000);
    expect(blockedMs).to.be.below(1000);
  });
});
