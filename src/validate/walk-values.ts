/**
 * Checks of one complex value once its members are walked: per lane fixed[x], pattern[x], the
 * binding and Quantity bounds (R4 elementdefinition.html), then the data-type rules of the value
 * itself — UCUM codes of Quantities, Attachment.size, Coding, and References (with target
 * profiles while probing a slice, see walk-probe.ts).
 *
 * Invariants: a binding shared by consecutive lanes is checked once, and reference checks run once
 * per distinct `types` array (a profile's unconstrained copy shares its base's), so merged lanes
 * never report the same issue twice; nothing here walks members (walker.ts does).
 */
import type { Ctx } from './context.js';
import { issue } from './context.js';
import type { ElementNode } from './model.js';
import { matchesFixed, matchesPattern, show } from './pattern.js';
import { checkQuantityBounds, checkUcumCode, QUANTITY_TYPES } from './quantity.js';
import { checkReference } from './references.js';
import { checkBinding, checkCoding } from './terminology.js';
import { checkTargetProfiles } from './walk-probe.js';

type Json = Record<string, unknown>;

/** The value-level checks of `item` (a JSON object of `type`) against each lane's node. */
export function checkComplexValue(item: Json, nodes: readonly ElementNode[], type: string, path: string, ctx: Ctx): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.fixed !== undefined && !matchesFixed(n.fixed, item)) {
      issue(ctx, 'error', 'value', `Value does not match the fixed value ${show(n.fixed)} in the profile ${n.owner}`, path, 'fixed');
    }
    if (n.pattern !== undefined && !matchesPattern(n.pattern, item)) {
      issue(ctx, 'error', 'value', `Value does not match the pattern ${show(n.pattern)} in the profile ${n.owner}`, path, 'pattern');
    }
    if (n.binding && !(i > 0 && n.binding === nodes[i - 1]!.binding)) checkBinding(ctx, n.binding, type, item, path);
    if (n.minQuantity || n.maxQuantity) checkQuantityBounds(item, n.minQuantity, n.maxQuantity, path, ctx);
  }
  if (QUANTITY_TYPES.has(type)) checkUcumCode(item, path, ctx);
  if (type === 'Attachment') checkAttachmentSize(item, path, ctx);
  else if (type === 'Coding') checkCoding(ctx, item, path);
  else if (type === 'Reference') {
    let seen: ElementNode['types'] | undefined;
    for (const n of nodes) {
      // Reference checks depend only on the node's types (shared by a profile's unconstrained copies).
      if (n.types === seen) continue;
      seen = n.types;
      checkReference(item, n, path, ctx);
      if (ctx.probe) checkTargetProfiles(item, n, path, ctx);
    }
  }
}

/** Attachment.size is "number of bytes of content (if url provided)" — or of `data` (R4 datatypes.html#Attachment). */
function checkAttachmentSize(item: Json, path: string, ctx: Ctx): void {
  if (typeof item.size !== 'number' || typeof item.data !== 'string') return;
  const b64 = item.data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return; // reported by the base64Binary check
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  const actual = Math.floor((b64.length * 3) / 4) - pad;
  if (actual !== item.size) {
    issue(ctx, 'error', 'structure', `Stated Attachment Size ${item.size} does not match actual attachment size ${actual}`, path, 'attachment-size');
  }
}
