// fhir-profiles/consent/ and the code agree: every extension URL the code writes has a
// StructureDefinition, every closed list equals its CodeSystem / ValueSet, and the Consents the
// code builds (grant, withdrawal, emergency) validate against cn-cross-border-consent.
import { expect } from 'chai';
import path from 'node:path';
import { buildEmergencyConsent } from '../../../src/consent/emergency.js';
import { buildConsent, parseGrantParameters, withdrawConsent } from '../../../src/consent/model.js';
import {
  CHANNELS, CONSENT_PROFILE, CS_CHANNEL, CS_LEGAL_BASIS, CS_PROCESSING_METHOD, CS_SENSITIVE, EXT, LEGAL_BASES, PIPL_CATEGORY, PROCESSING_METHODS, PURPOSES, SENSITIVE_CATEGORIES,
} from '../../../src/consent/vocab.js';
import type { Resource } from '../../../src/fhir/types.js';
import { loadFhirResources } from '../../../src/profiles/load.js';
import { createValidator } from '../../../src/validate/index.js';
import { grantParams, NOW, PATIENT, repoRoot, resolveOrganization } from './fixtures.js';

const resources = loadFhirResources([path.join(repoRoot, 'fhir-profiles/consent')]);
const byUrl = new Map(resources.map((r) => [String((r as Record<string, unknown>).url), r as Record<string, any>]));
const codes = (url: string) => (byUrl.get(url)?.concept ?? []).map((c: { code: string }) => c.code);
const hospital = { id: 'pumch', name: '北京协和医院' };

describe('fhir-profiles/consent', () => {
  it('defines every extension the code writes', () => {
    for (const url of Object.values(EXT)) {
      const sd = byUrl.get(url);
      expect(sd?.resourceType, url).to.equal('StructureDefinition');
      expect(sd?.type).to.equal('Extension');
    }
    expect(byUrl.get(CONSENT_PROFILE)?.type).to.equal('Consent');
  });

  it('has code systems equal to the lists the code branches on', () => {
    expect(codes(CS_PROCESSING_METHOD)).to.deep.equal([...PROCESSING_METHODS]);
    expect(codes(CS_CHANNEL)).to.deep.equal([...CHANNELS]);
    expect(codes(CS_LEGAL_BASIS)).to.deep.equal([...LEGAL_BASES]);
    expect(codes(CS_SENSITIVE)).to.deep.equal([...SENSITIVE_CATEGORIES]);
    expect(codes(PIPL_CATEGORY.system)).to.deep.equal([PIPL_CATEGORY.code]);
  });

  it('has a purpose value set with exactly the purposes the grant accepts', () => {
    const vs = byUrl.get('https://emr-gateway.example.org/fhir/ValueSet/consent-purpose')!;
    const listed = vs.compose.include.flatMap((inc: any) => inc.concept.map((c: any) => `${inc.system}|${c.code}`));
    expect(listed.sort()).to.deep.equal(PURPOSES.map((p) => `${p.system}|${p.code}`).sort());
  });
});

describe('built Consents validate against cn-cross-border-consent', function () {
  this.timeout(60_000);
  const validator = createValidator({ resources: resources as Resource[] });
  const grant = parseGrantParameters(
    grantParams({
      s: [{ name: 'section', valueCoding: { system: 'http://loinc.org', code: '11535-2' } }],
      t: [{ name: 'documentType', valueCoding: { system: 'urn:oid:2.16.156.10011.2.4', code: 'C0053', display: '出院小结' } }],
      p: [{ name: 'dataPeriod', valuePeriod: { start: '2024-01-01' } }],
    }),
    { resolveOrganization, now: NOW },
  );
  const granted = buildConsent(grant, { id: 'c1', now: NOW, hospital, channel: 'hospital-on-behalf' });
  const cases: [string, unknown][] = [
    ['a hospital grant', granted],
    ['a withdrawn consent', withdrawConsent(granted, NOW)],
    ['an emergency consent', buildEmergencyConsent({ patient: PATIENT, reason: 'Unconscious after a road accident', recipient: { kind: 'organization', ...resolveOrganization('charite')! }, documentTypes: [] }, { id: 'e1', now: NOW, hospital })],
  ];
  for (const [name, consent] of cases) {
    it(name, () => {
      const r = validator.validateResource(consent, { profiles: [CONSENT_PROFILE] });
      const errors = r.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
      expect(errors, JSON.stringify(errors, null, 1)).to.deep.equal([]);
      expect(r.valid).to.equal(true);
    });
  }

  it('reports a Consent missing the notice and with a foreign scope', () => {
    const bad = structuredClone(granted) as Record<string, any>;
    bad.extension = bad.extension.filter((e: any) => e.url !== EXT.notice);
    bad.scope = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] };
    const r = validator.validateResource(bad, { profiles: [CONSENT_PROFILE] });
    expect(r.valid).to.equal(false);
    const where = r.issues.filter((i) => i.severity === 'error').flatMap((i) => i.expression ?? []);
    expect(where.some((e) => e.startsWith('Consent.scope'))).to.equal(true);
    expect(where.some((e) => e.startsWith('Consent.extension') || e === 'Consent')).to.equal(true);
  });
});
