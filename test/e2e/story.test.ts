/**
 * The whole story in a real browser (issue 8 §5), Debian's chromium driven by playwright-core:
 * the hospital invites (FHIR API, its own token), the patient grants with a passcode on the page in
 * Chinese, the doctor opens the link in a second browser context, is told the remaining attempts
 * after a wrong passcode, reads the record in English with the Chinese original beside it, the
 * patient sees the access and revokes with one confirmation, and the doctor's reload is refused.
 * Every request of the doctor's browser is recorded to prove the SHL key never leaves the
 * fragment. Screenshots of each page go to test-artifacts/screenshots/ (gitignored).
 *
 * Without chromium the suite registers a pending test that says why (it never silently passes).
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, repoRoot, type TestServer } from '../support/server.js';
import { accessToken, client } from '../support/clients.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(repoRoot, 'test-artifacts', 'screenshots');
const PATIENT = { system: 'urn:oid:2.16.156.10011.1.3', value: '440106196309220486' };
const PASSCODE = 'plum-4321';
const DOCTOR = 'Dr Ada Smith, Leeds Example Family Practice';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

interface Recorded {
  url: string;
  body: string;
  headers: string;
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** Collects page errors and CSP violations (console errors about failed loads are expected: 401/404). */
function watch(page: Page, problems: string[]): void {
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
}

