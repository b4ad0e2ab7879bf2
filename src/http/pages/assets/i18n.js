/**
 * Message catalogues (src/http/pages/i18n/zh-CN.json and en.json, served at /assets/i18n/) and
 * the language toggle. Every visible word of the pages comes from here: markup carries
 * `data-i18n="key"` (text) and `data-i18n-attr="attr:key;…"` (attributes), code calls `t(key)`.
 *
 * Invariants: the language is one of LANGS; it comes from `?lang=`, else navigator.languages,
 * else the page's default; `<html lang>` always names the language shown (WCAG 3.1.1); a missing
 * key shows the key itself (visible in tests), never an empty string; parameters are inserted as
 * text, never as markup.
 */
export const LANGS = ['zh-CN', 'en'];

/** @param {string|null|undefined} l @returns {'zh-CN'|'en'|undefined} */
export function normaliseLang(l) {
  if (typeof l !== 'string' || !l) return undefined;
  const s = l.toLowerCase();
  if (s === 'zh' || s.startsWith('zh-')) return 'zh-CN';
  if (s === 'en' || s.startsWith('en-')) return 'en';
  return undefined;
}

/**
 * @param {string} search location.search
 * @param {readonly string[]} preferred navigator.languages
 * @param {'zh-CN'|'en'} fallback
 */
export function chooseLang(search, preferred, fallback) {
  const q = normaliseLang(new URLSearchParams(search).get('lang'));
  if (q) return q;
  for (const l of preferred ?? []) {
    const n = normaliseLang(l);
    if (n) return n;
  }
  return fallback;
}

/** @param {Record<string,string>} catalogue @returns {(key: string, params?: Record<string, unknown>) => string} */
export function translator(catalogue) {
  return (key, params = {}) => {
    const s = catalogue[key];
    if (typeof s !== 'string') return key;
    return s.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined ? m : String(params[name])));
  };
}

/** @param {string} lang @param {typeof fetch} [fetchFn] */
export async function loadCatalogue(lang, fetchFn = fetch) {
  const res = await fetchFn(`/assets/i18n/${lang}.json`, { credentials: 'omit' });
  if (!res.ok) throw new Error(`catalogue ${lang}: HTTP ${res.status}`);
  return /** @type {Record<string,string>} */ (await res.json());
}

/** Fills `data-i18n` texts and `data-i18n-attr` attributes under root. @param {ParentNode} root @param {(k: string) => string} t */
export function applyI18n(root, t) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.getAttribute('data-i18n') ?? '');
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of (el.getAttribute('data-i18n-attr') ?? '').split(';')) {
      const [attr, key] = pair.split(':').map((x) => x.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

/**
 * Calendar date of an ISO date/dateTime, as written in that zone (no shift).
 * @param {string|undefined} iso @param {string} lang @param {'long'|'medium'} [style]
 */
export function formatDate(iso, lang, style = 'long') {
  if (typeof iso !== 'string' || !/^\d{4}(-\d{2}(-\d{2})?)?/.test(iso)) return iso ?? '';
  const [y, m = '01', d = '01'] = iso.slice(0, 10).split('-');
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  const opts = iso.length >= 10 ? { dateStyle: style, timeZone: 'UTC' } : iso.length === 7 ? { year: 'numeric', month: 'long', timeZone: 'UTC' } : { year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(lang, /** @type {any} */ (opts)).format(date);
}

/** Date and time of an instant in the reader's own zone. @param {string|undefined} iso @param {string} lang */
export function formatDateTime(iso, lang) {
  const d = new Date(iso ?? '');
  if (Number.isNaN(d.getTime())) return iso ?? '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(d);
}

const ALPHA3 = { GBR: 'GB', CAN: 'CA', USA: 'US', AUS: 'AU', DEU: 'DE', FRA: 'FR', JPN: 'JP', SGP: 'SG', CHN: 'CN', HKG: 'HK', MAC: 'MO', TWN: 'TW', NZL: 'NZ', IRL: 'IE', NLD: 'NL', KOR: 'KR' };
/** Country name from an ISO 3166 alpha-2 or alpha-3 code, in lang (Intl locale data). */
export function countryName(code, lang) {
  if (typeof code !== 'string' || !code) return undefined;
  const a2 = code.length === 3 ? ALPHA3[/** @type {keyof typeof ALPHA3} */ (code.toUpperCase())] : code.toUpperCase();
  try {
    return (a2 && new Intl.DisplayNames([lang], { type: 'region' }).of(a2)) || code;
  } catch {
    return code;
  }
}

/**
 * Sets up a page's language: loads the catalogue, fills the static markup, wires the toggle
 * (`#lang-toggle`), keeps `?lang=` in the address (the fragment is kept as it is).
 * @param {'zh-CN'|'en'} fallback @param {(lang: string, t: ReturnType<typeof translator>) => void} render
 */
export async function setupLanguage(fallback, render) {
  let lang = chooseLang(location.search, navigator.languages, fallback);
  const show = async () => {
    const t = translator(await loadCatalogue(lang));
    document.documentElement.lang = lang;
    applyI18n(document, t);
    const toggle = document.getElementById('lang-toggle');
    if (toggle) toggle.setAttribute('lang', t('lang.otherCode'));
    document.title = `${t(document.body.dataset.titleKey ?? 'app.name')} · ${t('app.name')}`;
    render(lang, t);
  };
  document.getElementById('lang-toggle')?.addEventListener('click', () => {
    lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
    const u = new URL(location.href);
    u.searchParams.set('lang', lang);
    history.replaceState(null, '', u.href);
    void show();
  });
  await show();
}
