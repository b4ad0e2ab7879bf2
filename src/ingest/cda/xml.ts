/**
 * Secure XML intake for CDA documents: untrusted text → a small immutable element tree.
 *
 * Parser: `saxes` (strict XML 1.0 + Namespaces well-formedness checker, the one jsdom uses). It has
 * no DTD processing at all: it never fetches an external DTD or entity, never expands an entity
 * declared in an internal subset (undeclared entity references are a well-formedness error), so
 * XXE and "billion laughs" cannot happen inside it. On top of that we add our own limits:
 *  - a `<!DOCTYPE` is refused outright (MALFORMED_XML): CDA R2 needs none (HL7 CDA R2 §1.3, the
 *    schema is bound by namespace, not by DTD), so a DOCTYPE only ever carries an attack;
 *  - input size (UTF-8 bytes) and element count (TOO_LARGE), element depth (MALFORMED_XML, as
 *    for JSON), checked while streaming, before any recursive walk, so a 10,000-deep document
 *    cannot overflow the stack.
 *
 * Invariants: the parser's own message never reaches a client (it travels in `cause`); the
 * client gets the line/column only. Element names are namespace-local names; `ns` keeps the URI.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { GatewayError } from '../../errors.js';

export const CDA_NS = 'urn:hl7-org:v3';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export interface XmlLimits {
  /** Maximum input size in UTF-8 bytes. */
  maxBytes: number;
  /** Maximum element nesting depth (root = 1). */
  maxDepth: number;
  /** Maximum number of elements in the document. */
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 100,
  maxElements: 200_000,
});

export interface XmlAttr {
  /** Local name (`type` for `xsi:type`). */
  local: string;
  /** Namespace URI ('' when unprefixed). */
  uri: string;
  value: string;
}

export type XmlNode = XmlElement | XmlText;

export interface XmlText {
  kind: 'text';
  text: string;
}

export interface XmlElement {
  kind: 'element';
  /** Local name. */
  name: string;
  ns: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  parent: XmlElement | undefined;
  /** 1-based line where the start tag begins and ends (attributes may span lines). */
  line: number;
  endLine: number;
}

function malformed(message: string, line?: number, column?: number, cause?: unknown): GatewayError {
  const where = line !== undefined ? ` (line ${line}, column ${(column ?? 0) + 1})` : '';
  return new GatewayError('MALFORMED_XML', `${message}${where}.`, {
    cause,
    issues: [
      {
        severity: 'error',
        code: 'structure',
        diagnostics: `${message}${where}.`,
        diagnosticsZh: `XML 格式错误${where ? `（第 ${line} 行，第 ${(column ?? 0) + 1} 列）` : ''}。`,
        ...(line !== undefined ? { expression: [`line ${line}, column ${(column ?? 0) + 1}`] } : {}),
        rule: 'cda-xml-malformed',
      },
    ],
  });
}

function tooLarge(message: string, rule: string): GatewayError {
  return new GatewayError('TOO_LARGE', message, {
    issues: [{ severity: 'error', code: 'too-costly', diagnostics: message, rule }],
  });
}

/** A sentinel thrown from inside saxes handlers so our own coded error wins over its message. */
class Abort extends Error {
  constructor(readonly error: GatewayError) {
    super('abort');
  }
}

/**
 * Parse `xml` into an element tree, or throw GatewayError MALFORMED_XML / TOO_LARGE.
 * A leading byte-order mark is ignored.
 */
export function parseXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (typeof xml !== 'string') throw new TypeError('parseXml expects a string');
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > limits.maxBytes) {
    throw tooLarge(`The XML document is ${bytes} bytes; at most ${limits.maxBytes} are accepted.`, 'cda-xml-size');
  }
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  const parser = new SaxesParser({ xmlns: true, position: true });
  let root: XmlElement | undefined;
  let current: XmlElement | undefined;
  let depth = 0;
  let count = 0;
  let tagStartLine = 1;

  parser.on('doctype', () => {
    throw new Abort(malformed('A DOCTYPE declaration is not accepted in a CDA document', parser.line, parser.column));
  });
  parser.on('opentagstart', () => {
    tagStartLine = parser.line;
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++;
    count++;
    if (depth > limits.maxDepth) {
      // Same choice as JSON intake (src/fhir/json.ts): excessive nesting is malformed input.
      const e = malformed(`XML elements nest deeper than ${limits.maxDepth} levels`, parser.line, parser.column);
      e.issues[0]!.rule = 'cda-xml-depth';
      throw new Abort(e);
    }
    if (count > limits.maxElements) {
      throw new Abort(tooLarge(`The XML document has more than ${limits.maxElements} elements.`, 'cda-xml-elements'));
    }
    const el: XmlElement = {
      kind: 'element',
      name: tag.local,
      ns: tag.uri,
      attrs: Object.values(tag.attributes).map((a) => ({ local: a.local, uri: a.uri, value: a.value })),
      children: [],
      parent: current,
      line: tagStartLine,
      endLine: parser.line,
    };
    if (current) current.children.push(el);
    else root = el;
    current = el; // saxes emits closetag for self-closing tags too, so depth stays balanced
  });
  parser.on('closetag', () => {
    depth--;
    current = current?.parent;
  });
  const onText = (t: string): void => {
    if (current) current.children.push({ kind: 'text', text: t });
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof Abort) throw e.error;
    // saxes errors carry "file:line:column: message"; the client gets only the position.
    throw malformed('The document is not well-formed XML', parser.line, parser.column, e);
  }
  if (!root) throw malformed('The document has no root element');
  return root;
}