const fhirPost = async (server: TestServer, p: string, token: string, body: unknown) => {
  const res = await fetch(`${server.base}${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
};

describe('web pages in a real browser: invite, grant, read, revoke', function () {
  if (!existsSync(CHROMIUM)) {
    it(`PENDING: needs Debian's chromium at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk) to run the browser story`);
    return;
  }
  this.timeout(180_000);

  let server: TestServer;
  let browser: Browser;
  let patientCtx: BrowserContext;
  let doctorCtx: BrowserContext;
  let patient: Page;
  let doctor: Page;
  const problems: string[] = [];
  const doctorRequests: Recorded[] = [];
  const patientRequests: Recorded[] = [];
  const leedsOrg = client('provider', 1).organization;
  const s: { invitation?: string; link?: string; management?: string; key?: string } = {};

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    const hospital = await accessToken(server.url, client('hospital', 0));
    const doc = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/cn-t2dm-htn.json'), 'utf8'));
    const stored = await fetch(`${server.base}/Bundle`, { method: 'POST', headers: { authorization: `Bearer ${hospital}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(doc) });
    expect(stored.status, 'document stored').to.be.oneOf([200, 201]);
    const docId = ((await stored.json()) as any).id;
    const inv = await fhirPost(server, '/Consent/$invite', hospital, {
      resourceType: 'Parameters',
      parameter: [{ name: 'patient', valueIdentifier: PATIENT }, { name: 'document', valueReference: { reference: `Bundle/${docId}` } }],
    });
    expect(inv.status, JSON.stringify(inv.body).slice(0, 300)).to.equal(200);
    s.invitation = inv.body.parameter.find((p: any) => p.name === 'invitation').valueUrl;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    patientCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 420, height: 900 }, isMobile: true, deviceScaleFactor: 1 });
    doctorCtx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 900 } });
    for (const [ctx, list] of [[patientCtx, patientRequests], [doctorCtx, doctorRequests]] as const) {
      ctx.on('request', (r) => list.push({ url: r.url(), body: r.postData() ?? '', headers: JSON.stringify(r.headers()) }));
    }
    patient = await patientCtx.newPage();
    doctor = await doctorCtx.newPage();
    watch(patient, problems);
    watch(doctor, problems);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the patient grants with a passcode on the invitation page, in Chinese, as a separate act', async () => {
    await patient.goto(s.invitation!);
    await patient.waitForSelector('#grant-form');
    expect(await patient.getAttribute('html', 'lang')).to.equal('zh-CN');
    expect(await patient.textContent('h1')).to.equal('授权境外医生查看您的病历');
    await patient.check('#recipientKind-provider');
    await patient.selectOption('#provider', leedsOrg);
    await patient.getByLabel('境外延续诊疗').check();
    await patient.fill('#passcode', PASSCODE);
    await shot(patient, '01-invite-form-zh');
    await patient.getByRole('button', { name: '下一步:阅读告知' }).click();
    const noticeText = await patient.textContent('.pipl-notice');
    expect(noticeText).to.include('《个人信息保护法》第三十九条').and.include('Leeds Example Family Practice').and.include('境外延续诊疗');
    await shot(patient, '02-invite-notice-zh');
    // Consent is a separate act: the button alone does nothing.
    await patient.click('#confirm-button');
    expect(await patient.textContent('.notice-error')).to.include('请勾选确认您同意');
    await patient.check('#confirm');
    await patient.click('#confirm-button');
    await patient.waitForSelector('#share-link');
    s.link = await patient.inputValue('#share-link');
    s.management = await patient.inputValue('#manage-link');
    expect(s.link).to.match(/\/view#shlink:\//);
    expect(s.management).to.match(/\/manage#/);
    expect(await patient.getAttribute('img.qr', 'src')).to.match(/^data:image\/png;base64,/);
    expect(await patient.textContent('.done')).to.include('访问密码');
    const payload = JSON.parse(Buffer.from(s.link!.split('#shlink:/')[1]!, 'base64url').toString('utf8'));
    expect(payload.flag).to.include('P');
    s.key = payload.key;
    await shot(patient, '03-invite-done-zh');
    await patient.emulateMedia({ media: 'print' });
    expect(await patient.isVisible('.card img.qr'), 'the card prints').to.equal(true);
    expect(await patient.isVisible('#manage-link'), 'the management link never prints').to.equal(false);
    await shot(patient, '04-invite-card-print');
    await patient.emulateMedia({ media: 'screen' });
    const secret = s.invitation!.split('#')[1]!;
    expect(patientRequests.some((r) => r.url.includes(secret) || r.body.includes(s.key!)), 'the invitation secret stays out of URLs').to.equal(false);
  });

  it('the doctor is told how many attempts remain after a wrong passcode', async () => {
    await doctor.goto(s.link!);
    await doctor.waitForSelector('#open-form');
    expect(await doctor.getAttribute('html', 'lang')).to.equal('en');
    await shot(doctor, '05-view-form-en');
    await doctor.fill('#recipient', DOCTOR);
    await doctor.fill('#passcode', 'not-the-passcode');
    await doctor.click('#open-form button[type=submit]');
    await doctor.waitForSelector('#view-message.notice-error');
    const msg = (await doctor.textContent('#view-message')) ?? '';
    expect(msg).to.match(/^Wrong passcode\. (\d+) attempt\(s\) left\.$/);
    expect(Number(/(\d+)/.exec(msg)![1])).to.equal(9);
    await shot(doctor, '06-view-wrong-passcode-en');
  });

  it('the doctor reads the record in English with the Chinese original beside it, and the signature status', async () => {
    await doctor.fill('#passcode', PASSCODE);
    await doctor.click('#open-form button[type=submit]');
    await doctor.waitForSelector('article.record');
    await doctor.waitForFunction(() => !document.querySelector('#signature-status')?.classList.contains('sig-checking'));
    const record = (await doctor.textContent('article.record')) ?? '';
    // Section headings and labels in English; the Chinese originals stay visible.
    expect(record).to.include('Discharge diagnoses').and.include('Diagnosis').and.include('Dose').and.include('Reference range');
    expect(record).to.include('2型糖尿病伴血糖控制不佳').and.include('E11.600x051').and.include('ICD-10 China');
    expect(record).to.include('盐酸二甲双胍片').and.include('0.5 g');
    expect(record).to.include('mmol/L').and.include('3.9–6.1');
    expect(record).to.include('广州南粤中西医结合医院');
    const translated = record.includes('ICD-10 WHO');
    if (translated) {
      // Delivered through the translation stage: English beside the original (issue 5).
      expect(record).to.include('metformin').and.include('Oral route').and.include('LYU SHUZHEN').and.include('Type 2 diabetes');
    } else {
      // Delivered untranslated: what has no English wording is marked, never passed off as translated.
      expect(await doctor.locator('.badge-untranslated').count()).to.be.greaterThan(3);
    }
    expect(await doctor.getAttribute('.diagnosis .target', 'lang'), 'Chinese text carries its lang').to.be.oneOf(['zh-CN', 'en']);
    expect(await doctor.locator('[lang="zh-CN"]').count()).to.be.greaterThan(10);
    expect(await doctor.textContent('#signature-status')).to.match(/^Gateway signature: Verified/);
    expect(await doctor.getAttribute('#signature-status', 'class')).to.include('sig-verified');
    await shot(doctor, '07-view-record-en');
    await shot(doctor, '07a-view-record-top-en', false);
    await doctor.locator('section.doc-section', { hasText: 'Discharge diagnoses' }).first().screenshot({ path: path.join(SHOTS, '07b-view-diagnoses-en.png') });
    await doctor.locator('section.doc-section', { hasText: 'Orders' }).first().screenshot({ path: path.join(SHOTS, '07c-view-medicines-en.png') });
    await doctor.locator('section.doc-section', { hasText: 'Laboratory' }).first().screenshot({ path: path.join(SHOTS, '07d-view-results-en.png') });
    await doctor.setViewportSize({ width: 390, height: 844 });
    await shot(doctor, '08-view-record-phone', false);
    await doctor.emulateMedia({ media: 'print' });
    expect(await doctor.isVisible('#print-record')).to.equal(false);
    await shot(doctor, '09-view-record-print');
    await doctor.emulateMedia({ media: 'screen' });
    await doctor.setViewportSize({ width: 1200, height: 900 });
    // The language toggle re-renders the same decrypted record (file locations are single-use).
    await doctor.click('#lang-toggle');
    await doctor.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    expect(await doctor.textContent('article.record')).to.include('出院诊断').and.include('网关签名');
    await doctor.click('#lang-toggle');
    await doctor.waitForFunction(() => document.documentElement.lang === 'en');
  });

  it('the patient sees the access and the emergency notice, and revokes with one confirmation', async () => {
    const leeds = await accessToken(server.url, client('provider', 1));
    const emergency = await fhirPost(server, '/Consent/$emergency', leeds, {
      resourceType: 'Parameters',
      parameter: [{ name: 'patient', valueIdentifier: PATIENT }, { name: 'reason', valueString: 'Unconscious after a road accident in Leeds; needs diagnoses and medicines.' }],
    });
    expect(emergency.status, JSON.stringify(emergency.body).slice(0, 300)).to.equal(200);
    await patient.goto(s.management!);
    await patient.waitForSelector('ul.consents');
    const page = (await patient.textContent('main')) ?? '';
    expect(page).to.include('Leeds Example Family Practice').and.include(DOCTOR).and.include('查看了您的病历');
    expect(page).to.include('紧急访问').and.include('road accident');
    expect(await patient.locator('.access.failed').count(), 'the wrong passcode shows as a refused attempt').to.be.greaterThan(0);
    await shot(patient, '10-manage-zh');
    const active = patient.locator('li.consent', { has: patient.locator('.status-active') }).filter({ hasText: 'Leeds' }).filter({ hasText: '境外延续诊疗' });
    expect(await active.count()).to.equal(1);
    await active.getByRole('button', { name: '撤回同意' }).click();
    await patient.waitForSelector('dialog.confirm-dialog[open]');
    expect(await patient.evaluate(() => document.activeElement?.id)).to.equal('revoke-cancel');
    await shot(patient, '11-manage-revoke-dialog-zh', false);
    await patient.click('#revoke-yes');
    await patient.waitForSelector('.notice-ok');
    expect(await patient.textContent('.notice-ok')).to.include('已撤回同意');
    expect(await patient.locator('li.consent .status-inactive').count()).to.be.greaterThan(0);
    await shot(patient, '12-manage-revoked-zh');
  });

  it("the doctor's reload is refused with a clear message", async () => {
    await doctor.reload();
    await doctor.waitForSelector('#open-form');
    await doctor.fill('#recipient', DOCTOR);
    await doctor.fill('#passcode', PASSCODE);
    await doctor.click('#open-form button[type=submit]');
    await doctor.waitForSelector('#view-message.notice-error');
    expect(await doctor.textContent('#view-message')).to.equal('This link is no longer active: the patient withdrew consent, or it expired. Ask the patient for a new link.');
    expect(await doctor.isVisible('#open-form')).to.equal(false);
    expect(await doctor.locator('article.record').count()).to.equal(0);
    await shot(doctor, '13-view-revoked-en');
  });

  it('a damaged or incomplete link shows a clear message', async () => {
    const page = await doctorCtx.newPage();
    watch(page, problems);
    await page.goto(`${server.url}/view`);
    expect(await page.textContent('#app .notice-error')).to.include('has no record in it');
    await page.goto(`${server.url}/view?lang=zh-CN#shlink:/bm90LWpzb24`);
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    expect(await page.textContent('#app .notice-error')).to.include('链接已损坏或不完整');
    await shot(page, '14-view-damaged-zh');
    await page.close();
  });

  it('no request of the doctor\'s browser carried the key; pages raised no error or CSP violation', () => {
    expect(doctorRequests.length).to.be.greaterThan(5);
    expect(doctorRequests.some((r) => r.url.includes('/shl/')), 'the manifest was requested').to.equal(true);
    for (const r of doctorRequests) {
      expect(r.url, r.url).not.to.include(s.key!);
      expect(r.body, r.url).not.to.include(s.key!);
      expect(r.headers, r.url).not.to.include(s.key!);
      expect(new URL(r.url).origin, 'no request leaves the gateway').to.equal(server.url);
    }
    expect(patientRequests.every((r) => new URL(r.url).origin === server.url || r.url.startsWith('data:'))).to.equal(true);
    expect(problems).to.deep.equal([]);
  });
});
