/**
 * Checks of one primitive value (R4 datatypes.html#primitive): its lexical format (primitives.ts),
 * resource ids, example URLs, HTML in narrative / strings / markdown (xhtml.ts, txt-1), the 1 MB
 * string limit, and per lane maxLength, fixed, pattern, min/maxValue and the binding.
 *
 * Invariants: a value with a bad format gets that one issue and no further checks (as HL7's
 * validator does); every other check runs per lane, except that a binding shared by consecutive
 * lanes (a profile's unconstrained copy of the base node) is checked once.
 */
import type { Ctx } from './context.js';
import { isExampleUrl, issue } from './context.js';
import type { ElementNode } from './model.js';
import { show } from './pattern.js';
import { checkPrimitive } from './primitives.js';
import { checkBinding } from './terminology.js';
import { checkNarrativeXhtml, embeddedHtmlAt } from './xhtml.js';

/** R4 datatypes.html#string: "strings SHALL NOT exceed 1MB in size". */
const MAX_STRING = 1024 * 1024;

const TXT_1 = "Constraint failed: txt-1: 'The narrative SHALL contain only the basic html formatting elements and attributes described in chapters 7-11 (except section 4 of chapter 9) and 15 of the HTML 4.0 standard, <a> elements (either name or href), images and internally contained style attributes'";

/** Validates one primitive `item` of `type` against the lane nodes (`nodes[0]` names the element). */
export function walkPrimitive(item: unknown, nodes: readonly ElementNode[], type: string, path: string, ctx: Ctx): void {
  const node = nodes[0]!;
  const isResourceId = node.name === 'id' && isResourceIdPath(node.path, ctx);
  const effType = isResourceId ? 'id' : type;
  const p = checkPrimitive(effType, item);
  if (p) {
    const msg = isResourceId && p.code === 'invalid' ? `Invalid Resource id: ${p.message}` : p.message;
    issue(ctx, 'error', p.code, msg, path, `primitive-${effType}`);
    return;
  }
  if (!ctx.allowExampleUrls && (type === 'uri' || type === 'url' || type === 'canonical') && isExampleUrl(item as string)) {
    issue(ctx, 'error', 'invalid', `Example URLs are not allowed in this context (${String(item)})`, path, 'example-url');
  }
  if (typeof item === 'string' && (type === 'xhtml' || type === 'string' || type === 'markdown') && item.indexOf('<') >= 0) checkHtml(item, type, path, ctx);
  if (typeof item === 'string' && item.length > MAX_STRING && type !== 'base64Binary') {
    issue(ctx, 'error', 'too-long', `value is longer than permitted maximum length of 1 MB (${MAX_STRING} bytes)`, path, 'max-length-1mb');
  }
  for (let i = 0; i < nodes.length; i++) checkPrimitiveConstraints(item, nodes[i]!, type, path, ctx, i > 0 && nodes[i]!.binding === nodes[i - 1]!.binding);
}

/** `Type.id` of a resource (not an element's id): the stricter `id` format applies. */
function isResourceIdPath(p: string, ctx: Ctx): boolean {
  const dot = p.indexOf('.');
  return dot > 0 && p.indexOf('.', dot + 1) < 0 && ctx.reg.isResourceType(p.slice(0, dot));
}

/** maxLength, fixed, pattern, min/maxValue and binding of one primitive against one node. */
function checkPrimitiveConstraints(item: unknown, node: ElementNode, type: string, path: string, ctx: Ctx, sameBinding: boolean): void {
  if (node.maxLength !== undefined && typeof item === 'string' && item.length > node.maxLength) {
    issue(ctx, 'error', 'too-long', `value is longer than permitted maximum length of ${node.maxLength}`, path, 'max-length');
  }
  if (node.fixed !== undefined && node.fixed !== item) {
    issue(ctx, 'error', 'value', `Value is '${show(item)}' but is fixed to '${show(node.fixed)}' in the profile ${node.owner}`, path, 'fixed');
  }
  if (node.pattern !== undefined && node.pattern !== item) {
    issue(ctx, 'error', 'value', `Value is '${show(item)}' but must be '${show(node.pattern)}' (pattern in ${node.owner})`, path, 'pattern');
  }
  if (typeof item === 'number') {
    if (node.minValue !== undefined && item < node.minValue) issue(ctx, 'error', 'invalid', `The value ${item} is less than the minimum value ${node.minValue}`, path, 'min-value');
    if (node.maxValue !== undefined && item > node.maxValue) issue(ctx, 'error', 'invalid', `The value ${item} is greater than the maximum value ${node.maxValue}`, path, 'max-value');
  }
  // A profile's unconstrained copy shares its base node's binding object: checked once.
  if (node.binding && !sameBinding) checkBinding(ctx, node.binding, type, item, path);
}

/** Narrative elements/attributes (txt-1) and HTML embedded in strings or markdown (see xhtml.ts). */
function checkHtml(item: string, type: string, path: string, ctx: Ctx): void {
  if (type === 'xhtml') {
    const problems = checkNarrativeXhtml(item);
    if (!problems.length) return;
    issue(ctx, 'error', 'invariant', TXT_1, path, 'txt-1');
    for (const p of problems) issue(ctx, 'error', 'invalid', p.message, path, `xhtml-${p.kind}`);
    return;
  }
  const at = embeddedHtmlAt(item);
  if (at < 0) return;
  if (type === 'markdown') {
    issue(ctx, ctx.noHtmlInMarkdown ? 'error' : 'warning', 'invalid', `The markdown contains content that appears to be an embedded HTML tag starting at '${item.slice(at, at + 2)}'. This will (or SHOULD) be escaped by the presentation layer`, path, 'markdown-html');
  } else if (ctx.securityChecks) {
    issue(ctx, 'error', 'security', 'The string value contains text that looks like embedded HTML tags, which are not allowed for security reasons in this context', path, 'string-html');
  } else {
    issue(ctx, 'information', 'security', 'The string value contains text that looks like embedded HTML tags. If this content is rendered to HTML without appropriate post-processing, it may be a security risk', path, 'string-html');
  }
}
