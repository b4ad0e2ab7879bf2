/**
 * CDA header participants (WS/T 500.53 header) → FHIR R4 Organization, Practitioner, Encounter
 * and Composition.attester.
 *
 * - custodian/representedCustodianOrganization → Organization (identifier urn:oid:2.16.156.10011.1.5)
 * - author/assignedAuthor → Practitioner (urn:oid:…1.7) = Composition.author
 * - legalAuthenticator → attester mode `legal`, authenticator → mode `professional`
 *   (FHIR R4 composition-attestation-mode), Practitioner identified under urn:oid:…1.4
 * - componentOf/encompassingEncounter → Encounter (class IMP, period low/high = admission and
 *   discharge, DE06.00.092.00 / DE06.00.017.00); its location chain (bed .1.22, room .1.21,
 *   department .1.26, ward .1.27) → Encounter.location (display + identifier) and a department
 *   Organization (type `dept`, partOf the hospital) as serviceProvider.
 *
 * Invariant: the same person (same id root + extension) appearing in several roles becomes one
 * Practitioner; a missing author or encounter is an error (Composition.author is 1..*).
 */
import type { Identifier, Reference, Resource } from '../../fhir/types.js';
import type { Ctx } from './context.js';
import { attr, cleanText, descendants, kid, kids, path } from './dom.js';
import { tsToDateTime } from './datetime.js';
import { OID } from './systems.js';
import type { XmlElement } from './xml.js';

const ORG_TYPE = 'http://terminology.hl7.org/CodeSystem/organization-type';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const LOCATION_TYPE = 'http://terminology.hl7.org/CodeSystem/location-physical-type';

export interface Parties {
  custodian?: string;
  authors: string[];
  attesters: Record<string, unknown>[];
  encounter?: string;
  encounterResource?: Resource;
  period?: { start?: string; end?: string };
}

function ids(el: XmlElement | undefined): { root: string; ext: string; el: XmlElement }[] {
  return kids(el, 'id').flatMap((id) => {
    const root = attr(id, 'root');
    const ext = attr(id, 'extension');
    return root && ext ? [{ root, ext, el: id }] : [];
  });
}

