/**
 * The patient's private management page, `/manage#<management secret>` (issue 8 §2; contract of
 * issue 6): GET /api/manage (header X-Management-Secret) → consents, accesses, notifications;
 * POST /api/manage/revoke {consentId} after one confirmation (PIPL art. 15: withdrawal as easy as
 * consent).
 *
 * Invariants: every consent is listed with its status (an active consent past its end shows as
 * expired); every access is one plain-language sentence (who, when, from which country, under
 * which consent, emergency or not); revoking asks exactly once, in a modal dialog reachable by
 * keyboard, and the list is reloaded from the server afterwards (never updated optimistically).
 */
import { api, fragment, h, notice, replace } from './dom.js';
import { countryName, formatDate, formatDateTime, setupLanguage } from './i18n.js';

const app = /** @type {HTMLElement} */ (document.getElementById('app'));
const secret = fragment();
/** @type {{ data?: any, loadStatus?: number, ended?: boolean, flash?: {kind: 'ok'|'error', text: string} }} */
const state = {};
let lang = 'zh-CN';
/** @type {(k: string, p?: Record<string, unknown>) => string} */
let t = (k) => k;

const text = (v) => (typeof v === 'string' ? v : (v?.name ?? v?.display ?? v?.text ?? ''));
const headers = () => ({ 'X-Management-Secret': secret });

async function load() {
  if (!secret) return;
  const res = await api('/api/manage', { headers: headers() });
  state.loadStatus = res.status;
  state.data = res.status === 200 ? res.body : undefined;
}

function consentEnd(c) {
  return c.period?.end ?? c.end ?? c.provision?.period?.end;
}

function statusOf(c) {
  const s = c.withdrawn ? 'inactive' : (c.status ?? 'active');
  const end = consentEnd(c);
  if (s === 'active' && end && new Date(end).getTime() < Date.now()) return 'expired';
  return s;
}

function recipientOf(c) {
  return text(c.recipient) || text(c.recipientName) || c.recipient?.display || '';
}

function purposeOf(c) {
  const p = c.purpose;
  const code = typeof p === 'string' ? p : p?.code;
  const key = `purpose.${code}`;
  const s = t(key);
  return s === key ? text(p) || code || '' : s;
}

function label(key, status) {
  const k = `status.${status}`;
  const s = t(k);
  return s === k ? status : s;
}

async function revoke(c, dialog) {
  dialog.close();
  const res = await api('/api/manage/revoke', { method: 'POST', headers: headers(), body: { consentId: c.id } });
  const ok = res.status >= 200 && res.status < 300;
  state.flash = ok ? { kind: 'ok', text: t('manage.revoke.done') } : { kind: 'error', text: res.status === 0 ? t('common.networkError') : t('manage.revoke.error', { status: res.status }) };
  // The server's answer is the withdrawn consent; then the whole view is read again.
  if (ok && res.body?.id && state.data) state.data = { ...state.data, consents: state.data.consents.map((x) => (x.id === res.body.id ? res.body : x)) };
  const previous = state.data;
  await load();
  if (!state.data && ok) {
    state.data = previous;
    state.ended = true;
  }
  render();
  /** @type {HTMLElement|null} */ (app.querySelector('.notice'))?.focus();
}

function confirmRevoke(c, opener) {
  const dialog = h('dialog', { class: 'confirm-dialog', 'aria-labelledby': 'revoke-title', 'aria-describedby': 'revoke-body' },
    h('h2', { id: 'revoke-title' }, t('manage.revoke.title')),
    h('p', { id: 'revoke-body' }, t('manage.revoke.body', { name: recipientOf(c) })),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', id: 'revoke-cancel', on: { click: () => dialog.close() } }, t('common.cancel')),
      h('button', { type: 'button', class: 'danger', id: 'revoke-yes', on: { click: () => void revoke(c, dialog) } }, t('manage.revoke.yes'))));
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener.isConnected) opener.focus();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  /** @type {HTMLElement} */ (dialog.querySelector('#revoke-cancel')).focus();
}

