/**
 * readConsent remembers the view of a frozen Consent (src/consent/model.ts): the view equals the
 * one read from an unfrozen copy, is itself frozen (no caller can change what the next one gets),
 * and an unfrozen Consent is read afresh every time (it may change).
 */
import { expect } from 'chai';
import { buildConsent, parseGrantParameters, readConsent } from '../../../src/consent/model.js';
import { grantParams, NOW, resolveOrganization } from '../consent/fixtures.js';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

describe('perf: consent views of frozen Consents', () => {
  const consent = () => buildConsent(parseGrantParameters(grantParams(), { resolveOrganization, now: NOW }), { id: 'c1', now: NOW, hospital: { id: 'pumch', name: '北京协和医院' }, channel: 'hospital-on-behalf' });

  it('a frozen Consent is read once into a frozen view equal to a fresh reading', () => {
    const frozen = deepFreeze(consent());
    const a = readConsent(frozen);
    expect(readConsent(frozen), 'the same view').to.equal(a);
    expect(Object.isFrozen(a)).to.equal(true);
    expect(a).to.deep.equal(readConsent(consent()));
  });

  it('an unfrozen Consent is read afresh, so a change is seen', () => {
    const c = consent() as ReturnType<typeof consent> & { status: string };
    const a = readConsent(c);
    expect(readConsent(c), 'not remembered').to.not.equal(a);
    c.status = 'inactive';
    expect(readConsent(c).status).to.equal('inactive');
  });
});
