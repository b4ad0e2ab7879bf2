/**
 * CDA narrative block (section/text, HL7 CDA R2 §4.3.5) → FHIR XHTML narrative
 * (FHIR R4 narrative.html: `<div xmlns="http://www.w3.org/1999/xhtml">`, basic HTML only).
 *
 * Invariants: every character of text in the CDA narrative is kept, escaped (FHIR txt-1 allows
 * no active content, so nothing is copied through unescaped); structure maps one to one
 * (paragraph→p, content→span, list→ul/ol, item→li, table parts→same, br, sub, sup); hyperlinks
 * and multimedia references are not carried (a converted record must not point outside itself);
 * the div always declares `lang`/`xml:lang` zh-CN and is never empty (FHIR txt-2).
 */
import type { XmlElement, XmlNode } from './xml.js';
import { CDA_NS } from './xml.js';

export const XHTML_OPEN = '<div xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const SAME = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'sub', 'sup', 'caption']);
const SPAN_ATTRS = new Set(['colspan', 'rowspan']);

function attrsOf(el: XmlElement): string {
  let out = '';
  for (const a of el.attrs) {
    if (a.uri === '' && SPAN_ATTRS.has(a.local) && /^\d{1,3}$/.test(a.value)) out += ` ${a.local}="${a.value}"`;
  }
  return out;
}

function convertChildren(nodes: XmlNode[], parentName: string): string {
  let out = '';
  for (const n of nodes) out += n.kind === 'text' ? escapeXml(n.text) : convertElement(n, parentName);
  return out;
}

function convertElement(el: XmlElement, parentName: string): string {
  if (el.ns !== CDA_NS) return escapeXml(textOnly(el));
  const inner = (): string => convertChildren(el.children, el.name);
  switch (el.name) {
    case 'paragraph':
      return `<p>${inner()}</p>`;
    case 'br':
      return '<br/>';
    case 'list': {
      const tag = el.attrs.some((a) => a.local === 'listType' && a.value === 'ordered') ? 'ol' : 'ul';
      const caption = el.children.find((c): c is XmlElement => c.kind === 'element' && c.name === 'caption');
      const items = el.children.filter((c) => !(c.kind === 'element' && c.name === 'caption'));
      const head = caption ? `<p><b>${convertChildren(caption.children, 'caption')}</b></p>` : '';
      return `${head}<${tag}>${convertChildren(items, 'list')}</${tag}>`;
    }
    case 'item':
      return `<li>${inner()}</li>`;
    case 'caption':
      return parentName === 'table' ? `<caption>${inner()}</caption>` : `<b>${inner()}</b>`;
    case 'renderMultiMedia':
      return '';
    case 'col':
    case 'colgroup':
      return '';
    default:
      if (SAME.has(el.name)) return `<${el.name}${attrsOf(el)}>${inner()}</${el.name}>`;
      // content, linkHtml, footnote, footnoteRef and anything unknown: keep the text in a span.
      return `<span>${inner()}</span>`;
  }
}

function textOnly(el: XmlElement): string {
  let s = '';
  for (const c of el.children) s += c.kind === 'text' ? c.text : textOnly(c);
  return s;
}

/**
 * The XHTML body (without the enclosing div) for a CDA `section/text`. A text made only of bare
 * text (the usual WS/T 500 form) becomes one `<p>` per non-empty line, so line breaks survive.
 */
export function narrativeBody(text: XmlElement | undefined): string {
  if (!text) return '';
  if (text.children.every((n) => n.kind === 'text')) {
    let out = '';
    for (const line of text.children.map((n) => (n.kind === 'text' ? n.text : '')).join('').split(/\r?\n/)) {
      const t = line.trim();
      if (t) out += `<p>${escapeXml(t)}</p>`;
    }
    return out;
  }
  // Mixed content: keep text and inline structure as they are; whitespace-only runs between blocks are dropped.
  let out = '';
  for (const n of text.children) {
    if (n.kind === 'element') out += convertElement(n, 'text');
    else if (n.text.trim()) out += escapeXml(n.text);
  }
  return out;
}

/** A labelled free-text paragraph, for ST entries whose value is not already in the narrative. */
export function labelledParagraph(label: string, value: string): string {
  return `<p><b>${escapeXml(label)}：</b>${escapeXml(value)}</p>`;
}

export function wrapDiv(body: string): string {
  return `${XHTML_OPEN}${body}</div>`;
}

/** Visible text of an XHTML string (tags removed, entities decoded), for comparisons. */
export function xhtmlText(xhtml: string): string {
  return xhtml
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
