// SMART Health Links against the public example vectors in ../shared/corpus (HL7 IG examples and
// health-cards-dev-tools test data): decoding links, decrypting their JWE files to the known
// plaintext, the kid convention, tamper detection, and the negative vectors' expected rejections.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { decodeShlink, decryptShlFile, encodeShlink, parseShlink, shlKeyId } from '../../../src/consent/shl.js';
import { isGatewayError } from '../../../src/errors.js';
import { corpus } from './fixtures.js';

const shlIg = path.join(corpus, 'smart-health-cards-and-links');
const devTools = path.join(corpus, 'health-cards-dev-tools');
const read = (p: string) => fs.readFileSync(p, 'utf8');
const igExpected = JSON.parse(read(path.join(shlIg, 'EXPECTED.json')));
const dtExpected = JSON.parse(read(path.join(devTools, 'EXPECTED.json')));

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(isGatewayError(e), String(e)).to.equal(true);
    expect((e as { code: string }).code).to.equal(code);
    return;
  }
  expect.fail('expected a rejection');
}

describe('SHL corpus vectors: HL7 smart-health-cards-and-links', () => {
  const ips = igExpected.shl.find((s: { name: string }) => s.name.startsWith('IPS'));
  const details = JSON.parse(read(path.join(shlIg, ips.details)));

  it('decodes the IPS link (viewer-prefixed) to the published payload', () => {
    const payload = parseShlink(read(path.join(shlIg, ips.link_text)));
    expect(payload).to.deep.equal(details.shlinkJsonPayload);
    expect(payload.flag).to.equal('LU');
  });

  it('decodes the bare shlink of every details file to its payload', () => {
    for (const f of ['IPS_IG-bundle-01-shl-details.json', '120day_raw_obs_unguessable_shl_id0000000000.details.json']) {
      const d = JSON.parse(read(path.join(shlIg, 'input/images', f)));
      expect(parseShlink(d.shlink), f).to.deep.equal(d.shlinkJsonPayload);
      expect(parseShlink(d.shlinkBare), f).to.deep.equal(d.shlinkJsonPayload);
    }
  });

  it('decodes the CARIN link to the details payload', () => {
    const carin = igExpected.shl.find((s: { name: string }) => s.name.startsWith('CARIN'));
    expect(parseShlink(read(path.join(shlIg, carin.link_text)))).to.deep.equal(JSON.parse(read(path.join(shlIg, carin.details))));
  });

  it('decrypts the IPS JWE with the link key to the byte-identical IPS Bundle', async () => {
    const jwe = read(path.join(shlIg, ips.ciphertext));
    const out = await decryptShlFile(jwe, details.shlinkJsonPayload.key);
    const expected = fs.readFileSync(path.join(shlIg, 'input/images/IPS_IG-bundle-01.json'));
    expect(Buffer.from(out.plaintext).equals(expected)).to.equal(true);
    expect(out.kid).to.equal(ips.jwe_header.kid);
  });

  it('computes the vector kid as the RFC 7638 thumbprint of the key', async () => {
    expect(await shlKeyId(details.shlinkJsonPayload.key)).to.equal(ips.jwe_header.kid);
  });

  it('refuses to decrypt when any bit of header, IV, ciphertext or tag is flipped', async () => {
    const jwe = read(path.join(shlIg, ips.ciphertext)).trim();
    const parts = jwe.split('.');
    for (const idx of [0, 2, 3, 4]) {
      const bytes = Buffer.from(parts[idx]!, 'base64url');
      bytes[Math.min(5, bytes.length - 1)]! ^= 0x01;
      const tampered = [...parts];
      tampered[idx] = bytes.toString('base64url');
      await rejectsCode(decryptShlFile(tampered.join('.'), details.shlinkJsonPayload.key), 'INVALID_RESOURCE');
    }
  });

  it('refuses to decrypt with another key', async () => {
    const jwe = read(path.join(shlIg, ips.ciphertext));
    await rejectsCode(decryptShlFile(jwe, 'v7SjEf2oC4nbbkrhJJ1VAsnp4QaAmrzwIVQtxGM7AIc'), 'INVALID_RESOURCE');
  });

  it('treats the odd spec payload (string exp) as invalid and ignores the unknown labelzzz', () => {
    const p = JSON.parse(read(path.join(shlIg, 'input/resources/shl-payload-1.json')));
    const link = 'shlink:/' + Buffer.from(JSON.stringify(p)).toString('base64url');
    const { issues } = decodeShlink(link);
    expect(issues.map((i) => i.rule)).to.deep.equal(['SHLINK_EXP']);
  });

  it('accepts spec payload 2 and re-encodes it to a link that decodes to the same payload', () => {
    const p = JSON.parse(read(path.join(shlIg, 'input/resources/shl-payload-2.json')));
    const link = encodeShlink(p, 'https://viewer.example.org/');
    expect(link.startsWith('https://viewer.example.org/#shlink:/')).to.equal(true);
    expect(parseShlink(link)).to.deep.equal(p);
  });
});

