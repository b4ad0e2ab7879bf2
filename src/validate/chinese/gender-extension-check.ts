/**
 * Cross-check of the HL7 China GB/T 2261.1 sex extension against the resource's `gender`.
 * The extension is accepted, never required (DOMAIN.md); when present and contradicting
 * `gender` (1 男性 vs female, 2 女性 vs male) it is a WARNING, since translation shows `gender`
 * abroad while the hospital's own record says the other.
 * GB/T 2261.1-2003 codes: 0 unknown, 1 male, 2 female, 9 not stated.
 */
import type { Issue } from '../../errors.js';
import { issue, type ResourceCheck } from './issue.js';

export const CN_GENDER_EXTENSION = 'http://hl7.org.cn/fhir/StructureDefinition/ext-person-gender';
const GB_SEX_SYSTEM = 'urn:oid:2.16.156.10011.2.3.3.4';

/** The GB/T 2261.1 code carried by the extension, whatever value[x] type the sender used. */
function gbCode(ext: Record<string, unknown>): string | undefined {
  if (typeof ext.valueCode === 'string') return ext.valueCode;
  const codings: unknown[] = [];
  if (ext.valueCoding && typeof ext.valueCoding === 'object') codings.push(ext.valueCoding);
  const cc = ext.valueCodeableConcept as { coding?: unknown } | undefined;
  if (cc && Array.isArray(cc.coding)) codings.push(...cc.coding);
  const found = codings.find(
    (c): c is { code: string; system?: unknown } =>
      !!c && typeof c === 'object' && typeof (c as { code?: unknown }).code === 'string' &&
      ((c as { system?: unknown }).system === undefined || (c as { system?: unknown }).system === GB_SEX_SYSTEM),
  );
  return found?.code;
}

export const checkGenderExtension: ResourceCheck = (resource, path) => {
  if (!resource || typeof resource !== 'object') return [];
  const r = resource as { extension?: unknown; gender?: unknown };
  if (!Array.isArray(r.extension) || (r.gender !== 'male' && r.gender !== 'female')) return [];
  const issues: Issue[] = [];
  r.extension.forEach((ext, i) => {
    if (!ext || typeof ext !== 'object' || (ext as { url?: unknown }).url !== CN_GENDER_EXTENSION) return;
    const code = gbCode(ext as Record<string, unknown>);
    const implied = code === '1' ? 'male' : code === '2' ? 'female' : undefined;
    if (implied && implied !== r.gender) {
      issues.push(issue('warning', 'business-rule', 'cn-gb-gender-mismatch', [`${path}.extension[${i}]`, `${path}.gender`],
        `GB/T 2261.1 sex code ${code} (${implied}) contradicts gender ${String(r.gender)}`,
        `GB/T 2261.1 性别代码 ${code}（${implied === 'male' ? '男性' : '女性'}）与性别（gender）不一致`));
    }
  });
  return issues;
};
