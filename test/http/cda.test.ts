/**
 * The CDA path over HTTP (issue 9): a WS/T 500.53 document POSTed as XML is converted, stored and
 * returned as a FHIR document; $convert answers without storing; bad XML is a 400 OperationOutcome.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/server.js';
import { gatewayWithToken } from '../support/clients.js';

const dir = path.join(repoRoot, 'test/fixtures/cda');
const cdas = readdirSync(dir).filter((f) => f.endsWith('.xml'));

describe('CDA discharge summaries over HTTP', function () {
  const gw = gatewayWithToken('hospital');

  it('finds the five CDA fixtures', () => expect(cdas.length).to.be.at.least(5));

  for (const f of cdas) {
    it(`stores ${f} posted as application/hl7-cda+xml: converted, validated against our profile, original kept`, async () => {
      const xml = readFileSync(path.join(dir, f), 'utf8');
      const res = await fetch(`${gw.server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/hl7-cda+xml' }, body: xml });
      const body = await res.json();
      // Intake validates every document: a 201 means 0 errors against the CN discharge-summary profile.
      expect(res.status, JSON.stringify(body).slice(0, 500)).to.equal(201);
      expect(body.type).to.equal('document');
      expect(body.entry[0].resource.resourceType).to.equal('Composition');
      const binary = body.entry.find((e: any) => e.resource.resourceType === 'Binary').resource;
      expect(Buffer.from(binary.data, 'base64').toString('utf8')).to.equal(xml);
    });
  }

  it('converts every CDA fixture with $convert and reports normalisation warnings with XPaths', async () => {
    let warnings = 0;
    for (const f of cdas) {
      const res = await fetch(`${gw.server.base}/$convert`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/xml' },
        body: readFileSync(path.join(dir, f), 'utf8'),
      });
      const params = await res.json();
      expect(res.status, f).to.equal(200);
      expect(params.parameter[0].resource.type).to.equal('document');
      const issues = params.parameter[1].resource.issue.filter((i: any) => i.severity === 'warning');
      for (const i of issues) expect(i.expression[0]).to.match(/^\/ClinicalDocument/);
      warnings += issues.length;
    }
    expect(warnings).to.be.greaterThan(0);
  });

  it('answers malformed XML with a 400 OperationOutcome and no parser message', async () => {
    const res = await fetch(`${gw.server.base}/Bundle`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument>&e;</ClinicalDocument>',
    });
    const oo = await res.json();
    expect(res.status).to.equal(400);
    expect(oo.resourceType).to.equal('OperationOutcome');
    expect(JSON.stringify(oo)).to.not.match(/root:|saxes/i);
  });
});
