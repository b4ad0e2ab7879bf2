/**
 * Narrative XHTML and embedded-HTML rules (FHIR R4 narrative.html §2.4.0.1 and the txt-1
 * invariant): the div may hold only the basic HTML formatting elements and attributes of HTML 4
 * chapters 7-11 and 15 (no script, forms, frames, base, link, xlink, event handlers), and string
 * or markdown values that carry HTML tags are a security risk when rendered (HL7's validator
 * "security checks"; R4 security.html#narrative).
 *
 * Invariants: a linear scan of the text (no regex backtracking over attacker input beyond a single
 * tag), never throws, reports each disallowed name once per div; results are cached by text.
 */

/** Elements allowed in a narrative (R4 narrative.html: the list HL7's validator applies). */
const ELEMENTS: ReadonlySet<string> = new Set([
  'p', 'br', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a', 'span', 'b', 'em', 'i', 'strong', 'small', 'big', 'tt',
  'dfn', 'q', 'var', 'abbr', 'acronym', 'cite', 'blockquote', 'hr', 'address', 'bdo', 'kbd', 'sub', 'sup', 'ul', 'ol',
  'li', 'dl', 'dt', 'dd', 'pre', 'table', 'caption', 'colgroup', 'col', 'thead', 'tr', 'tfoot', 'tbody', 'th', 'td',
  'code', 'samp', 'img', 'map', 'area', 's', 'u', 'ins', 'del', 'strike', 'center', 'font', 'label',
]);

/** Attributes allowed on any element (core, i18n, presentation and table attributes of HTML 4). */
const ATTRIBUTES: ReadonlySet<string> = new Set([
  'title', 'style', 'class', 'id', 'lang', 'xml:lang', 'dir', 'accesskey', 'tabindex', 'span', 'width', 'align', 'valign',
  'char', 'charoff', 'abbr', 'axis', 'headers', 'scope', 'rowspan', 'colspan', 'xmlns', 'border', 'cellpadding',
  'cellspacing', 'summary', 'frame', 'rules', 'bgcolor', 'height', 'nowrap', 'start', 'type', 'value', 'compact',
  'cite', 'datetime', 'size', 'color', 'face', 'clear', 'noshade',
]);

/** Attributes allowed on one element only. */
const ELEMENT_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  a: new Set(['href', 'name', 'rel', 'rev', 'shape', 'coords', 'hreflang', 'charset', 'target']),
  img: new Set(['src', 'alt', 'longdesc', 'usemap', 'ismap', 'hspace', 'vspace']),
  area: new Set(['href', 'alt', 'shape', 'coords', 'nohref']),
  map: new Set(['name']),
};

export interface XhtmlProblem {
  kind: 'element' | 'attribute';
  message: string;
}

/** One tag or comment: group 1 = element name of a start tag, group 2 = its attribute text. */
const TAG = /<(?:!--[\s\S]*?-->|[/!?][^>]*>|([A-Za-z_][\w:.-]*)([^>]*)>)/g;
const ATTR = /([^\s=/>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g;
const JS_HREF = /\bhref\s*=\s*["']?\s*javascript:/i;

/**
 * Results by div text: the same narrative is met by the base walk, each profile walk and slice
 * probes; V8 caches a string's hash, so a repeat costs one Map lookup. Bounded (cleared when full).
 */
const cache = new Map<string, XhtmlProblem[]>();
const CACHE_MAX = 2000;

/** Disallowed elements and attributes in a narrative div. */
export function checkNarrativeXhtml(div: string): XhtmlProblem[] {
  const hit = cache.get(div);
  if (hit) return hit;
  const out: XhtmlProblem[] = [];
  const seen = new Set<string>();
  const add = (kind: XhtmlProblem['kind'], key: string, message: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ kind, message });
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(div); m; m = TAG.exec(div)) {
    const tag = m[1];
    if (!tag) continue; // comment, end tag, declaration
    const colon = tag.indexOf(':');
    const local = (colon < 0 ? tag : tag.slice(colon + 1)).toLowerCase();
    if (!ELEMENTS.has(local)) add('element', 'e:' + local, `Invalid element name in the XHTML ('${local}')`);
    const attrs = m[2]!;
    if (attrs.length < 2) continue;
    const own = ELEMENT_ATTRIBUTES[local];
    for (const a of attrs.matchAll(ATTR)) {
      const name = a[1]!.toLowerCase();
      if (ATTRIBUTES.has(name) || own?.has(name) || name.startsWith('xmlns:')) continue;
      add('attribute', `a:${local}:${name}`, `Invalid attribute name in the XHTML ('${name}' on '${local}')`);
    }
    // href="javascript:..." is script by another name.
    if (own && JS_HREF.test(attrs)) add('attribute', 'js:' + local, `Invalid attribute value in the XHTML (javascript: URL on '${local}')`);
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(div, out);
  return out;
}

const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>/;

/** Position of the first thing that looks like an HTML tag in plain text, or -1. */
export function embeddedHtmlAt(text: string): number {
  if (text.indexOf('<') < 0) return -1;
  const m = HTML_TAG.exec(text);
  return m ? m.index : -1;
}
