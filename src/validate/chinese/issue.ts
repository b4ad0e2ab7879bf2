/**
 * Builds the bilingual Issues of the Chinese checks: English `diagnostics`, Chinese
 * `diagnosticsZh`, a stable `rule` code and precise FHIRPath `expression`s (src/errors.ts Issue).
 *
 * Invariant: messages never echo an identifier's value (PIPL art. 28: identity numbers are
 * personal information; OperationOutcomes get logged), only the element's path.
 */
import type { Issue, IssueSeverity } from '../../errors.js';

/** A check the validation engine runs on each resource; `path` is the resource's FHIRPath. */
export type ResourceCheck = (resource: unknown, path: string) => Issue[];

export function issue(
  severity: IssueSeverity,
  code: string,
  rule: string,
  expression: string[],
  diagnostics: string,
  diagnosticsZh: string,
): Issue {
  return { severity, code, rule, expression, diagnostics, diagnosticsZh };
}

/** The `identifier` array of a resource, with each element's index kept for expressions. */
export function identifiersOf(resource: unknown): { identifier: Record<string, unknown>; index: number }[] {
  if (!resource || typeof resource !== 'object') return [];
  const list = (resource as { identifier?: unknown }).identifier;
  if (!Array.isArray(list)) return [];
  return list
    .map((identifier, index) => ({ identifier, index }))
    .filter((e): e is { identifier: Record<string, unknown>; index: number } => !!e.identifier && typeof e.identifier === 'object');
}

export function stringField(obj: unknown, key: string): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const v = (obj as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}
