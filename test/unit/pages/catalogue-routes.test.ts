/**
 * The pages' message catalogues and router: zh-CN and en hold the same keys, every key the markup
 * and the client code use exists (no hard-coded text), language choice follows ?lang= then the
 * browser; the router serves the pages and assets from the source folder with the strict CSP.
 */
import { expect } from 'chai';
import express from 'express';
import { readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PAGES_CSP, packageRoot, pagesRouter } from '../../../src/http/pages/routes.js';
import { PURPOSES } from '../../../src/consent/vocab.js';
import { repoRoot } from '../../support/server.js';
import { client, pagesDir } from './helpers.js';

const catalogue = (lang: string) => JSON.parse(readFileSync(path.join(pagesDir, 'i18n', `${lang}.json`), 'utf8')) as Record<string, string>;

describe('pages: message catalogues', () => {
  const en = catalogue('en');
  const zh = catalogue('zh-CN');

  it('zh-CN and en have the same keys, none empty, the same {parameters}', () => {
    expect(Object.keys(zh).sort()).to.deep.equal(Object.keys(en).sort());
    for (const k of Object.keys(en)) {
      expect(en[k], k).to.be.a('string').and.not.equal('');
      expect(zh[k], k).to.be.a('string').and.not.equal('');
      const params = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(params(zh[k]!), k).to.deep.equal(params(en[k]!));
    }
  });

  it('holds every key used in the markup and the client code', () => {
    const used = new Set<string>();
    for (const f of readdirSync(pagesDir).filter((x) => x.endsWith('.html'))) {
      const html = readFileSync(path.join(pagesDir, f), 'utf8');
      for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) used.add(m[1]!);
      for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const p of m[1]!.split(';')) used.add(p.split(':')[1]!.trim());
      for (const m of html.matchAll(/data-title-key="([^"]+)"/g)) used.add(m[1]!);
      // No visible text in markup: everything between tags is whitespace.
      expect(html.replace(/<(script|style|title)[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<[^>]+>/g, '').trim(), f).to.equal('');
    }
    const dir = path.join(pagesDir, 'assets');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
      const js = readFileSync(path.join(dir, f), 'utf8');
      for (const m of js.matchAll(/\bt\('([\w.-]+)'/g)) used.add(m[1]!);
      for (const m of js.matchAll(/key: '([\w.-]+)'/g)) used.add(m[1]!);
      for (const m of js.matchAll(/'((?:invite|view|manage|common)\.[\w.-]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).to.be.greaterThan(100);
    for (const k of used) expect(en, k).to.have.property(k);
  });

  it('names every purpose the consent stage offers, every signature reason, status and known code system', async () => {
    const { systemKey } = await client('record.js');
    for (const p of PURPOSES) expect(en, p.code).to.have.property(`purpose.${p.code}`);
    for (const r of ['absent', 'format', 'algorithm', 'unknown-key', 'mismatch', 'jwks']) expect(en).to.have.property(`sig.${r}`);
    for (const s of ['active', 'inactive', 'rejected', 'expired', 'proposed']) expect(en).to.have.property(`status.${s}`);
    for (const g of ['male', 'female', 'other', 'unknown']) expect(en).to.have.property(`gender.${g}`);
    for (const k of ['line', 'failed', 'lineNoCountry', 'failedNoCountry']) expect(en).to.have.property(`manage.access.${k}`);
    for (const u of ['d', 'h', 'wk', 'mo']) expect(en).to.have.property(`unit.${u}`);
    for (const sys of ['urn:oid:2.16.156.10011.2.3.3.11', 'urn:oid:2.16.156.10011.2.3.3.11.5', 'http://hl7.org/fhir/sid/icd-10', 'http://snomed.info/sct', 'http://www.whocc.no/atc', 'http://loinc.org']) {
      expect(en).to.have.property(`system.${systemKey(sys)}`);
    }
  });

  it('chooses ?lang= first, then the browser languages, then the page default', async () => {
    const { chooseLang, translator } = await client('i18n.js');
    expect(chooseLang('?lang=en', ['zh-CN'], 'zh-CN')).to.equal('en');
    expect(chooseLang('?lang=zh', ['en-GB'], 'en')).to.equal('zh-CN');
    expect(chooseLang('?lang=fr', ['de-DE', 'en-GB'], 'zh-CN')).to.equal('en');
    expect(chooseLang('', ['zh-Hans-CN'], 'en')).to.equal('zh-CN');
    expect(chooseLang('', ['de'], 'zh-CN')).to.equal('zh-CN');
    const t = translator({ a: 'Hello {name}, {name}; {other}' });
    expect(t('a', { name: '<b>' })).to.equal('Hello <b>, <b>; {other}');
    expect(t('missing.key')).to.equal('missing.key');
  });
});

describe('pages: router', () => {
  let base: string;
  let close: () => void;
  before(async () => {
    const app = express();
    app.use(pagesRouter());
    app.use((_req, res) => void res.status(404).send('not found'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(() => close());

  it('finds the package root from its own module', () => {
    expect(packageRoot()).to.equal(repoRoot);
  });

  for (const p of ['/invite', '/manage', '/view']) {
    it(`serves ${p} as HTML with the strict CSP, no-store and no referrer`, async () => {
      const res = await fetch(base + p);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(res.headers.get('content-security-policy')).to.equal(PAGES_CSP);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
      const html = await res.text();
      expect(html).to.include(`<script type="module" src="/assets/${p.slice(1)}.js"></script>`);
      expect(html).not.to.match(/https?:\/\//);
    });
  }

  it('serves scripts, styles and catalogues from the source folder, nothing outside it', async () => {
    const js = await fetch(`${base}/assets/view.js`);
    expect(js.status).to.equal(200);
    expect(js.headers.get('content-type')).to.match(/javascript/);
    expect(js.headers.get('content-security-policy')).to.equal(PAGES_CSP);
    expect((await fetch(`${base}/assets/style.css`)).headers.get('content-type')).to.match(/text\/css/);
    const cat = await fetch(`${base}/assets/i18n/zh-CN.json`);
    expect((await cat.json())['lang.other']).to.equal('English');
    for (const bad of ['/assets/../routes.ts', '/assets/%2e%2e/routes.ts', '/assets/i18n/../../routes.ts', '/assets/nope.js']) {
      expect((await fetch(base + bad)).status, bad).to.equal(404);
    }
  });

  it('refuses to start without its files', () => {
    expect(() => pagesRouter({ dir: path.join(repoRoot, 'test') })).to.throw(TypeError);
  });
});
