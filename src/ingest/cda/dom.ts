/**
 * Navigation over the element tree from xml.ts, and XPath locations for issues.
 *
 * Invariants: only elements in the CDA namespace (urn:hl7-org:v3) are found by the CDA helpers
 * (extensions such as `sdtc:` are ignored, as CDA R2 §1.4 allows); `xpathOf` gives an absolute
 * location path with local names, adding a 1-based `[n]` only where an element has same-named
 * siblings (e.g. `/ClinicalDocument/component/structuredBody/component[3]/section/entry[1]/...`).
 */
import { CDA_NS, XSI_NS, type XmlElement } from './xml.js';

export function elements(el: XmlElement | undefined): XmlElement[] {
  if (!el) return [];
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element' && c.ns === CDA_NS) out.push(c);
  return out;
}

export function kids(el: XmlElement | undefined, name: string): XmlElement[] {
  return elements(el).filter((c) => c.name === name);
}

export function kid(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return elements(el).find((c) => c.name === name);
}

/** Follow a chain of child names, taking the first match at each step. */
export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) {
    cur = kid(cur, n);
    if (!cur) return undefined;
  }
  return cur;
}

/** An unprefixed attribute value, trimmed; undefined when absent or blank. */
export function attr(el: XmlElement | undefined, name: string): string | undefined {
  const a = el?.attrs.find((x) => x.local === name && x.uri === '');
  const v = a?.value.trim();
  return v ? v : undefined;
}

/** `xsi:type` local part (`CD` for `xsi:type="CD"` or `xsi:type="v3:CD"`). */
export function xsiType(el: XmlElement | undefined): string | undefined {
  const a = el?.attrs.find((x) => x.local === 'type' && x.uri === XSI_NS);
  if (!a) return undefined;
  const v = a.value.trim();
  return v.includes(':') ? v.slice(v.indexOf(':') + 1) : v;
}

/** Concatenated text content of an element and its descendants (iterative: depth is bounded anyway). */
export function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  let out = '';
  const stack: (XmlElement | { kind: 'text'; text: string })[] = [el];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.kind === 'text') out += n.text;
    else for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

/** Text content with runs of whitespace collapsed and ends trimmed. */
export function cleanText(el: XmlElement | undefined): string {
  return textOf(el).replace(/\s+/g, ' ').trim();
}

export function xpathOf(el: XmlElement): string {
  const steps: string[] = [];
  let cur: XmlElement | undefined = el;
  while (cur) {
    const parent: XmlElement | undefined = cur.parent;
    let step = cur.name;
    if (parent) {
      const same = parent.children.filter(
        (c): c is XmlElement => c.kind === 'element' && c.name === cur!.name && c.ns === cur!.ns,
      );
      if (same.length > 1) step += `[${same.indexOf(cur) + 1}]`;
    }
    steps.push(step);
    cur = parent;
  }
  return '/' + steps.reverse().join('/');
}

/** All descendants (document order) satisfying `pred`, without recursion. */
export function descendants(el: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const stack: XmlElement[] = [el];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== el && pred(n)) out.push(n);
    const cs = n.children.filter((c): c is XmlElement => c.kind === 'element');
    for (let i = cs.length - 1; i >= 0; i--) stack.push(cs[i]!);
  }
  return out;
}
