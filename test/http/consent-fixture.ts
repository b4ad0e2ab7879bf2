/**
 * Shared set-up for the consent HTTP suites: a running gateway, the example participants' access
 * tokens, a stored discharge summary of Shanghai hospital, `$grant` as a FHIR Parameters, and the
 * audit log read back through GET /fhir/AuditEvent (admin).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer, repoRoot, type TestServer } from '../support/server.js';
import { accessToken, client } from '../support/clients.js';

export const PATIENT = { system: 'urn:oid:2.16.156.10011.1.3', value: '440106196309220486' };
export const TORONTO = 'org-toronto-heart-example';

export interface ConsentWorld {
  server: TestServer;
  hospital: string;
  otherHospital: string;
  toronto: string;
  leeds: string;
  admin: string;
  docId: string;
}

export function fixture(name = 'cn-t2dm-htn.json'): any {
  return JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures', name), 'utf8'));
}

export async function submit(w: ConsentWorld, doc: any, token = w.hospital): Promise<string> {
  const res = await fetch(`${w.server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(doc) });
  const body = await res.json();
  if (res.status !== 201 && res.status !== 200) throw new Error(`submit failed ${res.status} ${JSON.stringify(body).slice(0, 400)}`);
  return body.id;
}

export async function startWorld(): Promise<ConsentWorld> {
  const server = await startTestServer();
  const w: ConsentWorld = {
    server,
    hospital: await accessToken(server.url, client('hospital', 0)),
    otherHospital: await accessToken(server.url, client('hospital', 1)),
    toronto: await accessToken(server.url, client('provider', 0)),
    leeds: await accessToken(server.url, client('provider', 1)),
    admin: await accessToken(server.url, client('admin', 0)),
    docId: '',
  };
  w.docId = await submit(w, fixture());
  return w;
}

export function grantParameters(extra: any[] = [], opts: { document?: string; recipient?: any; end?: string } = {}): any {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: PATIENT },
      opts.recipient ?? { name: 'recipient', valueReference: { reference: `Organization/${TORONTO}` } },
      { name: 'purpose', valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' } },
      ...(opts.document ? [{ name: 'document', valueReference: { reference: `Bundle/${opts.document}` } }] : []),
      { name: 'end', valueDateTime: opts.end ?? new Date(Date.now() + 30 * 86_400_000).toISOString() },
      ...extra,
    ],
  };
}

export async function fhirPost(w: ConsentWorld, pathName: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${w.server.base}${pathName}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

export interface Granted {
  consent: any;
  link: string;
  token?: string;
  managementLink: string;
}

export async function grant(w: ConsentWorld, params: any, token = w.hospital): Promise<Granted> {
  const r = await fhirPost(w, '/Consent/$grant', token, params);
  if (r.status !== 201) throw new Error(`grant failed ${r.status} ${JSON.stringify(r.body).slice(0, 600)}`);
  const get = (n: string) => r.body.parameter.find((p: any) => p.name === n);
  return { consent: get('consent').resource, link: get('link').valueUrl, token: get('token')?.valueString, managementLink: get('managementLink').valueUrl };
}

/** Gateway actions (our audit subtype codes) of the entries naming this consent. */
export async function auditActions(w: ConsentWorld, consentId: string): Promise<{ action: string; outcome: string; event: any }[]> {
  const res = await fetch(`${w.server.base}/AuditEvent?_count=1000`, { headers: { authorization: `Bearer ${w.admin}` } });
  if (res.status !== 200) throw new Error(`audit search ${res.status}`);
  const b = await res.json();
  return (b.entry ?? [])
    .map((e: any) => e.resource)
    .filter((e: any) => (e.entity ?? []).some((x: any) => x.what?.reference === `Consent/${consentId}`))
    .map((e: any) => ({ action: e.subtype.filter((c: any) => String(c.system).endsWith('audit-event-subtype')).map((c: any) => c.code).pop(), outcome: e.outcome, event: e }));
}