describe('SHL corpus vectors: health-cards-dev-tools', () => {
  const td = path.join(devTools, 'testdata');
  const shlinkCases = dtExpected.cards.filter(
    (c: { type: string; errors: unknown }) => (c.type === 'shlink' || c.type === 'shlpayload') && Array.isArray(c.errors) && (c.errors as string[]).includes('SHLINK_NOT_HTTPS_URL'),
  );

  it('has the SHLINK_NOT_HTTPS_URL vectors to check', () => {
    expect(shlinkCases.length).to.be.at.least(5);
  });

  for (const c of shlinkCases as { files: string[]; type: string }[]) {
    it(`rejects ${c.files[0]} with SHLINK_NOT_HTTPS_URL (manifest url is http)`, () => {
      const text = read(path.join(td, c.files[0]!)).trim();
      const link = c.type === 'shlpayload' ? 'shlink:/' + Buffer.from(text).toString('base64url') : text;
      const { payload, issues } = decodeShlink(link);
      expect(payload?.url.startsWith('http://')).to.equal(true);
      expect(issues.filter((i) => i.severity === 'error').map((i) => i.rule)).to.deep.equal(['SHLINK_NOT_HTTPS_URL']);
      try {
        parseShlink(link);
        expect.fail('parseShlink accepted an http manifest url');
      } catch (e) {
        expect(isGatewayError(e) && e.code).to.equal('INVALID_PARAMETER');
      }
      // The same link is structurally sound: with https not required it decodes without errors.
      expect(decodeShlink(link, { requireHttps: false }).issues).to.deep.equal([]);
    });
  }

  it('decodes each shl-examples link to its recorded payload and decrypts every JWE file with the key', async () => {
    const dir = path.join(td, 'shl-examples');
    let files = 0;
    for (const f of fs.readdirSync(dir)) {
      const ex = JSON.parse(read(path.join(dir, f)));
      const payload = parseShlink(ex.link, { requireHttps: false });
      expect(payload, f).to.deep.equal(ex.payload);
      for (const jwe of ex.jweFiles as string[]) {
        const out = await decryptShlFile(jwe, payload.key);
        const body = JSON.parse(Buffer.from(out.plaintext).toString('utf8'));
        expect(body.verifiableCredential, f).to.be.an('array').with.length.greaterThan(0);
        expect(out.kid).to.equal(await shlKeyId(payload.key));
        files++;
      }
    }
    expect(files).to.equal(3);
  });

  it('decodes the manifest vectors as manifests with location entries', () => {
    const m = JSON.parse(read(path.join(td, 'shlink-manifest.txt')));
    expect(m.files).to.have.length(2);
    for (const f of m.files) expect(f).to.have.keys(['contentType', 'location']);
  });
});
