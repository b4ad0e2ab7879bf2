/**
 * Chinese checks that a StructureDefinition cannot express, for the validation engine's
 * `extraChecks`. Contract: the engine calls every check once per resource it validates (the
 * Bundle and each entry's resource), passing that resource's FHIRPath (`Patient`, or
 * `Bundle.entry[2].resource`); checks return Issues with expressions under that path and never
 * throw on malformed input. Checks ignore resources they do not concern.
 */
import { checkGenderExtension } from './gender-extension-check.js';
import type { ResourceCheck } from './issue.js';
import { checkResidentIds } from './resident-id-check.js';
import { checkTravelDocuments } from './travel-document-check.js';

export type { ResourceCheck } from './issue.js';
export { checkResidentIds } from './resident-id-check.js';
export { checkTravelDocuments } from './travel-document-check.js';
export { checkGenderExtension, CN_GENDER_EXTENSION } from './gender-extension-check.js';
export { parseResidentId, residentIdCheckChar, type ResidentIdInfo, type ResidentIdProblem } from './resident-id.js';
export { identifierKind, type IdentifierKind } from './identifier-kind.js';
export { chineseDocumentProfile, chineseProfileSelector, CN_DISCHARGE_SUMMARY_BUNDLE, DISCHARGE_SUMMARY_TYPES } from './document-profile.js';

export const chineseChecks: ResourceCheck[] = [
  checkResidentIds,
  checkTravelDocuments,
  checkGenderExtension,
];
