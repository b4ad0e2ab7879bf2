/**
 * Document intake shape checks (FHIR R4 documents.html): a document Bundle has `type` document, an
 * `identifier`, and a Composition as its first entry. Also extracts what storage indexes: the
 * Bundle.identifier and the subject Patient's identifiers.
 *
 * Invariant: the resource is checked as given (the snapshot made at parse time) and never changed.
 */
import { GatewayError, type Issue } from '../errors.js';
import { indexBundle } from '../fhir/bundle.js';
import { isObject, type Bundle, type Identifier, type Resource } from '../fhir/types.js';
import type { IdentifierKey } from '../store/ports.js';

export interface DocumentFacts {
  bundle: Bundle;
  identifier: IdentifierKey;
  patientIdentifiers: IdentifierKey[];
}

function issue(diagnostics: string, expression: string, code = 'invalid'): Issue {
  return { severity: 'error', code, diagnostics, expression: [expression] };
}

export function checkDocumentShape(resource: Resource): DocumentFacts {
  if (resource.resourceType !== 'Bundle') {
    throw new GatewayError('INVALID_RESOURCE', `Expected a Bundle of type document, got ${resource.resourceType}.`, {
      expression: 'resourceType',
    });
  }
  const bundle = resource as Bundle;
  const issues: Issue[] = [];
  if (bundle.type !== 'document') issues.push(issue(`Bundle.type must be "document" (was ${JSON.stringify(bundle.type ?? null)}).`, 'Bundle.type'));
  const id = bundle.identifier;
  if (!isObject(id) || typeof id.system !== 'string' || typeof id.value !== 'string' || !id.system || !id.value) {
    issues.push(issue('A document Bundle needs identifier.system and identifier.value (FHIR R4 bdl-9).', 'Bundle.identifier', 'required'));
  }
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const first = entries[0]?.resource;
  if (!isObject(first) || first.resourceType !== 'Composition') {
    issues.push(issue('The first entry of a document Bundle must be a Composition (FHIR R4 bdl-11).', 'Bundle.entry[0].resource', 'required'));
  }
  if (issues.length) throw new GatewayError('INVALID_RESOURCE', issues[0]!.diagnostics, { issues });
  return {
    bundle,
    identifier: { system: id!.system!, value: id!.value! },
    patientIdentifiers: subjectIdentifiers(bundle, first as Resource),
  };
}

function subjectIdentifiers(bundle: Bundle, composition: Resource): IdentifierKey[] {
  const subject = composition.subject as { reference?: string } | undefined;
  const patient = indexBundle(bundle).resolve(subject?.reference)?.resource;
  const ids = (patient?.identifier as Identifier[] | undefined) ?? [];
  return Array.isArray(ids)
    ? ids.filter((i) => typeof i?.system === 'string' && typeof i?.value === 'string').map((i) => ({ system: i.system!, value: i.value! }))
    : [];
}
