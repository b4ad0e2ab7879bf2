import { expect } from 'chai';
import { convertCdaDischargeSummary } from '../../../src/ingest/cda/index.js';
import { convert, counterIds, fixture, FIXTURES, NOW, resources } from './helpers.js';

const UUID_URL = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;

describe('CDA ingest: WS/T 500.53 fixtures → FHIR document Bundle', () => {
  it('has at least five fixtures', () => {
    expect(FIXTURES.length).to.be.at.least(5);
  });

  for (const name of FIXTURES) {
    describe(name, () => {
      const xml = fixture(name);
      const r = convert(xml);
      const bundle = r.bundle;
      const comp = bundle.entry![0]!.resource as Record<string, any>;

      it('is a document Bundle whose first entry is the C0053 / LOINC 18842-5 Composition in zh-CN', () => {
        expect(bundle.type).to.equal('document');
        expect(bundle.identifier?.system).to.equal('urn:oid:2.16.156.10011.1.1');
        expect(bundle.timestamp).to.equal(NOW.toISOString());
        expect(comp.resourceType).to.equal('Composition');
        expect(comp.language).to.equal('zh-CN');
        expect(comp.status).to.equal('final');
        const codings = comp.type.coding.map((c: any) => `${c.system}|${c.code}`);
        expect(codings).to.include.members(['urn:oid:2.16.156.10011.2.4|C0053', 'http://loinc.org|18842-5']);
        expect(comp.date).to.match(DATETIME);
        expect(comp.confidentiality).to.equal('N');
      });

      it('gives every entry a urn:uuid fullUrl equal to its id, and every reference resolves inside the Bundle', () => {
        const urls = new Set<string>();
        for (const e of bundle.entry!) {
          expect(e.fullUrl).to.match(UUID_URL);
          expect(e.fullUrl).to.equal(`urn:uuid:${e.resource!.id}`);
          urls.add(e.fullUrl!);
        }
        expect(urls.size).to.equal(bundle.entry!.length);
        const refs: string[] = [];
        JSON.stringify(bundle, (k, v) => {
          if ((k === 'reference' || k === 'url') && typeof v === 'string' && v.startsWith('urn:uuid:')) refs.push(v);
          return v;
        });
        expect(refs.length).to.be.above(10);
        for (const ref of refs) expect(urls.has(ref), ref).to.equal(true);
      });

      it('maps the patient: identifiers by OID, hanzi name, GB/T 2261.1 sex, birth date, age', () => {
        const [p] = resources(r, 'Patient');
        const systems = p!.identifier.map((i: any) => i.system);
        expect(systems).to.include.members(['urn:oid:2.16.156.10011.1.19', 'urn:oid:2.16.156.10011.1.12']);
        expect(p!.name[0].text).to.match(/^[\u4e00-\u9fff]{2,4}$/);
        expect(p!.gender).to.be.oneOf(['male', 'female']);
        expect(p!.extension[0].valueCodeableConcept.coding[0].system).to.equal('urn:oid:2.16.156.10011.2.3.3.4');
        expect(p!.birthDate).to.match(/^\d{4}-\d{2}-\d{2}$/);
        const age = resources(r, 'Observation').find((o) => o.code.coding.some((c: any) => c.code === '30525-0'));
        expect(age?.valueQuantity).to.include({ system: 'http://unitsofmeasure.org', code: 'a' });
        expect(comp.subject.reference).to.equal(bundle.entry!.find((e) => e.resource!.resourceType === 'Patient')!.fullUrl);
      });

      it('maps the inpatient Encounter with admission/discharge times, ward, room, bed, department and length of stay', () => {
        const [enc] = resources(r, 'Encounter');
        expect(enc!.class.code).to.equal('IMP');
        expect(enc!.period.start).to.match(DATETIME);
        expect(enc!.period.end).to.match(DATETIME);
        expect(enc!.location.map((l: any) => l.physicalType.coding[0].code)).to.deep.equal(['wa', 'ro', 'bd']);
        const dept = resources(r, 'Organization').find((o) => o.type?.[0]?.coding?.[0]?.code === 'dept');
        expect(dept?.partOf?.reference).to.equal(comp.custodian.reference);
        expect(enc!.serviceProvider.display).to.equal(dept!.name);
        expect(enc!.length).to.include({ code: 'd', system: 'http://unitsofmeasure.org' });
        expect(enc!.length.value).to.be.above(0);
        const uses = enc!.diagnosis.map((d: any) => d.use.coding[0].code);
        expect(uses).to.include.members(['AD', 'DD']);
      });

      it('maps author, custodian and the legal and professional attesters', () => {
        expect(comp.author).to.have.length(1);
        const modes = comp.attester.map((a: any) => a.mode);
        expect(modes).to.deep.equal(['legal', 'professional']);
        for (const a of comp.attester) expect(a.time).to.match(DATETIME);
        const custodian = resources(r, 'Organization').find((o) => `urn:uuid:${o.id}` === comp.custodian.reference);
        expect(custodian!.identifier[0].system).to.equal('urn:oid:2.16.156.10011.1.5');
      });

      it('keeps the original CDA byte for byte in a Binary linked from a DocumentReference, and records a Provenance', () => {
        const [bin] = resources(r, 'Binary');
        expect(bin!.contentType).to.equal('application/hl7-cda+xml');
        expect(Buffer.from(bin!.data, 'base64').toString('utf8')).to.equal(xml);
        const [dr] = resources(r, 'DocumentReference');
        expect(dr!.content[0].attachment.url).to.equal(`urn:uuid:${bin!.id}`);
        expect(dr!.content[0].attachment.size).to.equal(Buffer.byteLength(xml));
        expect(comp.relatesTo[0]).to.deep.equal({ code: 'transforms', targetIdentifier: bundle.identifier });
        expect(dr!.masterIdentifier).to.deep.equal(bundle.identifier);
        expect(dr!.context.related).to.deep.equal([{ reference: bundle.entry![0]!.fullUrl }]);
        const [prov] = resources(r, 'Provenance');
        expect(prov!.activity.coding[0].code).to.equal('transform');
        expect(prov!.entity[0]).to.deep.equal({ role: 'source', what: { reference: `urn:uuid:${dr!.id}` } });
        expect(prov!.target[0].reference).to.equal(bundle.entry![0]!.fullUrl);
        expect(prov!.agent[0].who.display).to.be.a('string');
      });

      it('writes every section narrative as a zh-CN XHTML div', () => {
        for (const s of comp.section) {
          expect(s.text.div.startsWith('<div xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">')).to.equal(true);
          expect(s.text.div).to.not.match(/<(script|a|img|iframe)\b/);
        }
      });

      it('is deterministic for the same input, clock and id sequence', () => {
        const again = convertCdaDischargeSummary(xml, { now: () => NOW, newId: counterIds() });
        expect(again.bundle).to.deep.equal(bundle);
      });
    });
  }

  it('maps TCM disease and syndrome as Conditions in GB/T 15657 beside the ICD-10 ones', () => {
    const r = convert(fixture('02-stroke-tcm-de-codesystem.xml'));
    const conds = resources(r, 'Condition');
    const tcm = conds.filter((c) => c.code.coding[0].system === 'urn:oid:2.16.156.10011.2.3.3.14');
    expect(tcm.map((c) => c.category[1].text).sort()).to.deep.equal(['中医病名', '中医病名', '中医证候', '中医证候']);
    const admission = conds.filter((c) => c.verificationStatus.coding[0].code === 'provisional');
    expect(admission).to.have.length(4);
  });

  it('maps a procedure with ICD-9-CM-3, its times, and incision class / healing grade / anaesthesia as Observations partOf it', () => {
    const r = convert(fixture('05-hip-fracture-template-72.xml'));
    const [proc] = resources(r, 'Procedure');
    expect(proc!.code.coding[0]).to.include({ system: 'urn:oid:2.16.156.10011.2.3.3.12', code: '81.5201' });
    expect(proc!.performedPeriod).to.deep.equal({ start: '2024-08-10T09:00:00+08:00', end: '2024-08-10T11:20:00+08:00' });
    const parts = resources(r, 'Observation').filter((o) => o.partOf?.[0]?.reference === `urn:uuid:${proc!.id}`);
    const comp = r.bundle.entry![0]!.resource as any;
    const procSection = comp.section.find((x: any) => x.code.coding[0].code === '47519-4');
    expect(procSection.entry).to.deep.equal([{ reference: `urn:uuid:${proc!.id}` }]);
    const byDe = Object.fromEntries(parts.map((o) => [o.code.coding[0].code, o.valueCodeableConcept.coding[0].display]));
    expect(byDe).to.deep.equal({ 'DE06.00.257.00': 'Ⅰ类切口', 'DE05.10.147.00': 'Ⅰ/甲', 'DE06.00.073.00': '椎管内麻醉' });
  });

  it('merges the resident physician appearing as author and authenticator into one Practitioner', () => {
    const r = convert(fixture('01-pneumonia-icd10-oid-11-3.xml'));
    const prs = resources(r, 'Practitioner');
    expect(prs).to.have.length(2);
    const resident = prs.find((p) => p.name[0].text === '赵静')!;
    expect(resident.identifier.map((i: any) => i.system).sort()).to.deep.equal(['urn:oid:2.16.156.10011.1.4', 'urn:oid:2.16.156.10011.1.7']);
  });

  it('refuses a newId that is not a UUID as our own misuse (TypeError)', () => {
    expect(() => convertCdaDischargeSummary(fixture(FIXTURES[0]!), { now: () => NOW, newId: () => 'x' })).to.throw(TypeError);
  });
});
