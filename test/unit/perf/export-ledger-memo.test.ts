/**
 * consentRelease's memory of persons already in the export ledger (src/gateway/consent-release.ts):
 * only a remembered (committed) admission skips the ledger; the mechanism gate is checked on every
 * release; another year, hospital or person asks the ledger again; a refusal is never remembered.
 */
import { expect } from 'chai';
import type { ConsentRecord, HospitalMechanism } from '../../../src/consent/index.js';
import { GatewayError } from '../../../src/errors.js';
import { consentRelease } from '../../../src/gateway/consent-release.js';
import type { GatewayDeps } from '../../../src/gateway/deps.js';
import type { Stores } from '../../../src/store/ports.js';

describe('perf: export ledger memory of admitted persons', () => {
  let now = new Date('2026-03-01T00:00:00Z');
  let mechanism: HospitalMechanism = { mechanism: 'standard-contract', reference: 'SC-1', validUntil: '2026-12-31' };
  let asked = 0;
  let answer: 'recorded' | 'existing' | 'refused' = 'recorded';
  const tx = { consent: { ledger: { admitPerson: async () => (asked++, answer) } } } as unknown as Stores;
  const deps = {
    store: {}, clock: { now: () => now }, trust: { participants: [] },
    consent: { exportMechanism: () => mechanism, deliver: async () => ({}) },
  } as unknown as GatewayDeps;
  const consent = (patient = 'P1', hospitalId = 'org-h'): ConsentRecord =>
    ({ id: 'c', versionId: 1, hospitalId, patient: { system: 'urn:oid:2.16.156.10011.1.3', value: patient } }) as unknown as ConsentRecord;
  const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: GatewayError) => e.code);

  it('asks the ledger until an admission is remembered after commit, then not for that person and year', async () => {
    const r = consentRelease(deps);
    const k1 = await r.admitExport(tx, consent(), false);
    await r.admitExport(tx, consent(), false); // not yet remembered (e.g. the transaction did not commit)
    expect(asked).to.equal(2);
    r.rememberAdmitted(k1);
    await r.admitExport(tx, consent(), false);
    expect(asked, 'remembered person').to.equal(2);
    await r.admitExport(tx, consent('P2'), false);
    await r.admitExport(tx, consent('P1', 'org-other'), false);
    expect(asked, 'other person, other hospital').to.equal(4);
    now = new Date('2027-01-02T00:00:00Z');
    mechanism = { ...mechanism, validUntil: '2027-12-31' };
    await r.admitExport(tx, consent(), false);
    expect(asked, 'a new calendar year').to.equal(5);
  });

  it('checks the mechanism on every release, remembered person or not, and never remembers a refusal', async () => {
    const r = consentRelease(deps);
    r.rememberAdmitted(await r.admitExport(tx, consent('P9'), false));
    mechanism = { ...mechanism, validUntil: '2026-01-01' }; // expired before `now`
    expect(await code(r.admitExport(tx, consent('P9'), false))).to.equal('EXPORT_LIMIT');
    mechanism = { ...mechanism, validUntil: '2099-12-31' };
    answer = 'refused';
    const before = asked;
    expect(await code(r.admitExport(tx, consent('P10'), false))).to.equal('EXPORT_LIMIT');
    expect(await code(r.admitExport(tx, consent('P10'), false))).to.equal('EXPORT_LIMIT');
    expect(asked - before, 'a refused person is asked again').to.equal(2);
    answer = 'recorded';
  });
});
