/**
 * Builds the validator from the conformance resources in fhir-profiles/ (our Chinese profiles,
 * consent profiles, IPS packages, terminology) with the Chinese checks and the profile selector
 * that recognises a discharge summary by its Composition type (DOMAIN.md "What hospitals send").
 */
import { loadFhirResources } from '../profiles/load.js';
import { createValidator, type Validator } from '../validate/index.js';
import { chineseChecks, chineseProfileSelector } from '../validate/chinese/index.js';
import { GatewayError, type Issue } from '../errors.js';
import { hasErrors } from '../fhir/outcome.js';
import type { Bundle, Resource } from '../fhir/types.js';

export function buildValidator(profileDirs: string[]): { validator: Validator; resources: Resource[] } {
  const resources = loadFhirResources(profileDirs);
  const validator = createValidator({ resources, profileSelectors: [chineseProfileSelector], extraChecks: chineseChecks });
  return { validator, resources };
}

/** The intake check: errors refuse the document with a 422 carrying every issue; warnings travel on. */
export function documentCheck(validator: Validator) {
  return async (bundle: Bundle): Promise<{ issues: Issue[] }> => {
    const result = validator.validateDocument(bundle);
    if (hasErrors(result.issues)) {
      const errors = result.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').length;
      throw new GatewayError('VALIDATION_FAILED', `The document does not conform: ${errors} error(s).`, { issues: result.issues });
    }
    return { issues: result.issues };
  };
}
