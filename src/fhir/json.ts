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

/** Depth of nesting measured without recursion, scanning the text (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip escaped char
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function parseJsonResource(text: string, maxDepth = DEFAULT_MAX_DEPTH): Resource {
  if (jsonDepth(text) > maxDepth) {
    throw new GatewayError('MALFORMED_JSON', `JSON nesting deeper than ${maxDepth} levels is not accepted.`);
  }
  let forbidden: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v) => {
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
