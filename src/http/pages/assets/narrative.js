/**
 * Shows a FHIR Narrative (`text.div`, XHTML from the sending hospital) safely: the XHTML is parsed
 * inert (DOMParser creates no live script, loads no image) and copied element by element into new
 * nodes, keeping only the FHIR narrative's text-structure elements (FHIR R4 narrative.html
 * §2.4.0.2 allows a limited XHTML subset), only `lang`, `colspan`, `rowspan` attributes and the
 * gateway's own translation-wrapper classes.
 * Invariant: no attribute that can load or run anything (src, href, style, on*) survives; the
 * `lang` of the source is carried so screen readers pronounce Chinese as Chinese (WCAG 3.1.2).
 */
const KEEP = new Set(['p', 'b', 'i', 'em', 'strong', 'u', 'sub', 'sup', 'br', 'ol', 'ul', 'li', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'span', 'div', 'h3', 'h4', 'h5', 'h6', 'pre', 'code', 'blockquote']);
const ATTRS = ['lang', 'colspan', 'rowspan'];
/** Classes of the gateway's translation wrapper (src/translate/narrative.ts), kept for styling. */
const CLASSES = new Set(['emrgw-translation', 'emrgw-original', 'emrgw-note', 'emrgw-gloss', 'emrgw-mt']);

/** @param {string} xhtml @param {string} lang fallback lang @returns {HTMLElement} */
export function narrativeElement(xhtml, lang) {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${xhtml}`, 'text/html');
  const out = document.createElement('div');
  out.className = 'narrative';
  out.lang = lang;
  const copy = (from, to) => {
    for (const n of from.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) to.appendChild(document.createTextNode(n.textContent ?? ''));
      else if (n.nodeType === Node.ELEMENT_NODE) {
        const tag = n.localName === 'h1' || n.localName === 'h2' ? 'h4' : n.localName;
        if (!KEEP.has(tag)) {
          copy(n, to); // unknown wrapper: keep its text, drop the element
          continue;
        }
        const el = document.createElement(tag);
        for (const a of ATTRS) {
          const v = n.getAttribute(a) ?? (a === 'lang' ? n.getAttribute('xml:lang') : null);
          if (v && /^[\w-]{1,35}$/.test(v)) el.setAttribute(a, v);
        }
        const cls = (n.getAttribute('class') ?? '').split(/\s+/).filter((c) => CLASSES.has(c));
        if (cls.length) el.className = cls.join(' ');
        copy(n, el);
        to.appendChild(el);
      }
    }
  };
  copy(doc.body, out);
  return out;
}