export function mapParties(ctx: Ctx, doc: XmlElement, patientRef: string | undefined, inpatientNo?: string): Parties {
  const out: Parties = { authors: [], attesters: [] };
  const people = new Map<string, { fullUrl: string; resource: Record<string, unknown> }>();

  const org = path(doc, 'custodian', 'assignedCustodian', 'representedCustodianOrganization');
  if (org) {
    const identifier: Identifier[] = ids(org).map((i) => ({ system: `urn:oid:${i.root}`, value: i.ext }));
    const name = cleanText(kid(org, 'name'));
    out.custodian = ctx.add({ resourceType: 'Organization', identifier, active: true, ...(name ? { name } : {}) }).fullUrl;
  } else {
    ctx.warn('cda-no-custodian', 'The custodian organisation is missing.', '缺少文档保管机构（custodian）。', '/ClinicalDocument/custodian');
  }

  const person = (entity: XmlElement, personEl: XmlElement | undefined, role?: string): string => {
    const idList = ids(entity);
    const name = cleanText(kid(personEl, 'name'));
    // The same staff number and name under the author OID (.1.7) and the signature OID (.1.4) is
    // one person in two roles: one Practitioner carrying both identifiers.
    const key = `${idList[0]?.ext ?? ''}|${name}`;
    const known = people.get(key);
    const identifiers = idList.map((i) => ({ system: `urn:oid:${i.root}`, value: i.ext }));
    if (known) {
      const list = known.resource.identifier as Identifier[];
      for (const i of identifiers) if (!list.some((x) => x.system === i.system && x.value === i.value)) list.push(i);
      if (role && !known.resource.qualification) known.resource.qualification = [{ code: { text: role } }];
      return known.fullUrl;
    }
    const practitioner: Record<string, unknown> = {
      resourceType: 'Practitioner',
      identifier: identifiers,
      ...(name ? { name: [{ use: 'official', text: name }] } : {}),
    };
    if (role) practitioner.qualification = [{ code: { text: role } }];
    const added = ctx.add(practitioner as Resource);
    people.set(key, added as { fullUrl: string; resource: Record<string, unknown> });
    return added.fullUrl;
  };

  const authors = kids(doc, 'author');
  for (const a of authors) {
    const aa = kid(a, 'assignedAuthor');
    if (!aa) continue;
    out.authors.push(person(aa, kid(aa, 'assignedPerson')));
  }
  if (!out.authors.length) {
    ctx.error('cda-no-author', 'The document author (author/assignedAuthor) is missing.', '缺少文档创作者（author/assignedAuthor）。', '/ClinicalDocument/author');
  }

  const attest = (el: XmlElement, mode: string): void => {
    const ae = kid(el, 'assignedEntity');
    if (!ae) return;
    const role = attr(kid(ae, 'code'), 'displayName');
    const party = person(ae, kid(ae, 'assignedPerson'), role);
    const time = tsToDateTime(attr(kid(el, 'time'), 'value'));
    out.attesters.push({ mode, ...(time ? { time } : {}), party: { reference: party } });
  };
  for (const la of kids(doc, 'legalAuthenticator')) attest(la, 'legal');
  for (const au of kids(doc, 'authenticator')) attest(au, 'professional');

  const enc = path(doc, 'componentOf', 'encompassingEncounter');
  if (!enc) {
    ctx.error('cda-no-encounter', 'componentOf/encompassingEncounter (the inpatient stay) is missing.', '缺少住院就诊信息（componentOf/encompassingEncounter）。', '/ClinicalDocument/componentOf');
    return out;
  }
  const et = kid(enc, 'effectiveTime');
  const lowEl = kid(et, 'low');
  const highEl = kid(et, 'high');
  const start = tsToDateTime(attr(lowEl, 'value'));
  const end = tsToDateTime(attr(highEl, 'value'));
  if (!start) ctx.error('cda-no-admission-time', 'The admission time (DE06.00.092.00) is missing or invalid.', '入院日期时间（DE06.00.092.00）缺失或格式无效。', lowEl ?? et ?? enc);
  if (attr(highEl, 'value') && !end) ctx.warn('cda-bad-time', 'The discharge time (DE06.00.017.00) is not a valid TS value; left out.', '出院日期时间（DE06.00.017.00）格式无效，未填写。', highEl);
  out.period = { ...(start ? { start } : {}), ...(end ? { end } : {}) };

  const encounter: Record<string, unknown> = {
    resourceType: 'Encounter',
    status: end ? 'finished' : 'in-progress',
    class: { system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' },
    ...(inpatientNo ? { identifier: [{ system: `urn:oid:${OID.inpatientNo}`, value: inpatientNo }] } : {}),
    ...(patientRef ? { subject: { reference: patientRef } } : {}),
    period: out.period,
  };
  const locs = mapLocations(enc);
  if (locs.department) {
    const dept = locs.department;
    const deptUrl = ctx.add({
      resourceType: 'Organization',
      active: true,
      type: [{ coding: [{ system: ORG_TYPE, code: 'dept', display: 'Hospital Department' }] }],
      ...(dept.identifier ? { identifier: [dept.identifier] } : {}),
      name: dept.display,
      ...(out.custodian ? { partOf: { reference: out.custodian } } : {}),
    }).fullUrl;
    encounter.serviceProvider = { reference: deptUrl, display: dept.display };
  } else if (out.custodian) encounter.serviceProvider = { reference: out.custodian };
  if (locs.places.length) encounter.location = locs.places;
  const added = ctx.add(encounter as Resource);
  out.encounter = added.fullUrl;
  out.encounterResource = added.resource;
  return out;
}

/** Walk the wholeOrganization chain under encompassingEncounter/location by id root. */
function mapLocations(enc: XmlElement): { department?: { display: string; identifier?: Identifier }; places: Record<string, unknown>[] } {
  const kinds: Record<string, [string, string, string]> = {
    [OID.ward]: ['wa', 'Ward', '病区'],
    [OID.room]: ['ro', 'Room', '病房'],
    [OID.bed]: ['bd', 'Bed', '病床'],
  };
  const places: Record<string, unknown>[] = [];
  let department: { display: string; identifier?: Identifier } | undefined;
  const loc = kid(enc, 'location');
  if (!loc) return { places };
  for (const w of descendants(loc, (e) => e.name === 'wholeOrganization')) {
    const id = kid(w, 'id');
    const root = attr(id, 'root');
    const ext = attr(id, 'extension');
    const name = cleanText(kid(w, 'name')) || ext;
    if (!root || !name) continue;
    const identifier: Identifier | undefined = ext ? { system: `urn:oid:${root}`, value: ext } : undefined;
    if (root === OID.department) department = { display: name, ...(identifier ? { identifier } : {}) };
    const kind = kinds[root];
    if (kind) {
      const ref: Reference = { display: name, ...(identifier ? { identifier } : {}) };
      places.push({ location: ref, physicalType: { coding: [{ system: LOCATION_TYPE, code: kind[0], display: kind[1] }], text: kind[2] } });
    }
  }
  // Ward before room before bed, as a reader expects.
  const order = ['wa', 'ro', 'bd'];
  places.sort((a, b) => order.indexOf(code(a)) - order.indexOf(code(b)));
  return { ...(department ? { department } : {}), places };
}

function code(p: Record<string, unknown>): string {
  return ((p.physicalType as { coding: { code: string }[] }).coding[0]!.code) ?? '';
}
