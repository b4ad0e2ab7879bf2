// SHL payload rules, manifest request/response, and encrypt → decrypt round trips (with zip DEF).
import { expect } from 'chai';
import {
  buildManifest, decodeShlink, decryptShlFile, encodeShlink, encryptShlFile, isShlKey, parseManifestRequest, shlNotActive, shlWrongPasscode,
} from '../../../src/consent/shl.js';
import { newSecret } from '../../../src/consent/secrets.js';
import { GatewayError } from '../../../src/errors.js';
import { seededRandom } from './fixtures.js';

const key = newSecret(seededRandom(7));
const url = 'https://gw.example.org/shl/I91rhba3VsuGXGchcnr6VHlQFKxfE28kuZ0ssbEuxno';
const encode = (p: object) => 'shlink:/' + Buffer.from(JSON.stringify(p)).toString('base64url');

describe('SHL payload', () => {
  it('round-trips through encodeShlink / decodeShlink with minified JSON', () => {
    const link = encodeShlink({ url, key, exp: 1767225600, flag: 'P', label: 'Discharge summary for Charité' });
    const json = Buffer.from(link.slice('shlink:/'.length), 'base64url').toString();
    expect(json).to.equal(JSON.stringify(JSON.parse(json)));
    const { payload, issues } = decodeShlink(link);
    expect(issues).to.deep.equal([]);
    expect(payload).to.deep.equal({ url, key, exp: 1767225600, flag: 'P', label: 'Discharge summary for Charité' });
  });

  const bad: [string, object, string][] = [
    ['flag U with P', { url, key, flag: 'PU' }, 'SHLINK_FLAG'],
    ['flags out of order', { url, key, flag: 'PL' }, 'SHLINK_FLAG'],
    ['key of 31 bytes', { url, key: key.slice(0, 42) }, 'SHLINK_KEY'],
    ['label of 81 characters', { url, key, label: 'x'.repeat(81) }, 'SHLINK_LABEL'],
    ['url over 128 characters', { url: url + '/' + 'a'.repeat(60), key }, 'SHLINK_URL_TOO_LONG'],
    ['exp in milliseconds as a string', { url, key, exp: '1767225600000' }, 'SHLINK_EXP'],
    ['version 2', { url, key, v: 2 }, 'SHLINK_VERSION'],
  ];
  for (const [name, payload, rule] of bad) {
    it(`reports ${rule} for ${name}`, () => {
      expect(decodeShlink(encode(payload)).issues.map((i) => i.rule)).to.include(rule);
    });
  }

  it('reports non-base64url and non-shlink text as SHLINK_FORMAT', () => {
    expect(decodeShlink('shlink:/ey$$').issues[0]!.rule).to.equal('SHLINK_FORMAT');
    expect(decodeShlink('https://example.org/#foo').issues[0]!.rule).to.equal('SHLINK_FORMAT');
  });

  it('refuses to encode a payload that breaks the spec (our misuse)', () => {
    expect(() => encodeShlink({ url, key, flag: 'PU' })).to.throw(TypeError);
  });

  it('recognises canonical 43-character keys only', () => {
    expect(isShlKey(key)).to.equal(true);
    // 43 characters carry 258 bits: the last character's 2 spare bits must be zero (canonical).
    expect(isShlKey(key.slice(0, 42) + 'A')).to.equal(true);
    expect(isShlKey(key.slice(0, 42) + 'B')).to.equal(false);
    expect(isShlKey(key.slice(0, 42) + '+')).to.equal(false);
    expect(isShlKey('a'.repeat(44))).to.equal(false);
  });
});

describe('SHL manifest', () => {
  it('requires a recipient and validates passcode and embeddedLengthMax', () => {
    expect(parseManifestRequest({ recipient: ' Dr. Weber ', passcode: '1234' })).to.deep.equal({ recipient: 'Dr. Weber', passcode: '1234' });
    for (const body of [{}, { recipient: '' }, { recipient: 'x', passcode: 1234 }, { recipient: 'x', embeddedLengthMax: -1 }, 'x']) {
      expect(() => parseManifestRequest(body)).to.throw(GatewayError).with.property('code', 'BAD_REQUEST');
    }
  });

  it('embeds a file only when it fits embeddedLengthMax, else gives its location', () => {
    const files = [{ contentType: 'application/fhir+json' as const, jwe: 'a.b.c.d.e', location: 'https://gw.example.org/shl-file/x' }];
    expect(buildManifest(files, 100).files[0]).to.deep.equal({ contentType: 'application/fhir+json', embedded: 'a.b.c.d.e', fhirVersion: '4.0.1' });
    expect(buildManifest(files, 3).files[0]).to.deep.equal({ contentType: 'application/fhir+json', location: 'https://gw.example.org/shl-file/x', fhirVersion: '4.0.1' });
    expect(buildManifest(files).files[0]).to.have.property('location');
  });

  it('answers inactive links 404 and wrong passcodes 401 with remainingAttempts', () => {
    expect(shlNotActive().status).to.equal(404);
    const e = shlWrongPasscode(3);
    expect(e.status).to.equal(401);
    expect(e.details).to.deep.equal({ remainingAttempts: 3 });
  });
});

describe('SHL file encryption', () => {
  const doc = JSON.stringify({ resourceType: 'Bundle', type: 'document', entry: [{ resource: { resourceType: 'Composition', title: '出院小结' } }] });

  it('encrypts as dir/A256GCM with cty and decrypts to the same bytes', async () => {
    const jwe = await encryptShlFile(doc, key, { contentType: 'application/fhir+json' });
    const header = JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString());
    expect(header).to.include({ alg: 'dir', enc: 'A256GCM', cty: 'application/fhir+json' });
    expect(jwe.split('.')[1]).to.equal('');
    const out = await decryptShlFile(jwe, key);
    expect(Buffer.from(out.plaintext).toString()).to.equal(doc);
    expect(out.contentType).to.equal('application/fhir+json');
  });

  it('compresses with raw DEFLATE when zip is asked and still round-trips', async () => {
    const big = doc.repeat(200);
    const plain = await encryptShlFile(big, key, { contentType: 'application/fhir+json' });
    const zipped = await encryptShlFile(big, key, { contentType: 'application/fhir+json', zip: true });
    expect(JSON.parse(Buffer.from(zipped.split('.')[0]!, 'base64url').toString()).zip).to.equal('DEF');
    expect(zipped.length).to.be.below(plain.length / 5);
    expect(Buffer.from((await decryptShlFile(zipped, key)).plaintext).toString()).to.equal(big);
  });

  it('uses a fresh IV for every encryption under the same key', async () => {
    const a = await encryptShlFile(doc, key, { contentType: 'application/fhir+json' });
    const b = await encryptShlFile(doc, key, { contentType: 'application/fhir+json' });
    expect(a.split('.')[2]).to.not.equal(b.split('.')[2]);
  });

  it('refuses a decompression bomb beyond the limit', async () => {
    const zipped = await encryptShlFile('0'.repeat(100_000), key, { contentType: 'application/fhir+json', zip: true });
    try {
      await decryptShlFile(zipped, key, { maxDecompressedLength: 1000 });
      expect.fail('accepted');
    } catch (e) {
      expect((e as GatewayError).code).to.equal('INVALID_RESOURCE');
    }
  });
});
