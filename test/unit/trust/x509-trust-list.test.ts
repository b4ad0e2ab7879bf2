/**
 * X.509 path validation and the trust list: the example chains validate to certs-example/ca.pem;
 * expired, not-yet-valid, unknown-issuer, revoked, wrong key usage, unreadable and EC (unsupported)
 * certificates fail with their coded reason; a bad trust list reports every problem at once.
 */
import { expect } from 'chai';
import { GatewayError } from '../../../src/errors.js';
import {
  createTrustList, isDevelopmentCertificate, organizationResource, parsePemCertificates, parseX5c, readTrustListFile,
  validateChain, type ParsedCertificate,
} from '../../../src/trust/index.js';
import { certs, exampleNow, exampleTrust, readJson, readText, shared } from './support.js';

const chainOf = (f: string) => parsePemCertificates(readText(certs(f)));
const anchors = chainOf('ca.pem');
const at = exampleNow();

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(GatewayError);
    expect((e as GatewayError).code).to.equal('CERTIFICATE_UNTRUSTED');
    return String((e as GatewayError).details.reason);
  }
  throw new Error('expected CERTIFICATE_UNTRUSTED');
}

describe('trust/x509', () => {
  it('validates hospital -> participants CA -> root and reads the Organization binding', () => {
    const r = validateChain(chainOf('hospital-shanghai-example.cert.pem'), { anchors, at });
    expect(r.path.map((c) => c.commonName)).to.deep.equal([
      'hospital-shanghai-example', 'EMR Gateway Example Participants CA', 'EMR Gateway Example Development Root CA',
    ]);
    expect(r.leaf.organizationId).to.equal('org-shanghai-example');
    expect(r.leaf.country).to.equal('CN');
    expect(isDevelopmentCertificate(r.leaf)).to.equal(true);
  });

  it('accepts intermediates in any order and the x5c form', () => {
    const [leaf, inter] = chainOf('gateway.cert.pem') as [ParsedCertificate, ParsedCertificate];
    const x5c = parseX5c([leaf.info.derBase64, anchors[0]!.info.derBase64, inter.info.derBase64]);
    expect(validateChain(x5c, { anchors, at }).anchor.fingerprint).to.equal(anchors[0]!.info.fingerprint);
  });

  it('refuses by reason: expired, not yet valid, missing intermediate, unknown CA, revoked, CA as signer', () => {
    expect(reason(() => validateChain(chainOf('test-only/hospital-shanghai-expired.cert.pem'), { anchors, at }))).to.equal('expired');
    expect(reason(() => validateChain(chainOf('hospital-shanghai-example.cert.pem'), { anchors, at: new Date('2001-01-01') }))).to.equal('not-yet-valid');
    expect(reason(() => validateChain(chainOf('hospital-shanghai-example.cert.pem').slice(0, 1), { anchors, at }))).to.equal('unknown-issuer');
    expect(reason(() => validateChain(chainOf('test-only/untrusted-hospital.cert.pem'), { anchors, at }))).to.equal('unknown-issuer');
    const revokedChain = chainOf('test-only/hospital-shanghai-revoked.cert.pem');
    const serial = revokedChain[0]!.info.serial;
    expect(reason(() => validateChain(revokedChain, { anchors, at, revoked: [{ serial, issuer: 'EMR Gateway Example Participants CA' }] }))).to.equal('revoked');
    expect(reason(() => validateChain(revokedChain, { anchors, at, revoked: [{ serial: `00${serial.toUpperCase()}` }] }))).to.equal('revoked');
    expect(validateChain(revokedChain, { anchors, at, revoked: [{ serial, issuer: 'Some Other CA' }] }).leaf.serial).to.equal(serial);
    expect(reason(() => validateChain(chainOf('participants-ca.pem'), { anchors, at }))).to.equal('key-usage');
  });

  it('refuses unreadable input and EC certificates (node-forge reads RSA only) with coded reasons', () => {
    expect(reason(() => parsePemCertificates('no pem here'))).to.equal('no-certificate');
    expect(reason(() => parsePemCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'))).to.equal('unreadable');
    expect(reason(() => parseX5c('not an array'))).to.equal('no-certificate');
    // SMART Health Cards example issuer key: EC P-256 with an x5c chain (smart-on-fhir/health-cards)
    const jwks = readJson<{ keys: { x5c?: string[] }[] }>(shared('corpus/health-cards/generate-examples/issuer/.well-known/jwks.json'));
    const x5c = jwks.keys.find((k) => k.x5c)!.x5c!;
    const e = (() => {
      try {
        parseX5c(x5c);
      } catch (err) {
        return err as GatewayError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e.details.reason).to.equal('unsupported-key');
    expect(e.cause).to.be.instanceOf(Error);
  });
});

describe('trust/trust-list', () => {
  const base = () => readTrustListFile(certs('trust-list.json'), readText);

  it('loads the example trust list: participants by client id and by certificate, frozen', () => {
    const trust = exampleTrust();
    expect(trust.participants.map((p) => p.role)).to.deep.equal(['hospital', 'hospital', 'provider', 'provider', 'admin']);
    const leeds = trust.byClientId('provider-leeds-example')!;
    expect(leeds.organization).to.include({ id: 'org-leeds-family-example', country: 'GB' });
    expect(trust.byCertificate(chainOf('hospital-hainan-example.cert.pem')[0]!.info)?.id).to.equal('hospital-hainan-example');
    expect(trust.byCertificate(chainOf('test-only/untrusted-hospital.cert.pem')[0]!.info)).to.equal(undefined);
    expect(Object.isFrozen(trust.participants)).to.equal(true);
    expect(Object.isFrozen(leeds.organization)).to.equal(true);
    expect(trust.warnings).to.deep.equal([]);
  });

  it('every participant of clients.json is in the trust list with the same role and organisation', () => {
    const trust = exampleTrust();
    const clients = readJson<{ client_id: string; role: string; organization: string; private_key: string; certificate: string }[]>(certs('clients.json'));
    expect(clients).to.have.length(5);
    for (const c of clients) {
      const p = trust.byClientId(c.client_id)!;
      expect(p, c.client_id).to.not.equal(undefined);
      expect([p.role, p.organization.id]).to.deep.equal([c.role, c.organization]);
      expect(readText(certs(c.private_key))).to.match(/BEGIN PRIVATE KEY/);
      expect(trust.byCertificate(chainOf(c.certificate)[0]!.info)?.id).to.equal(c.client_id);
    }
  });

  it('publishes a participant organisation as a FHIR Organization with its USCC', () => {
    const org = organizationResource(exampleTrust().byClientId('hospital-shanghai-example')!.organization);
    expect(org).to.include({ resourceType: 'Organization', id: 'org-shanghai-example', name: '上海示例医院' });
    expect((org.identifier as { value: string }[])[0]!.value).to.match(/^[0-9A-HJ-NPQRTUWXY]{18}$/);
  });

  it('reports every problem of a bad trust list at once, with where it is', () => {
    const data = base();
    const [shanghai, hainan] = data.participants as [typeof data.participants[0], typeof data.participants[0]];
    data.participants.push(
      { ...shanghai }, // duplicate id and certificate
      { ...hainan, id: 'x1', role: 'insurer' as never, organization: { ...hainan.organization, country: 'China' } },
      { ...shanghai, id: 'x2', certificates: [readText(certs('test-only/untrusted-hospital.cert.pem'))] },
      { ...shanghai, id: 'x3', certificates: [readText(certs('hospital-hainan-example.cert.pem'))] }, // bound to Hainan
    );
    try {
      createTrustList(data, { now: exampleNow });
      throw new Error('expected CONFIG_INVALID');
    } catch (e) {
      expect((e as GatewayError).code).to.equal('CONFIG_INVALID');
      const where = (e as GatewayError).issues.flatMap((i) => i.expression ?? []);
      expect(where).to.include.members([
        'participants[5].id', 'participants[5].certificates[0]', 'participants[6].role', 'participants[6].organization.country',
        'participants[6].certificates[0]', 'participants[7].certificates[0]', 'participants[8].certificates[0]',
      ]);
    }
    expect(() => createTrustList({ ...base(), anchors: [] }, { now: exampleNow, errorCode: 'INVALID_RESOURCE' }))
      .to.throw(GatewayError).with.property('code', 'INVALID_RESOURCE');
  });

  it('a missing certificate file is CONFIG_INVALID naming the member, the reader error kept as cause', () => {
    const read = (p: string) => (p.endsWith('ca.pem') ? (() => { throw new Error('ENOENT'); })() : readText(p));
    try {
      readTrustListFile(certs('trust-list.json'), read);
      throw new Error('expected CONFIG_INVALID');
    } catch (e) {
      expect((e as GatewayError).code).to.equal('CONFIG_INVALID');
      expect((e as GatewayError).issues[0]!.expression).to.deep.equal(['anchors[0]']);
      expect(((e as GatewayError).cause as Error).message).to.equal('ENOENT');
    }
  });

  it('role scopes can be overridden by the file, without code', () => {
    const trust = createTrustList({ ...base(), roleScopes: { provider: ['system/Bundle.r'] } }, { now: exampleNow });
    expect(trust.scopesFor('provider')).to.deep.equal(['system/Bundle.r']);
    expect(trust.scopesFor('hospital')).to.include('system/Bundle.crus');
  });

  it('validate() uses the injected clock: a registered certificate expires with time', () => {
    let t = at;
    const trust = exampleTrust(() => t);
    const chain = trust.byClientId('hospital-shanghai-example')!.chains[0]!;
    expect(trust.validate(chain).leaf.commonName).to.equal('hospital-shanghai-example');
    t = new Date('2040-01-01T00:00:00Z');
    expect(reason(() => trust.validate(chain))).to.equal('expired');
  });
});
