/**
 * Errata of the published FHIR R4 (4.0.1) core definitions that HL7's reference validator
 * corrects when it loads them, applied here at compile time so both validators judge alike.
 *
 * - que-12 (Questionnaire.item): published as `enableWhen.count() > 2 implies ...`, while its
 *   human text — "If there are more than one enableWhen, enableBehavior must be specified" — and
 *   R4B/R5 say `> 1` (FHIR-25209). HL7's validator fires it on two enableWhen.
 * - The vital-signs profiles bind Observation.component.value[x] to ucum-vitals-common as
 *   `required`, which would reject every component that is not a UCUM vital-sign quantity (e.g. a
 *   CodeableConcept or L/min in an oxygen-saturation panel); HL7's validator reports it at the
 *   extensible level (warning), as R4B's vital-signs profile does.
 *
 * - structuredefinition-fhir-type is defined for ElementDefinition.type.code, but the R4 core
 *   definitions themselves carry it on ElementDefinition.type; HL7's validator accepts both.
 *
 * Invariant: pure lookups keyed by the exact published text, so a corrected source (a later
 * package) passes unchanged.
 */

const CONSTRAINT_FIXES: ReadonlyMap<string, string> = new Map([
  ['que-12\u0000enableWhen.count() > 2 implies enableBehavior.exists()', 'enableWhen.count() > 1 implies enableBehavior.exists()'],
]);

/** The corrected expression of a core constraint, or the expression itself. */
export function fixedConstraintExpression(key: string, expression: string): string {
  return CONSTRAINT_FIXES.get(key + '\u0000' + expression) ?? expression;
}

const VITALS_UNITS = 'http://hl7.org/fhir/ValueSet/ucum-vitals-common';

/** The binding strength HL7's validator applies to a core element binding. */
export function fixedBindingStrength(elementPath: string, strength: string, valueSet: string | undefined): string {
  if (strength === 'required' && elementPath === 'Observation.component.value[x]' && valueSet?.split('|')[0] === VITALS_UNITS) {
    return 'extensible';
  }
  return strength;
}

const EXTRA_CONTEXTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type', ['ElementDefinition.type']],
]);

/** Element contexts HL7's validator also accepts for an extension. */
export function extraExtensionContexts(url: string): readonly string[] {
  return EXTRA_CONTEXTS.get(url) ?? [];
}
