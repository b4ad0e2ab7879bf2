/**
 * The patient's grant page, `/invite#<invitation secret>` (issue 8 §1; contract of issue 6):
 * GET /api/invitations/current (header X-Invitation) → choices; the patient picks recipient,
 * purpose, records, duration and an optional passcode; reads the PIPL art. 39 notice generated
 * from those choices; consents as a separate act (checkbox + button, PIPL arts. 14 and 39);
 * POST /api/invitations/grant → the link, its QR code, a printable card and the private
 * management link.
 *
 * Invariants: nothing is sent before the separate confirmation; the secret is read from the
 * fragment and sent only to our own origin; the printed card carries the doctor's link only,
 * never the management link.
 */
import { api, fragment, h, notice, replace } from './dom.js';
import { countryName, formatDate, loadCatalogue, setupLanguage, translator } from './i18n.js';

const DURATIONS = [7, 30, 90, 365];
const app = /** @type {HTMLElement} */ (document.getElementById('app'));
const secret = fragment();

/** @type {{ data?: any, step: 'form'|'review'|'done', errors: string[], choice: any, result?: any, grantError?: string, busy?: boolean }} */
const state = {
  step: 'form',
  errors: [],
  choice: { kind: 'provider', provider: '', name: '', email: '', purpose: '', documents: undefined, days: 30, passcode: '', confirmed: false },
};

const text = (v) => (typeof v === 'string' ? v : (v?.name ?? v?.display ?? v?.text ?? ''));
/** Providers the patient may choose: `recipients` (gateway) or `providers` (issue contract). */
const providersOf = (d) => d.recipients ?? d.providers ?? [];
/** The hospital's name in the page language (`nameZh` beside `name`). */
const hospitalName = (hosp) => (lang === 'zh-CN' && hosp?.nameZh ? hosp.nameZh : text(hosp));
const purposeCode = (p) => (typeof p === 'string' ? p : p?.code);
const endDate = (days) => new Date(Date.now() + days * 86400_000);

let lang = 'zh-CN';
/** @type {(k: string, p?: Record<string, unknown>) => string} */
let t = (k) => k;
/** The other language's messages: the printed card is bilingual (the doctor may not read the patient's language). */
let tOther = (k) => k;
let otherLang = 'en';

async function load() {
  if (!secret) return;
  const res = await api('/api/invitations/current', { headers: { 'X-Invitation': secret } });
  if (res.status === 200 && res.body) {
    state.data = res.body;
    const providers = providersOf(state.data);
    state.choice.kind = providers.length ? 'provider' : 'person';
    state.choice.documents = (state.data.documents ?? []).map((d) => d.id);
  } else state.loadError = res.status;
}

function recipientName() {
  const c = state.choice;
  if (c.kind === 'person') return c.name.trim();
  const p = providersOf(state.data).find((x) => x.id === c.provider);
  return p ? text(p) : '';
}

function recipientContact() {
  const c = state.choice;
  if (c.kind === 'person') return c.email.trim();
  const p = providersOf(state.data).find((x) => x.id === c.provider);
  return text(p?.contact) || p?.email || countryName(p?.country, lang) || '';
}

function purposeLabel(code) {
  const p = (state.data.purposes ?? []).find((x) => purposeCode(x) === code);
  const key = `purpose.${code}`;
  const s = t(key);
  return s === key ? text(p) || code : s;
}

function validate() {
  const c = state.choice;
  const e = [];
  if (c.kind === 'provider' && !c.provider) e.push('invite.errors.provider');
  if (c.kind === 'person' && !c.name.trim()) e.push('invite.errors.name');
  if (c.kind === 'person' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.email.trim())) e.push('invite.errors.email');
  if (!c.purpose) e.push('invite.errors.purpose');
  if (!c.documents?.length) e.push('invite.errors.documents');
  if (c.passcode && (c.passcode.length < 4 || c.passcode.length > 40)) e.push('invite.errors.passcode');
  return e;
}

const field = (id, labelKey, input, hintKey) =>
  h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), hintKey ? h('p', { class: 'hint', id: `${id}-hint` }, t(hintKey)) : null, input);

