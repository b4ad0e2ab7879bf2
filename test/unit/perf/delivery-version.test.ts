/**
 * A cached delivery is keyed by the document VERSION, and a single-document consent read decides
 * on the CURRENT version's head (consent-release.ts): once a hospital submits a new version of a
 * document, the next read is that version's delivery — never the previous version's cached one —
 * and a read that skips the document text on a cache hit still refuses what the consent denies.
 */
import { expect } from 'chai';
import { fhirPost, fixture, grant, grantParameters, startWorld, submit, type ConsentWorld } from '../../http/consent-fixture.js';

describe('perf: delivery cache and document versions', function () {
  this.timeout(120_000);
  let w: ConsentWorld;
  before(async () => {
    w = await startWorld();
  });
  after(() => w.server.close());

  const read = (id: string, consentToken: string) =>
    fetch(`${w.server.base}/Bundle/${id}`, { headers: { authorization: `Bearer ${w.toronto}`, 'x-consent-token': consentToken, 'accept-language': 'en' } });
  const composition = (doc: any) => doc.entry.find((e: any) => e.resource.resourceType === 'Composition').resource;

  it('a new document version is served at once, although the previous version is cached', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const first = await read(w.docId, g.token!);
    expect(first.status).to.equal(200);
    const v1 = await first.json();
    expect((await read(w.docId, g.token!)).status).to.equal(200); // warm: served from the cache

    const changed = fixture();
    const comp = changed.entry.find((e: any) => e.resource.resourceType === 'Composition').resource;
    comp.date = '2026-11-20T09:30:00+08:00';
    expect(await submit(w, changed), 'same logical document, new version').to.equal(w.docId);

    const second = await read(w.docId, g.token!);
    expect(second.status).to.equal(200);
    const v2 = await second.json();
    expect(composition(v2).date).to.equal('2026-11-20T09:30:00+08:00');
    expect(composition(v1).date).to.not.equal(composition(v2).date);
    expect(v2.signature.data).to.not.equal(v1.signature.data);
    // And again (now the new version is the cached one): still the new version.
    expect(composition(await (await read(w.docId, g.token!)).json()).date).to.equal('2026-11-20T09:30:00+08:00');

    const revoked = await fhirPost(w, `/Consent/${g.consent.id}/$revoke`, w.hospital, {});
    expect(revoked.status).to.equal(200);
    expect((await read(w.docId, g.token!)).status, 'refused with the new version cached').to.equal(404);
  });

  it('a consent for another document is refused with a warm cache (the decision runs on every read)', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    expect((await read(w.docId, g.token!)).status).to.equal(200);
    const other = fixture();
    other.identifier = { ...other.identifier, value: `${other.identifier.value}-other` };
    const otherId = await submit(w, other);
    expect(otherId).to.not.equal(w.docId);
    expect((await read(otherId, g.token!)).status).to.equal(404);
    expect((await read(w.docId, g.token!)).status).to.equal(200);
    await fhirPost(w, `/Consent/${g.consent.id}/$revoke`, w.hospital, {});
  });
});
