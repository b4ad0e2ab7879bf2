/**
 * Safe JSON intake: parses untrusted text into plain data once (habit 3: snapshot at ingest).
 *
 * Invariants: keys `__proto__`, `constructor`, `prototype` never reach an object's prototype
 * (they are rejected, as FHIR has no such elements); nesting deeper than `maxDepth` is refused
 * before any recursive walk can overflow the stack; the top level must be an object.
 */
import { GatewayError } from '../errors.js';
import { isObject, type Resource } from './types.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const DEFAULT_MAX_DEPTH = 64;

/**
 * Depth of nesting measured without recursion, scanning the text (strings skipped). A string is
 * skipped by searching for its closing quote (indexOf) rather than char by char: most of a FHIR
 * document's text is inside strings. A quote ends the string when an even number of backslashes
 * precedes it (each pair is one escaped backslash). An unterminated string ends the scan (the
 * parse then refuses the text).
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return max;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 92) backslashes++;
        if (backslashes % 2 === 0) break;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/**
 * True when no member name of `text` can be one of FORBIDDEN_KEYS: none of them occurs literally
 * and there is no \u escape (the only JSON escape that can spell a letter or "_"; \" \\ \/ \b
 * \f \n \r \t cannot). Then JSON.parse needs no reviver, which makes it several times slower.
 */
function cannotHoldForbiddenKeys(text: string): boolean {
  return !text.includes('\\u') && !text.includes('__proto__') && !text.includes('constructor') && !text.includes('prototype');
}

export function parseJsonResource(text: string, maxDepth = DEFAULT_MAX_DEPTH): Resource {
  if (jsonDepth(text) > maxDepth) {
    throw new GatewayError('MALFORMED_JSON', `JSON nesting deeper than ${maxDepth} levels is not accepted.`);
  }
  let forbidden: string | undefined;
  let value: unknown;
  try {
    value = cannotHoldForbiddenKeys(text)
      ? JSON.parse(text)
      : JSON.parse(text, (key, v) => {
          if (FORBIDDEN_KEYS.has(key)) forbidden = key;
          return v;
        });
  } catch (cause) {
    throw new GatewayError('MALFORMED_JSON', 'The request body is not valid JSON.', { cause });
  }
  if (forbidden) {
    throw new GatewayError('MALFORMED_JSON', `The JSON member name "${forbidden}" is not allowed.`);
  }
  if (!isObject(value)) {
    throw new GatewayError('INVALID_RESOURCE', 'The body must be a JSON object (a FHIR resource).', {
      expression: '$this',
    });
  }
  if (typeof value.resourceType !== 'string') {
    throw new GatewayError('INVALID_RESOURCE', 'The resource has no resourceType.', { expression: 'resourceType' });
  }
  return value as Resource;
}