function consentCard(c) {
  const status = statusOf(c);
  const docs = Array.isArray(c.documents) ? c.documents.length : undefined;
  const start = c.period?.start ?? c.dateTime;
  const end = consentEnd(c);
  const row = (k, v) => [h('dt', null, t(k)), h('dd', null, v)];
  const card = h('li', { class: 'consent', dataset: { consentId: String(c.id ?? '') } },
    h('h3', null, recipientOf(c), ' ', h('span', { class: `badge status-${status}` }, label('status', status))),
    h('dl', null,
      row('manage.consent.purpose', purposeOf(c)),
      docs !== undefined ? row('manage.consent.documents', t('manage.consent.documentsCount', { n: docs })) : null,
      end ? row('manage.consent.period', start ? t('manage.consent.periodValue', { start: formatDate(start, lang), end: formatDate(end, lang) }) : formatDate(end, lang)) : null,
      row('manage.consent.status', label('status', status))));
  if (status === 'active') {
    const btn = h('button', { type: 'button', class: 'danger revoke', on: { click: () => confirmRevoke(c, btn) } }, t('manage.consent.revoke'));
    card.appendChild(h('div', { class: 'actions' }, btn));
  }
  return card;
}

function accessItem(a, consents) {
  const consent = consents.find((c) => c.id === a.consentId);
  const who = text(a.who) || '—';
  const country = countryName(a.country, lang);
  const key = `manage.access.${a.outcome === 'failure' ? 'failed' : 'line'}${country ? '' : 'NoCountry'}`;
  return h('li', { class: ['access', a.emergency && 'emergency', a.outcome === 'failure' && 'failed'] },
    a.emergency ? h('span', { class: 'badge status-emergency' }, t('manage.access.emergency')) : null,
    h('p', null, t(key, { who, country, when: formatDateTime(a.when, lang) })),
    h('p', { class: 'muted' }, consent ? t('manage.access.consent', { recipient: recipientOf(consent) }) : a.consentId ? t('manage.access.consent', { recipient: a.consentId }) : t('manage.access.noConsent')));
}

/** An emergency notification (PIPL arts. 13(4), 18): {consentId, at, recipient, reason, text}. */
function notificationItem(n, consents) {
  if (typeof n === 'string') return h('li', { class: 'notification' }, n);
  const consent = consents.find((c) => c.id === n.consentId);
  const who = text(n.who) || text(n.recipient) || recipientOf(consent ?? {}) || '—';
  const country = countryName(n.country ?? consent?.recipient?.country, lang);
  const when = formatDateTime(n.when ?? n.at, lang);
  return h('li', { class: 'notification' },
    h('p', null, h('strong', null, country ? t('manage.notification.emergency', { who, country, when }) : t('manage.notification.emergencyNoCountry', { who, when }))),
    n.reason ? h('p', null, t('manage.notification.reason', { reason: n.reason })) : null,
    h('p', { class: 'muted' }, t('manage.notification.consent')));
}

function render() {
  if (!secret) return replace(app, notice('error', t('manage.missing')));
  if (!state.data) return replace(app, notice('error', state.loadStatus === 0 ? t('common.networkError') : t('manage.invalid')));
  const d = state.data;
  const consents = Array.isArray(d.consents) ? d.consents : [];
  const accesses = Array.isArray(d.accesses) ? [...d.accesses].sort((a, b) => String(b.when).localeCompare(String(a.when))) : [];
  const notes = Array.isArray(d.notifications) ? d.notifications : [];
  replace(app,
    text(d.patient) ? h('p', { class: 'patient' }, t('manage.patient', { name: text(d.patient) })) : d.patient?.value ? h('p', { class: 'patient' }, t('manage.patientId', { id: d.patient.value })) : null,
    state.flash ? Object.assign(notice(state.flash.kind, state.flash.text), { tabIndex: -1 }) : null,
    state.ended ? notice('warn', t('manage.linkEnded')) : null,
    h('section', { 'aria-labelledby': 'notes-h', class: notes.length ? 'notes has-notes' : 'notes' },
      h('h2', { id: 'notes-h' }, t('manage.notifications.heading')),
      notes.length ? h('ul', { class: 'notifications' }, notes.map((n) => notificationItem(n, consents))) : h('p', null, t('manage.notifications.none'))),
    h('section', { 'aria-labelledby': 'consents-h' },
      h('h2', { id: 'consents-h' }, t('manage.consents.heading')),
      consents.length ? h('ul', { class: 'consents' }, consents.map(consentCard)) : h('p', null, t('manage.consents.none'))),
    h('section', { 'aria-labelledby': 'accesses-h' },
      h('h2', { id: 'accesses-h' }, t('manage.accesses.heading')),
      accesses.length ? h('ul', { class: 'accesses' }, accesses.map((a) => accessItem(a, consents))) : h('p', null, t('manage.accesses.none'))),
    h('div', { class: 'actions no-print' }, state.ended ? null : h('button', { type: 'button', class: 'secondary', id: 'refresh', on: { click: async () => { state.flash = undefined; await load(); render(); } } }, t('manage.refresh'))));
}

await load();
await setupLanguage('zh-CN', (l, tr) => {
  lang = l;
  t = tr;
  render();
});
