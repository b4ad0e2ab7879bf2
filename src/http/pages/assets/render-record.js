/**
 * Renders the record model (record.js) into DOM for the doctor: the target language first with
 * the original beside it, every code with its system, a clear "Not translated" mark, the hospital
 * and the gateway signature status. Tables turn into labelled stacked rows on a phone (CSS reads
 * `data-label`) and print on paper (print stylesheet).
 *
 * Invariants: document text enters the DOM only as text nodes (dom.js) or through the narrative
 * sanitiser (narrative.js); each piece of text carries its own `lang` so Chinese is rendered
 * with a CJK font and read by screen readers as Chinese (WCAG 3.1.2).
 */
import { h } from './dom.js';
import { formatDate, formatDateTime } from './i18n.js';
import { narrativeElement } from './narrative.js';

/**
 * @param {any} b bilingual text {original, originalLang, target?, translated}
 * @param {string} lang @param {(k: string, p?: any) => string} t
 */
export function term(b, lang, t) {
  if (!b || (!b.original && !b.target)) return h('span', { class: 'muted' }, '—');
  if (b.translated) {
    const same = b.target === b.original;
    return h('span', { class: 'term' },
      h('span', { class: 'target', lang }, b.target),
      same ? null : h('span', { class: 'orig', lang: b.originalLang }, h('span', { class: 'visually-hidden' }, `${t('record.original')}: `), b.original));
  }
  return h('span', { class: 'term untranslated' },
    h('span', { class: 'target', lang: b.originalLang }, b.original),
    h('span', { class: 'badge badge-untranslated' }, t('record.untranslated')));
}

function codes(concept, t) {
  const list = (concept?.codes ?? []).filter((c) => c.code && c.systemKey !== 'ucum');
  if (!list.length) return h('span', { class: 'muted' }, '—');
  return h('ul', { class: 'codes' }, list.map((c) => h('li', null,
    h('span', { class: 'sys' }, c.systemKey ? t(`system.${c.systemKey}`) : c.system ?? ''), ' ',
    h('code', null, c.code))));
}

const qty = (q) => (q ? `${q.comparator ?? ''}${q.value} ${q.unit ?? ''}`.trim() : '');

/** Reference ranges: low–high, ≥ low or ≤ high (FHIR R4 Observation.referenceRange), else the text. */
function range(rs) {
  return rs
    .map((r) => {
      const unit = (r.high ?? r.low)?.unit ?? '';
      if (r.low && r.high) return `${r.low.value}–${r.high.value} ${unit}`.trim();
      if (r.high) return `≤ ${r.high.value} ${unit}`.trim();
      if (r.low) return `≥ ${r.low.value} ${unit}`.trim();
      return r.text ?? '';
    })
    .filter(Boolean)
    .join('; ');
}

function table(caption, columns, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'stack' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows.map((cells) => h('tr', null, cells.map((cell, i) => h('td', { 'data-label': columns[i] }, cell)))))));
}

function frequency(d, lang, t) {
  if (d?.frequency?.original || d?.frequency?.target) return term(d.frequency, lang, t);
  if (d?.repeat) return t('freq.repeat', { n: d.repeat.frequency, unit: t(`unit.${d.repeat.periodUnit}`) });
  return '—';
}

function items(kind, list, lang, t) {
  if (!list.length) return null;
  switch (kind) {
    case 'diagnosis':
      return table(t('col.diagnosis'), [t('col.diagnosis'), t('col.codes'), t('col.category')],
        list.map((x) => [h('div', { class: 'diagnosis' }, term(x.concept, lang, t), x.tcm ? h('span', { class: 'badge badge-tcm' }, t('record.tcm')) : null, x.verification === 'provisional' ? h('span', { class: 'badge' }, t('record.provisional')) : null), codes(x.concept, t), term(x.category, lang, t)]));
    case 'medicine':
      return table(t('col.medicine'), [t('col.medicine'), t('col.dose'), t('col.route'), t('col.frequency'), t('col.instructions'), t('col.codes')],
        list.map((x) => [term(x.concept, lang, t), qty(x.dosage?.dose) || '—', x.dosage?.route ? term(x.dosage.route, lang, t) : '—', frequency(x.dosage, lang, t), x.dosage?.text ? term(x.dosage.text, lang, t) : '—', codes(x.concept, t)]));
    case 'result':
      return table(t('col.test'), [t('col.test'), t('col.result'), t('col.range'), t('col.flag'), t('col.date'), t('col.codes')],
        list.map((x) => [term(x.concept, lang, t), qty(x.value) || (x.valueText ? term(x.valueText, lang, t) : x.valueConcept ? term(x.valueConcept, lang, t) : '—'), range(x.range) || '—', x.interpretation ? term(x.interpretation, lang, t) : '—', x.date ? formatDate(x.date, lang, 'medium') : '—', codes(x.concept, t)]));
    case 'procedure':
      return table(t('col.procedure'), [t('col.procedure'), t('col.codes'), t('col.date')],
        list.map((x) => [term(x.concept, lang, t), codes(x.concept, t), x.date ? formatDate(x.date, lang, 'medium') : '—']));
    case 'allergy':
      return table(t('col.allergy'), [t('col.allergy'), t('col.reaction'), t('col.codes')],
        list.map((x) => [term(x.concept, lang, t), x.reactions.length ? x.reactions.map((r) => term(r, lang, t)) : '—', codes(x.concept, t)]));
    default:
      return null;
  }
}