function radio(name, value, checked, label, onChange) {
  const id = `${name}-${value}`.replace(/[^\w-]/g, '_');
  return h('div', { class: 'choice' }, h('input', { type: 'radio', name, id, value, checked, on: { change: onChange } }), h('label', { for: id }, label));
}

function renderForm() {
  const d = state.data;
  const c = state.choice;
  const providers = providersOf(d);
  const purposes = (d.purposes ?? []).filter((p) => purposeCode(p) !== 'ETREAT');
  const rerender = () => render();
  const errors = state.errors.length
    ? notice('error', h('p', null, t('invite.errors.heading')), h('ul', null, state.errors.map((k) => h('li', null, t(k)))))
    : null;
  const providerSelect = h(
    'select',
    { id: 'provider', disabled: c.kind !== 'provider', on: { change: (e) => (c.provider = e.target.value) } },
    h('option', { value: '' }, '—'),
    providers.map((p) => h('option', { value: p.id, selected: p.id === c.provider }, p.country ? `${text(p)} (${countryName(p.country, lang)})` : text(p))),
  );
  return h(
    'form',
    { id: 'grant-form', novalidate: true, on: { submit: (e) => {
      e.preventDefault();
      state.errors = validate();
      if (!state.errors.length) state.step = 'review';
      render();
      app.querySelector('.notice, h2')?.focus?.();
    } } },
    h('p', { class: 'intro' }, t('invite.intro', { hospital: hospitalName(d.hospital) })),
    text(d.patient) ? h('p', { class: 'patient' }, t('invite.patient', { name: text(d.patient) })) : d.patient?.value ? h('p', { class: 'patient' }, t('invite.patientId', { id: d.patient.value })) : null,
    h('h2', { tabindex: '-1' }, t('invite.step1')),
    errors,
    h('fieldset', null, h('legend', null, t('invite.recipient.legend')),
      providers.length ? radio('recipientKind', 'provider', c.kind === 'provider', t('invite.recipient.provider'), () => { c.kind = 'provider'; rerender(); }) : null,
      providers.length ? field('provider', 'invite.recipient.providerSelect', providerSelect) : null,
      radio('recipientKind', 'person', c.kind === 'person', t('invite.recipient.person'), () => { c.kind = 'person'; rerender(); }),
      c.kind === 'person' ? h('div', { class: 'nested' },
        field('doctor-name', 'invite.recipient.name', h('input', { id: 'doctor-name', type: 'text', autocomplete: 'off', value: c.name, required: true, on: { input: (e) => (c.name = e.target.value) } })),
        field('doctor-email', 'invite.recipient.email', h('input', { id: 'doctor-email', type: 'email', autocomplete: 'off', value: c.email, required: true, on: { input: (e) => (c.email = e.target.value) } })),
      ) : null),
    h('fieldset', null, h('legend', null, t('invite.purpose.legend')),
      purposes.map((p) => radio('purpose', purposeCode(p), c.purpose === purposeCode(p), purposeLabel(purposeCode(p)), () => (c.purpose = purposeCode(p))))),
    h('fieldset', null, h('legend', null, t('invite.documents.legend')),
      (d.documents ?? []).length ? (d.documents ?? []).map((doc) => {
        const id = `doc-${doc.id}`.replace(/[^\w-]/g, '_');
        return h('div', { class: 'choice' },
          h('input', { type: 'checkbox', id, value: doc.id, checked: c.documents.includes(doc.id), on: { change: (e) => {
            c.documents = e.target.checked ? [...c.documents, doc.id] : c.documents.filter((x) => x !== doc.id);
          } } }),
          h('label', { for: id }, h('span', { lang: 'zh-CN' }, text(doc.title) || doc.id), doc.date ? h('span', { class: 'muted' }, ` · ${formatDate(doc.date, lang)}`) : null));
      }) : h('p', null, t('invite.documents.none'))),
    h('fieldset', null, h('legend', null, t('invite.duration.legend')),
      DURATIONS.map((n) => radio('duration', String(n), c.days === n,
        `${n === 365 ? t('invite.duration.year') : t('invite.duration.days', { n })} (${t('invite.duration.until', { date: formatDate(endDate(n).toISOString(), lang) })})`,
        () => (c.days = n)))),
    field('passcode', 'invite.passcode.label',
      h('input', { id: 'passcode', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '40', value: c.passcode, 'aria-describedby': 'passcode-hint', on: { input: (e) => (c.passcode = e.target.value) } }),
      'invite.passcode.hint'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('invite.review'))),
  );
}

