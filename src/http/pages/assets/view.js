/**
 * The doctor's viewer, `/view#shlink:/<payload>` (issue 8 §3; SMART Health Links "SHL Receiving
 * Application"): asks for the recipient's name (and the passcode when the link has flag P),
 * requests the manifest, fetches the encrypted files, decrypts them IN THIS BROWSER, checks the
 * gateway's signature against its JWKS, and shows the record bilingually.
 *
 * Invariants: the key is read from the fragment and used only by WebCrypto (shl.js) — no request
 * carries it (the e2e test records every request to prove it); the decrypted document lives only
 * in this page's memory (a language switch re-renders it; file locations are single-use); 401,
 * 404 and lockout each show their own clear message; a passcode is never stored.
 */
import { fragment, h, notice, replace } from './dom.js';
import { formatDate, setupLanguage } from './i18n.js';
import { recordModel } from './record.js';
import { renderRecord } from './render-record.js';
import { ShlError, decryptJwe, fetchFile, needsPasscode, parseShlink, requestManifest } from './shl.js';
import { fromUtf8 } from './b64.js';
import { verifyBundleSignature } from './signature.js';

const app = /** @type {HTMLElement} */ (document.getElementById('app'));
/** @type {{ payload?: any, linkError?: string, message?: {kind: 'error'|'warn'|'info', key: string, params?: any}, busy?: boolean, bundle?: any, sig?: any, recipient: string }} */
const state = { recipient: '' };
let lang = 'en';
/** @type {(k: string, p?: Record<string, unknown>) => string} */
let t = (k) => k;

try {
  const f = fragment();
  if (!f) state.linkError = 'view.missing';
  else state.payload = parseShlink(f);
} catch (e) {
  state.linkError = e instanceof ShlError ? (e.code === 'expired' ? 'view.expired' : e.code === 'unsupported' ? 'view.unsupported' : 'view.invalid') : 'view.invalid';
}

async function open(passcode) {
  state.busy = true;
  state.message = { kind: 'info', key: 'view.loading' };
  render();
  try {
    const m = await requestManifest(state.payload, { recipient: state.recipient.trim(), ...(passcode ? { passcode } : {}) }, fetch, lang);
    if (m.status === 'passcode') state.message = m.remainingAttempts === undefined ? { kind: 'error', key: 'view.passcode.wrongUnknown' } : { kind: 'error', key: 'view.passcode.wrong', params: { n: m.remainingAttempts } };
    else if (m.status === 'inactive') state.message = { kind: 'error', key: 'view.inactive' };
    else if (m.status === 'locked') state.message = { kind: 'error', key: 'view.locked' };
    else if (m.status === 'error') state.message = { kind: 'error', key: 'view.error', params: { status: m.httpStatus } };
    else {
      const file = m.files.find((f) => f.contentType === 'application/fhir+json') ?? m.files[0];
      const jwe = file ? await fetchFile(file, fetch, lang) : undefined;
      if (jwe === undefined) state.message = { kind: 'error', key: 'view.inactive' };
      else {
        const { plaintext } = await decryptJwe(jwe, state.payload.key);
        const bundle = JSON.parse(fromUtf8(plaintext));
        recordModel(bundle, lang); // throws when it is not a document
        state.bundle = bundle;
        state.message = undefined;
        render();
        state.sig = await checkSignature(bundle);
      }
    }
  } catch (e) {
    state.message = { kind: 'error', key: e instanceof ShlError ? (e.code === 'network' ? 'common.networkError' : 'view.decrypt') : 'view.notDocument' };
  }
  state.busy = false;
  render();
  (app.querySelector('.notice') ?? app.querySelector('h2'))?.focus();
}

async function checkSignature(bundle) {
  try {
    const res = await fetch(new URL('/.well-known/jwks.json', state.payload.url).href, { credentials: 'omit', cache: 'no-store' });
    if (!res.ok) return { status: 'not-verified', reason: 'jwks' };
    return await verifyBundleSignature(bundle, await res.json());
  } catch {
    return { status: 'not-verified', reason: 'jwks' };
  }
}

function renderForm() {
  const p = state.payload;
  const pass = needsPasscode(p);
  const errors = [];
  const form = h('form', { id: 'open-form', novalidate: true, on: { submit: (e) => {
    e.preventDefault();
    const fd = new FormData(/** @type {HTMLFormElement} */ (e.target));
    state.recipient = String(fd.get('recipient') ?? '');
    const passcode = String(fd.get('passcode') ?? '');
    errors.length = 0;
    if (!state.recipient.trim()) state.message = { kind: 'error', key: 'view.form.recipientRequired' };
    else if (pass && !passcode) state.message = { kind: 'error', key: 'view.form.passcodeRequired' };
    else return void open(passcode);
    render();
  } } },
    h('fieldset', null, h('legend', null, t('view.form.legend')),
      h('div', { class: 'field' },
        h('label', { for: 'recipient' }, t('view.form.recipient')),
        h('p', { class: 'hint', id: 'recipient-hint' }, t('view.form.recipientHint')),
        h('input', { id: 'recipient', name: 'recipient', type: 'text', autocomplete: 'name', required: true, value: state.recipient, 'aria-describedby': 'recipient-hint' })),
      pass ? h('div', { class: 'field' },
        h('label', { for: 'passcode' }, t('view.form.passcode')),
        h('p', { class: 'hint', id: 'passcode-hint' }, t('view.form.passcodeHint')),
        h('input', { id: 'passcode', name: 'passcode', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'passcode-hint' })) : null,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', disabled: state.busy }, t('view.form.open')))));
  return form;
}

function render() {
  if (state.linkError) return replace(app, notice('error', t(state.linkError)));
  const p = state.payload;
  const msg = state.message ? Object.assign(notice(state.message.kind, t(state.message.key, state.message.params)), { tabIndex: -1, id: 'view-message' }) : null;
  if (state.bundle) {
    return replace(app, h('p', { class: 'muted no-print key-note' }, t('view.keyNote')), renderRecord(recordModel(state.bundle, lang), state.sig, lang, t));
  }
  const final = state.message && ['view.inactive', 'view.locked'].includes(state.message.key);
  replace(app,
    p.label ? h('p', { class: 'label' }, t('view.label', { label: p.label })) : null,
    p.exp ? h('p', { class: 'muted' }, t('view.expires', { date: formatDate(new Date(p.exp * 1000).toISOString(), lang) })) : null,
    msg,
    final ? null : renderForm());
}

await setupLanguage('en', (l, tr) => {
  lang = l;
  t = tr;
  render();
});
