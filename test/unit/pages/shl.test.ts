/**
 * The viewer's SMART Health Link code (src/http/pages/assets/shl.js) against the HL7 IG example
 * vectors in ../shared/corpus/smart-health-cards-and-links and the gateway's own encryption
 * (src/consent/shl.ts): payload decoding, JWE decryption with WebCrypto (AAD, tag, zip DEF), and
 * the manifest answers (401 remainingAttempts, 404, lockout) — never sending the key.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { encodeShlink, encryptShlFile } from '../../../src/consent/shl.js';
import { client, sharedDir } from './helpers.js';

const images = path.join(sharedDir, 'corpus/smart-health-cards-and-links/input/images');
const read = (f: string) => readFileSync(path.join(images, f), 'utf8');

describe('pages: SMART Health Links in the browser', () => {
  let shl: any;
  before(async () => {
    shl = await client('shl.js');
  });

  it('decodes the IG example link behind a viewer URL', () => {
    const details = JSON.parse(read('IPS_IG-bundle-01-shl-details.json'));
    const p = shl.parseShlink(read('IPS_IG-bundle-01-shl.txt'));
    expect(p).to.deep.equal(details.shlinkJsonPayload);
    expect(shl.needsPasscode(p)).to.equal(false);
  });

  it('decrypts the IG example JWE to the published IPS document byte for byte', async () => {
    const { key } = JSON.parse(read('IPS_IG-bundle-01-shl-details.json')).shlinkJsonPayload;
    const { plaintext, header } = await shl.decryptJwe(read('IPS_IG-bundle-01-enc.txt'), key);
    expect(header).to.include({ alg: 'dir', enc: 'A256GCM' });
    expect(Buffer.from(plaintext).equals(readFileSync(path.join(images, 'IPS_IG-bundle-01.json')))).to.equal(true);
  });

  it('refuses a flipped bit in the protected header (AAD), IV, ciphertext or tag', async () => {
    const { key } = JSON.parse(read('IPS_IG-bundle-01-shl-details.json')).shlinkJsonPayload;
    const parts = read('IPS_IG-bundle-01-enc.txt').trim().split('.');
    // Header: the same JSON with the members reordered is another AAD.
    const reordered = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: 'ufYGlu_C8IuzJ3HV-wQqsIv-pMm2uZm-vGy37r3hwts' })).toString('base64url');
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[b.length - 1] ^= 1;
      return b.toString('base64url');
    };
    const variants = [[reordered, ...parts.slice(1)], [parts[0], '', flip(parts[2]!), parts[3], parts[4]], [parts[0], '', parts[2], flip(parts[3]!), parts[4]], [parts[0], '', parts[2], parts[3], flip(parts[4]!)]];
    for (const v of variants) {
      const err = await shl.decryptJwe(v.join('.'), key).then(() => undefined, (e: any) => e);
      expect(err, v[0]).to.be.instanceOf(shl.ShlError);
      expect(err.code).to.equal('decrypt');
    }
  });

  it('decrypts the gateway\'s own files, with and without zip DEF', async () => {
    const key = randomBytes(32).toString('base64url');
    const doc = JSON.stringify({ resourceType: 'Bundle', type: 'document', note: '出院小结 '.repeat(200) });
    for (const zip of [false, true]) {
      const jwe = await encryptShlFile(doc, key, { contentType: 'application/fhir+json', zip });
      const { plaintext, header } = await shl.decryptJwe(jwe, key);
      expect(new TextDecoder().decode(plaintext)).to.equal(doc);
      expect(header.zip).to.equal(zip ? 'DEF' : undefined);
    }
    const other = randomBytes(32).toString('base64url');
    const err = await shl.decryptJwe(await encryptShlFile(doc, key, { contentType: 'application/fhir+json' }), other).catch((e: any) => e);
    expect(err.code).to.equal('decrypt');
  });

  it('reads links the gateway builds, with flag P, and refuses expired or malformed ones', () => {
    const key = randomBytes(32).toString('base64url');
    const link = encodeShlink({ url: 'http://localhost:8080/shl/abc', key, exp: 4102444800, flag: 'P', label: '出院小结' }, 'http://localhost:8080/view');
    const p = shl.parseShlink(link);
    expect(p).to.include({ key, flag: 'P', label: '出院小结' });
    expect(shl.needsPasscode(p)).to.equal(true);
    const expired = encodeShlink({ url: 'http://localhost:8080/shl/abc', key, exp: 1000 });
    expect(() => shl.parseShlink(expired)).to.throw(shl.ShlError).with.property('code', 'expired');
    for (const bad of ['', 'https://x/view#nothing', 'shlink:/!!!', `shlink:/${Buffer.from('{"url":"x","key":"short"}').toString('base64url')}`]) {
      expect(() => shl.parseShlink(bad), bad).to.throw(shl.ShlError).with.property('code', 'format');
    }
  });

  it('classifies manifest answers and never puts the key in a request', async () => {
    const key = randomBytes(32).toString('base64url');
    const payload = { url: 'http://gw.test/shl/m1', key, flag: 'P' };
    const seen: string[] = [];
    const answer = (status: number, body: unknown) => async (url: string, init: RequestInit) => {
      seen.push(url, String(init.body ?? ''), JSON.stringify(init.headers ?? {}));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    };
    const req = { recipient: 'Dr Ada Smith, Leeds', passcode: 'wrong' };
    expect(await shl.requestManifest(payload, req, answer(401, { resourceType: 'OperationOutcome', remainingAttempts: 7 }))).to.deep.equal({ status: 'passcode', remainingAttempts: 7 });
    expect(await shl.requestManifest(payload, req, answer(401, { remainingAttempts: 0 }))).to.deep.equal({ status: 'locked' });
    expect(await shl.requestManifest(payload, req, answer(404, {}))).to.deep.equal({ status: 'inactive' });
    expect(await shl.requestManifest(payload, req, answer(429, {}))).to.deep.equal({ status: 'locked' });
    expect(await shl.requestManifest(payload, req, answer(500, {}))).to.deep.equal({ status: 'error', httpStatus: 500 });
    const files = [{ contentType: 'application/fhir+json', location: 'http://gw.test/shl/file/1' }];
    expect(await shl.requestManifest(payload, req, answer(200, { files }))).to.deep.equal({ status: 'ok', files });
    expect(JSON.parse(seen[1]!)).to.deep.equal({ recipient: 'Dr Ada Smith, Leeds', passcode: 'wrong' });
    expect(seen.join('\n')).not.to.include(key);
  });
});