/** The art. 39 notice from the choices, in the page language (same elements as src/consent/notice.ts). */
function noticeLines() {
  const d = state.data;
  const c = state.choice;
  const docs = (d.documents ?? []).filter((x) => c.documents.includes(x.id)).map((x) => `${text(x.title) || x.id}${x.date ? ` (${formatDate(x.date, lang)})` : ''}`);
  const name = recipientName();
  const contact = recipientContact();
  return [
    t('notice.intro', { hospital: hospitalName(d.hospital) }),
    t('notice.recipient', { name }),
    t('notice.contact', { contact }),
    t('notice.purpose', { purpose: purposeLabel(c.purpose) }),
    t('notice.method'),
    t('notice.categories', { documents: docs.join(lang === 'zh-CN' ? '、' : '; ') }),
    t('notice.excluded'),
    t('notice.until', { date: formatDate(endDate(c.days).toISOString(), lang) }),
    t('notice.abroad'),
    t('notice.rights', { name, contact }),
    c.passcode ? t('notice.passcode') : null,
    t('notice.refuse'),
  ].filter(Boolean);
}

async function grant() {
  const c = state.choice;
  // Gateway contract (src/gateway/consent-support.ts): an organisation by its id, a person as {name, contact}.
  const recipient = c.kind === 'provider' ? c.provider : { name: c.name.trim(), contact: c.email.trim() };
  const purpose = (state.data.purposes ?? []).find((p) => purposeCode(p) === c.purpose);
  const body = {
    secret,
    recipient,
    purpose: typeof purpose === 'object' && purpose?.system ? `${purpose.system}|${purpose.code}` : c.purpose,
    documents: c.documents,
    end: endDate(c.days).toISOString(),
    ...(c.passcode ? { passcode: c.passcode } : {}),
    noticeLanguage: lang,
  };
  state.busy = true;
  render();
  const res = await api('/api/invitations/grant', { method: 'POST', headers: { 'X-Invitation': secret }, body });
  state.busy = false;
  if (res.status >= 200 && res.status < 300 && res.body?.link) {
    state.result = res.body;
    state.step = 'done';
    c.passcodeSet = Boolean(c.passcode);
    c.passcode = '';
  } else state.grantError = res.status === 0 ? t('common.networkError') : t('invite.grantError', { status: res.status });
  render();
  app.querySelector('h2')?.focus();
}

function renderReview() {
  const c = state.choice;
  return h('section', { class: 'review' },
    h('h2', { tabindex: '-1' }, t('invite.step2')),
    h('article', { class: 'pipl-notice', 'aria-labelledby': 'notice-heading' },
      h('h3', { id: 'notice-heading' }, t('notice.heading')),
      noticeLines().map((l) => h('p', null, l))),
    state.grantError ? notice('error', state.grantError) : null,
    state.errors.length ? notice('error', t('invite.confirm.required')) : null,
    h('div', { class: 'choice confirm' },
      h('input', { type: 'checkbox', id: 'confirm', checked: c.confirmed, on: { change: (e) => (c.confirmed = e.target.checked) } }),
      h('label', { for: 'confirm' }, t('invite.confirm.checkbox'))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', disabled: state.busy, on: { click: () => { state.step = 'form'; state.errors = []; render(); } } }, t('common.back')),
      h('button', { type: 'button', id: 'confirm-button', class: 'primary', disabled: state.busy, on: { click: () => {
        if (!c.confirmed) {
          state.errors = ['invite.confirm.required'];
          render();
          return;
        }
        state.errors = [];
        void grant();
      } } }, state.busy ? t('invite.confirm.working') : t('invite.confirm.button'))),
  );
}

