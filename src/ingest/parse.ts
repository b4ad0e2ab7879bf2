/**
 * Body intake by media type (FHIR R4 http.html#mime-type): JSON FHIR resources now; CDA XML joins
 * here. Unsupported media types are refused with 415 before any parsing.
 */
import { GatewayError } from '../errors.js';
import { parseJsonResource } from '../fhir/json.js';
import type { Resource } from '../fhir/types.js';

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isJsonMediaType(contentType: string | undefined): boolean {
  return JSON_TYPES.has(mediaType(contentType));
}

export function parseFhirJsonBody(body: string, contentType: string | undefined): Resource {
  if (!isJsonMediaType(contentType)) {
    throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${mediaType(contentType) || '(none)'} is not supported; send application/fhir+json.`);
  }
  return parseJsonResource(body);
}
