/**
 * Test-only FHIR XML → JSON conversion (R4 xml.html / json.html), for the few HL7 test cases whose
 * profiles are published only as XML. Driven by the compiled R4 type trees (which elements repeat,
 * which are primitives and of which type), so no list of element names is hard-coded here. Not a
 * general XML parser: no DTDs, no CDATA, entities limited to the XML five; good enough for
 * StructureDefinitions.
 */
import type { ProfileRegistry } from '../../src/validate/index.js';
import type { ElementNode } from '../../src/validate/model.js';
import { upperFirst } from '../../src/validate/model.js';
import { PRIMITIVE_TYPES } from '../../src/validate/primitives.js';

interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  raw?: string;
}

const unescape = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function parseXml(text: string): XNode {
  const src = text.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const re = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  const root: XNode = { name: '#root', attrs: {}, children: [] };
  const stack: { node: XNode; start: number }[] = [{ node: root, start: 0 }];
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    const [all, close, name, attrText, selfClose] = m;
    if (close) {
      const top = stack.pop()!;
      if (top.node.name === 'div') top.node.raw = src.slice(top.start, m.index + all.length);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = unescape(a[2] ?? a[3] ?? '');
    const node: XNode = { name: name!, attrs, children: [] };
    stack[stack.length - 1]!.node.children.push(node);
    if (!selfClose) stack.push({ node, start: m.index });
    else if (name === 'div') node.raw = all;
  }
  return root.children[0]!;
}

function childrenOf(node: ElementNode | undefined, type: string, reg: ProfileRegistry): ElementNode[] {
  if (node?.children.length) return node.children;
  return reg.typeTree(type)?.children ?? [];
}

function find(children: ElementNode[], xmlName: string): { node: ElementNode; type: string } | undefined {
  for (const c of children) {
    if (!c.choice && c.name === xmlName) return { node: c, type: c.types[0]?.code ?? 'BackboneElement' };
    if (c.choice) for (const t of c.types) if (c.name + upperFirst(t.code) === xmlName) return { node: c, type: t.code };
  }
  return undefined;
}

function primitive(type: string, v: string): unknown {
  if (type === 'boolean') return v === 'true';
  if (type === 'integer' || type === 'positiveInt' || type === 'unsignedInt' || type === 'decimal') return Number(v);
  return v;
}

function convert(x: XNode, node: ElementNode | undefined, type: string, reg: ProfileRegistry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (x.attrs.id) out.id = x.attrs.id;
  if (x.attrs.url && (type === 'Extension' || x.name === 'extension' || x.name === 'modifierExtension')) out.url = x.attrs.url;
  const kids = childrenOf(node, type, reg);
  for (const c of x.children) {
    const hit = find(kids, c.name);
    if (!hit) continue;
    const many = hit.node.baseMax > 1;
    let value: unknown;
    let under: Record<string, unknown> | undefined;
    if (hit.type === 'xhtml') value = c.raw ?? '';
    else if (PRIMITIVE_TYPES.has(hit.type)) {
      if (c.attrs.value !== undefined) value = primitive(hit.type, c.attrs.value);
      const ext = convert(c, undefined, 'Element', reg);
      if (Object.keys(ext).length) under = ext;
    } else value = convert(c, hit.node, hit.type, reg);
    const key = c.name;
    if (many) {
      ((out[key] ??= []) as unknown[]).push(value ?? null);
      if (under) {
        const arr = (out['_' + key] ??= []) as unknown[];
        arr[(out[key] as unknown[]).length - 1] = under;
      }
    } else {
      if (value !== undefined) out[key] = value;
      if (under) out['_' + key] = under;
    }
  }
  return out;
}

/** Converts a FHIR XML resource to FHIR JSON. */
export function fhirXmlToJson(text: string, reg: ProfileRegistry): Record<string, unknown> {
  const x = parseXml(text);
  const tree = reg.typeTree(x.name);
  return { resourceType: x.name, ...convert(x, tree, x.name, reg) };
}