function serverNotice(n) {
  if (typeof n === 'string') return n;
  if (n && typeof n === 'object') return n[lang] ?? n.text ?? Object.values(n).find((v) => typeof v === 'string') ?? '';
  return '';
}

function renderDone() {
  const r = state.result;
  const c = state.choice;
  const name = recipientName();
  const until = formatDate(endDate(c.days).toISOString(), lang);
  const copy = (id) => h('button', { type: 'button', class: 'secondary', on: { click: async (e) => {
    const input = /** @type {HTMLInputElement} */ (document.getElementById(id));
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand?.('copy');
    }
    e.target.textContent = t('common.copied');
  } } }, t('common.copy'));
  const noticeText = serverNotice(r.notice);
  return h('section', { class: 'done' },
    h('h2', { tabindex: '-1', class: 'no-print' }, t('invite.done.heading')),
    notice('ok', t('invite.done.intro', { name, date: until })),
    h('section', { class: 'card', 'aria-labelledby': 'card-title' },
      h('h3', { id: 'card-title' }, t('invite.card.title'), h('span', { class: 'card-other', lang: otherLang }, tOther('invite.card.title'))),
      r.qrPngDataUrl ? h('img', { class: 'qr', src: r.qrPngDataUrl, alt: t('invite.done.qr'), width: '240', height: '240' }) : null,
      h('p', null, t('invite.card.scan')),
      h('p', { class: 'card-other', lang: otherLang }, tOther('invite.card.scan')),
      field('share-link', 'invite.done.link', h('input', { id: 'share-link', type: 'text', readonly: true, value: r.link, class: 'mono' })),
      h('p', { class: 'print-only mono link-print' }, r.link),
      h('p', null, t('invite.card.until', { date: until })),
      h('p', { class: 'card-other', lang: otherLang }, tOther('invite.card.until', { date: formatDate(endDate(c.days).toISOString(), otherLang) })),
      h('p', { class: 'muted' }, t('invite.card.from', { hospital: hospitalName(state.data.hospital) })),
      h('div', { class: 'actions no-print' }, copy('share-link'), h('button', { type: 'button', class: 'primary', id: 'print-card', on: { click: () => window.print() } }, t('invite.done.printCard'))),
    ),
    c.passcodeSet ? notice('warn', t('invite.done.passcodeReminder')) : null,
    h('section', { class: 'manage-link no-print', 'aria-labelledby': 'manage-title' },
      h('h3', { id: 'manage-title' }, t('invite.done.manage')),
      h('p', null, t('invite.done.manageHint')),
      h('input', { id: 'manage-link', type: 'text', readonly: true, value: r.managementLink, class: 'mono', 'aria-labelledby': 'manage-title' }),
      h('div', { class: 'actions' }, copy('manage-link'), h('a', { href: r.managementLink, class: 'button secondary', id: 'open-manage' }, t('invite.done.openManage')))),
    noticeText ? h('details', { class: 'no-print' }, h('summary', null, t('invite.done.notice')),
      h('div', { class: 'pipl-notice', lang: typeof r.notice === 'object' && r.notice?.language ? r.notice.language : lang }, noticeText.split('\n').map((l) => h('p', null, l)))) : null,
  );
}

function render() {
  if (!secret) return replace(app, notice('error', t('invite.missing')));
  if (!state.data) {
    if (state.loadError === 0) return replace(app, notice('error', t('common.networkError')));
    return replace(app, notice('error', t('invite.invalid')));
  }
  document.body.classList.toggle('printing-card', state.step === 'done');
  replace(app, state.step === 'form' ? renderForm() : state.step === 'review' ? renderReview() : renderDone());
}

await load();
await setupLanguage('zh-CN', async (l, tr) => {
  lang = l;
  t = tr;
  otherLang = l === 'zh-CN' ? 'en' : 'zh-CN';
  tOther = translator(await loadCatalogue(otherLang).catch(() => ({})));
  render();
});
