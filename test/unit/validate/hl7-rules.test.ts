/**
 * Engine rules added for agreement with HL7's validator (see test/conformance for the corpus
 * figures): R4 errata, narrative XHTML and embedded HTML, example URLs, Coding.system, searchset
 * entries, Attachment.size, quantity bounds with UCUM, extension context and modifier use,
 * ImplementationGuide.global, QuestionnaireResponse linkIds, references between Parameters
 * resources, ambiguous versioned references. Each test asserts the rule code and its expression.
 */
import { expect } from 'chai';
import { createValidator } from '../../../src/validate/index.js';
import type { Issue } from '../../../src/errors.js';
import type { Resource } from '../../../src/fhir/types.js';

const v = createValidator({ resources: [] });
const errs = (issues: Issue[]): Issue[] => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
const has = (issues: Issue[], rule: string, expr: string): boolean => issues.some((i) => i.rule === rule && i.expression?.[0] === expr);

describe('validate: HL7 validator rules', () => {
  it('que-12 fires on two enableWhen without enableBehavior (R4 erratum: > 1)', () => {
    const q = { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: 'a', type: 'string', enableWhen: [{ question: 'x', operator: 'exists', answerBoolean: true }, { question: 'y', operator: 'exists', answerBoolean: true }] }] };
    expect(has(v.validateResource(q).issues, 'que-12', 'Questionnaire.item[0]')).to.equal(true);
  });

  it('narrative: script elements and event attributes break txt-1, plain markup passes', () => {
    const bad = v.validateResource({ resourceType: 'Patient', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">a</p><script>x</script></div>' } });
    expect(has(bad.issues, 'txt-1', 'Patient.text.div')).to.equal(true);
    expect(has(bad.issues, 'xhtml-element', 'Patient.text.div')).to.equal(true);
    expect(has(bad.issues, 'xhtml-attribute', 'Patient.text.div')).to.equal(true);
    const good = v.validateResource({ resourceType: 'Patient', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p class="x"><a href="#a">b</a><br/></p><!-- c --></div>' } });
    expect(errs(good.issues)).to.have.length(0);
  });

  it('HTML in a string is information by default and an error with securityChecks; in markdown a warning or an error', () => {
    const pat = { resourceType: 'Patient', name: [{ text: 'A <script>x</script>' }] };
    expect(errs(v.validateResource(pat).issues)).to.have.length(0);
    const strict = createValidator({ resources: [], securityChecks: true, noHtmlInMarkdown: true });
    expect(has(strict.validateResource(pat).issues, 'string-html', 'Patient.name[0].text')).to.equal(true);
    const comm = { resourceType: 'Communication', status: 'completed', note: [{ text: 'see <b>this</b>' }] };
    expect(v.validateResource(comm).issues.find((i) => i.rule === 'markdown-html')?.severity).to.equal('warning');
    expect(strict.validateResource(comm).issues.find((i) => i.rule === 'markdown-html')?.severity).to.equal('error');
  });

  it('example URLs: unknown example.org extensions pass by default; allowExampleUrls false rejects example URIs', () => {
    const pat = { resourceType: 'Patient', extension: [{ url: 'http://example.org/ext', valueString: 'a' }] };
    expect(v.validateResource(pat).issues.filter((i) => i.rule === 'extension-unknown')).to.have.length(0);
    const noEx = createValidator({ resources: [], allowExampleUrls: false });
    expect(has(noEx.validateResource(pat).issues, 'example-url', 'Patient.extension[0].url')).to.equal(true);
  });

  it('Coding.system must be absolute and name a code system, not a value set', () => {
    const obs = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'local', code: 'a' }, { system: 'http://hl7.org/fhir/ValueSet/observation-status', code: 'final' }] } };
    const r = v.validateResource(obs);
    expect(has(r.issues, 'coding-system-local', 'Observation.code.coding[0].system')).to.equal(true);
    expect(has(r.issues, 'coding-system-valueset', 'Observation.code.coding[1].system')).to.equal(true);
  });

  it('searchset: outcome entries must be OperationOutcomes, matches must have ids and the searched type', () => {
    const b = {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'self', url: 'http://x/fhir/Patient?name=a' }],
      entry: [
        { fullUrl: 'http://x/fhir/Observation/1', resource: { resourceType: 'Observation', id: '1', status: 'final', code: { text: 'a' } }, search: { mode: 'outcome' } },
        { fullUrl: 'http://x/fhir/Practitioner/2', resource: { resourceType: 'Practitioner' }, search: { mode: 'match' } },
      ],
    };
    const r = v.validateResource(b);
    expect(has(r.issues, 'bundle-search-outcome', 'Bundle.entry[0].resource')).to.equal(true);
    expect(has(r.issues, 'bundle-search-id', 'Bundle.entry[1].resource')).to.equal(true);
    expect(has(r.issues, 'bundle-search-type', 'Bundle.entry[1].resource')).to.equal(true);
  });

  it('Attachment.size must match the decoded data', () => {
    const r = v.validateResource({ resourceType: 'Media', status: 'completed', content: { contentType: 'text/plain', data: 'aGVsbG8=', size: 9 } });
    expect(has(r.issues, 'attachment-size', 'Media.content')).to.equal(true);
    expect(errs(v.validateResource({ resourceType: 'Media', status: 'completed', content: { contentType: 'text/plain', data: 'aGVsbG8=', size: 5 } }).issues)).to.have.length(0);
  });

  it('maxValueQuantity compares after UCUM conversion', () => {
    const profile = {
      resourceType: 'StructureDefinition',
      url: 'http://example.org/sd/weight',
      name: 'W',
      status: 'draft',
      kind: 'resource',
      abstract: false,
      type: 'Observation',
      baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Observation',
      derivation: 'constraint',
      differential: { element: [{ id: 'Observation.value[x]', path: 'Observation.value[x]', type: [{ code: 'Quantity' }], maxValueQuantity: { value: 1, system: 'http://unitsofmeasure.org', code: 'kg' } }] },
    } as unknown as Resource;
    const pv = createValidator({ resources: [profile] });
    const obs = (value: number, code: string): unknown => ({ resourceType: 'Observation', status: 'final', code: { text: 'w' }, valueQuantity: { value, system: 'http://unitsofmeasure.org', code } });
    expect(has(pv.validateResource(obs(1500, 'g'), { profiles: ['http://example.org/sd/weight'] }).issues, 'max-value', 'Observation.value.ofType(Quantity)')).to.equal(true);
    expect(errs(pv.validateResource(obs(900, 'g'), { profiles: ['http://example.org/sd/weight'] }).issues)).to.have.length(0);
  });

  it('extensions: context by type or path, and modifier vs regular use', () => {
    const misplaced = { resourceType: 'Patient', name: [{ family: 'A', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/humanname-mothers-family', valueString: 'B' }] }] };
    expect(has(v.validateResource(misplaced).issues, 'extension-context', 'Patient.name[0]')).to.equal(true);
    const placed = { resourceType: 'Patient', name: [{ family: 'A', _family: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/humanname-mothers-family', valueString: 'B' }] } }] };
    expect(v.validateResource(placed).issues.filter((i) => i.rule === 'extension-context')).to.have.length(0);
    const asModifier = { resourceType: 'Patient', modifierExtension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'X' } }] };
    expect(has(v.validateResource(asModifier).issues, 'extension-not-modifier', 'Patient.modifierExtension[0]')).to.equal(true);
  });

  it('ImplementationGuide.global profiles apply to every resource of the type', () => {
    const sd = {
      resourceType: 'StructureDefinition',
      url: 'http://example.org/sd/named-patient',
      name: 'P',
      status: 'draft',
      kind: 'resource',
      abstract: false,
      type: 'Patient',
      baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient',
      derivation: 'constraint',
      differential: { element: [{ id: 'Patient.name', path: 'Patient.name', min: 1 }] },
    } as unknown as Resource;
    const ig = { resourceType: 'ImplementationGuide', url: 'http://example.org/ig', global: [{ type: 'Patient', profile: 'http://example.org/sd/named-patient' }] } as unknown as Resource;
    const gv = createValidator({ resources: [sd, ig] });
    expect(has(gv.validateResource({ resourceType: 'Patient' }).issues, 'min-cardinality', 'Patient')).to.equal(true);
  });

  it('QuestionnaireResponse linkIds must exist in the Questionnaire we hold', () => {
    const q = { resourceType: 'Questionnaire', url: 'http://example.org/q', status: 'active', item: [{ linkId: 'a', type: 'string' }] } as unknown as Resource;
    const qv = createValidator({ resources: [q] });
    const qr = { resourceType: 'QuestionnaireResponse', status: 'completed', questionnaire: 'http://example.org/q', item: [{ linkId: 'a' }, { linkId: 'zz' }] };
    const r = qv.validateResource(qr);
    expect(r.issues.filter((i) => i.rule === 'qr-linkid')).to.have.length(1);
  });

  it('checkReferencesExist: references between Parameters resources must resolve', () => {
    const params = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'p', resource: { resourceType: 'Patient', id: '1' } },
        { name: 'c', resource: { resourceType: 'Coverage', id: 'c', status: 'active', beneficiary: { reference: 'Patient/2' }, payor: [{ reference: 'Patient/1' }] } },
      ],
    };
    expect(errs(v.validateResource(params).issues)).to.have.length(0);
    const strict = createValidator({ resources: [], checkReferencesExist: true });
    const r = strict.validateResource(params);
    expect(has(r.issues, 'reference-unresolved', 'Parameters.parameter[1].resource.beneficiary')).to.equal(true);
    expect(errs(r.issues)).to.have.length(1);
  });

  it('an unversioned reference to a fullUrl shared by two versions is ambiguous in a document', () => {
    const obs = (ver: string): unknown => ({ fullUrl: 'http://x/fhir/Observation/o', resource: { resourceType: 'Observation', id: 'o', meta: { versionId: ver }, status: 'final', code: { text: 'a' } } });
    const doc = {
      resourceType: 'Bundle',
      type: 'document',
      identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:2f4f0bb8-6e2a-4a39-9d73-d0c1c0a1f001' },
      timestamp: '2024-01-01T00:00:00Z',
      entry: [
        { fullUrl: 'http://x/fhir/Composition/c', resource: { resourceType: 'Composition', id: 'c', status: 'final', type: { text: 't' }, date: '2024-01-01', author: [{ display: 'a' }], title: 't', section: [{ title: 's', entry: [{ reference: 'Observation/o' }, { reference: 'Observation/o/_history/2' }] }] } },
        obs('1'),
        obs('2'),
      ],
    };
    const r = v.validateResource(doc);
    expect(has(r.issues, 'reference-ambiguous', 'Bundle.entry[0].resource.section[0].entry[0]')).to.equal(true);
    expect(r.issues.filter((i) => i.expression?.[0] === 'Bundle.entry[0].resource.section[0].entry[1]' && i.severity === 'error')).to.have.length(0);
  });
});
