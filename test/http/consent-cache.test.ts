/**
 * Delivered documents and verified consent tokens are cached (src/gateway/delivery-cache.ts,
 * consent-read.ts) without weakening consent: the live consent is decided before the cache is
 * consulted, so a revocation refuses the very next request even with a warm cache, and a new
 * consent version (same consent id, same token) never gets the previous version's document.
 */
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { PATIENT, fhirPost, grant, grantParameters, startWorld, type ConsentWorld } from './consent-fixture.js';

/** express's own weak ETag generator (what res.send(text) would have set). */
const { wetag } = createRequire(import.meta.url)('express/lib/utils.js') as { wetag: (body: Buffer) => string };

describe('consent reads with a warm delivery cache', function () {
  let w: ConsentWorld;
  before(async () => {
    w = await startWorld();
  });
  after(() => w.server.close());

  const read = (id: string, consentToken: string, lang = 'en') =>
    fetch(`${w.server.base}/Bundle/${id}`, { headers: { authorization: `Bearer ${w.toronto}`, 'x-consent-token': consentToken, 'accept-language': lang } });
  /** Id of the release Provenance (the last entry; the translator adds its own, content-derived one before it). */
  const provenanceId = (doc: any) => doc.entry.filter((e: any) => e.resource.resourceType === 'Provenance').pop().resource.id as string;
  const patientSystems = (doc: any) => (doc.entry.find((e: any) => e.resource.resourceType === 'Patient').resource.identifier ?? []).map((i: any) => i.system);

  it('serves the same delivery again while the consent is unchanged, per language', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const a = await (await read(w.docId, g.token!)).json();
    const b = await (await read(w.docId, g.token!)).json();
    expect(provenanceId(b), 'second read reused the delivery').to.equal(provenanceId(a));
    expect(b.signature.data).to.equal(a.signature.data);
    const zh = await read(w.docId, g.token!, 'zh-CN');
    expect(zh.status).to.equal(200);
    expect(provenanceId(await zh.json()), 'another language is another delivery').to.not.equal(provenanceId(a));
    await fhirPost(w, `/Consent/${g.consent.id}/$revoke`, w.hospital, {});
  });

  it('a cached delivery is sent as the same bytes with the ETag express makes of them', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    const first = await read(w.docId, g.token!);
    const second = await read(w.docId, g.token!);
    const [a, b] = [Buffer.from(await first.arrayBuffer()), Buffer.from(await second.arrayBuffer())];
    expect(b.equals(a), 'same bytes').to.equal(true);
    expect(JSON.parse(b.toString('utf8')).resourceType).to.equal('Bundle');
    expect(second.headers.get('content-type')).to.equal('application/fhir+json; charset=utf-8');
    expect(Number(second.headers.get('content-length'))).to.equal(b.length);
    expect(second.headers.get('etag'), "express's weak ETag of these bytes").to.equal(wetag(b));
    expect(first.headers.get('etag')).to.equal(second.headers.get('etag'));
    await fhirPost(w, `/Consent/${g.consent.id}/$revoke`, w.hospital, {});
  });

  it('a revocation refuses the next request at once, although the document and the token are cached', async () => {
    const g = await grant(w, grantParameters([], { document: w.docId }));
    for (let i = 0; i < 3; i++) expect((await read(w.docId, g.token!)).status).to.equal(200);
    const revoked = await fhirPost(w, `/Consent/${g.consent.id}/$revoke`, w.hospital, {});
    expect(revoked.status).to.equal(200);
    const after = await read(w.docId, g.token!);
    expect(after.status).to.equal(404);
    expect((await after.json()).resourceType).to.equal('OperationOutcome');
  });

  it('a new consent version (same id, same token) is never served the previous version\'s document', async () => {
    const v1 = await grant(w, grantParameters([], { document: w.docId }));
    const first = await (await read(w.docId, v1.token!)).json();
    expect(patientSystems(first), 'v1 does not export the resident ID').to.not.include(PATIENT.system);
    await read(w.docId, v1.token!); // warm
    const v2 = await grant(w, grantParameters([{ name: 'allowSensitive', valueCode: 'resident-id' }], { document: w.docId }));
    expect(v2.consent.id, 'the grant superseded v1 as a new version of the same consent').to.equal(v1.consent.id);
    expect(v2.consent.meta.versionId).to.not.equal(v1.consent.meta.versionId);
    const second = await (await read(w.docId, v1.token!)).json();
    expect(provenanceId(second)).to.not.equal(provenanceId(first));
    expect(patientSystems(second), 'v2 exports the resident ID').to.include(PATIENT.system);
    const v3 = await grant(w, grantParameters([], { document: w.docId }));
    expect(v3.consent.id).to.equal(v1.consent.id);
    const third = await (await read(w.docId, v1.token!)).json();
    expect(patientSystems(third), 'v3 withdrew the resident ID again').to.not.include(PATIENT.system);
    await fhirPost(w, `/Consent/${v1.consent.id}/$revoke`, w.hospital, {});
  });
});