const sameLang = (a, b) => String(a).toLowerCase().split('-')[0] === String(b).toLowerCase().split('-')[0];

let sectionCounter = 0;
function section(s, lang, t, level) {
  const id = `sec-${++sectionCounter}`;
  const sectionKey = s.loinc ? `section.${s.loinc}` : '';
  const known = sectionKey && t(sectionKey) !== sectionKey;
  const title = known ? { original: s.title?.original ?? t(sectionKey), originalLang: s.title?.originalLang ?? lang, target: t(sectionKey), translated: true } : s.title;
  const kinds = ['diagnosis', 'procedure', 'allergy', 'medicine', 'result'];
  return h('section', { class: 'doc-section', 'aria-labelledby': id },
    h(level <= 2 ? 'h2' : 'h3', { id }, term(title, lang, t)),
    kinds.map((k) => items(k, s.items.filter((x) => x.kind === k), lang, t)),
    s.narratives.map((n) => {
      const translated = sameLang(n.lang, lang);
      const original = translated ? n.originalLang && !sameLang(n.originalLang, lang) ? n.originalLang : undefined : n.lang;
      return h('div', { class: !translated ? 'narrative-block original-text' : original ? 'narrative-block has-original' : 'narrative-block' },
        h('p', { class: 'narrative-label' }, translated ? t('record.narrative') : null,
          original ? h('span', { class: 'badge badge-untranslated' }, t('record.narrativeOriginal', { lang: t(`langName.${original.startsWith('zh') ? 'zh-CN' : 'en'}`) })) : null),
        narrativeElement(n.div, n.lang));
    }),
    s.sections.map((x) => section(x, lang, t, level + 1)));
}

function names(list, lang) {
  // Target-language form first: pinyin (ABC) for English readers, hanzi (IDE) for Chinese ones.
  const sorted = [...list].sort((a, b) => Number(b.lang === lang) - Number(a.lang === lang));
  return sorted.map((n, i) => h('span', { class: i === 0 ? 'name' : 'name orig', lang: n.lang }, n.text));
}

/**
 * @param {any} model recordModel(bundle, lang)
 * @param {{status: string, reason?: string, signedAt?: string} | undefined} sig undefined while checking
 */
export function renderRecord(model, sig, lang, t) {
  sectionCounter = 0;
  const anyUntranslated = JSON.stringify(model).includes('"translated":false') || model.sections.some(function walk(s) {
    return s.narratives.some((n) => !sameLang(n.lang, lang) || (n.originalLang && !sameLang(n.originalLang, lang))) || s.sections.some(walk);
  });
  const fact = (k, ...v) => h('div', { class: 'fact' }, h('dt', null, t(k)), h('dd', null, ...v));
  const p = model.patient;
  return h('article', { class: 'record', lang },
    h('header', { class: 'record-head' },
      h('h2', { class: 'doc-title' }, term(model.title, lang, t)),
      h('dl', { class: 'facts' },
        p ? fact('record.patient', names(p.names, lang), p.gender ? h('span', { class: 'muted' }, ` · ${t(`gender.${p.gender}`)}`) : null, p.birthDate ? h('span', { class: 'muted' }, ` · ${t('record.born', { date: formatDate(p.birthDate, lang) })}`) : null) : null,
        model.hospital ? fact('record.hospital', term(model.hospital.name, lang, t)) : null,
        model.date ? fact('record.date', formatDate(model.date, lang)) : null,
        model.period?.start ? fact('record.stay', `${formatDate(model.period.start, lang)} – ${model.period.end ? formatDate(model.period.end, lang) : ''}`) : null,
        model.authors.length ? fact('record.author', model.authors.map((a) => names(a.names, lang))) : null),
      h('div', { class: `signature sig-${sig ? sig.status : 'checking'}`, role: 'status', id: 'signature-status' },
        h('strong', null, `${t('record.signature.heading')}: `),
        !sig ? t('record.signature.checking') : sig.status === 'verified'
          ? t('record.signature.verified', { when: sig.signedAt ? formatDateTime(sig.signedAt, lang) : '' })
          : t('record.signature.notVerified', { reason: t(`sig.${sig.reason ?? 'mismatch'}`) })),
      anyUntranslated ? h('p', { class: 'note' }, h('span', { class: 'badge badge-untranslated' }, t('record.untranslated')), ' ', t('record.untranslatedNote')) : null,
      h('div', { class: 'actions no-print' }, h('button', { type: 'button', class: 'secondary', id: 'print-record', on: { click: () => window.print() } }, t('record.print')))),
    model.sections.map((s) => section(s, lang, t, 2)));
}
