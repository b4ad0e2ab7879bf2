/**
 * Body intake by media type (FHIR R4 http.html#mime-type): JSON FHIR resources, and WS/T 500.53
 * CDA discharge summaries (application/xml, application/hl7-cda+xml) converted to a FHIR document
 * with their conversion warnings. Unsupported media types are refused with 415 before parsing.
 */
import { GatewayError, type Issue } from '../errors.js';
import { convertCdaDischargeSummary } from './cda/index.js';
import { parseJsonResource } from '../fhir/json.js';
import type { Resource } from '../fhir/types.js';

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isJsonMediaType(contentType: string | undefined): boolean {
  return JSON_TYPES.has(mediaType(contentType));
}

const XML_TYPES = new Set(['application/xml', 'text/xml', 'application/hl7-cda+xml']);

export function isXmlMediaType(contentType: string | undefined): boolean {
  return XML_TYPES.has(mediaType(contentType));
}

export interface Ingested {
  resource: Resource;
  /** Warnings from conversion (CDA normalisations), with XPath expressions. */
  issues: Issue[];
}

/** JSON as it is, or a CDA converted to a FHIR document Bundle. */
export function ingestBody(body: string, contentType: string | undefined, deps: { now: () => Date; newId: () => string }): Ingested {
  if (isXmlMediaType(contentType)) {
    const { bundle, issues } = convertCdaDischargeSummary(body, deps);
    return { resource: bundle, issues };
  }
  return { resource: parseFhirJsonBody(body, contentType), issues: [] };
}

export function parseFhirJsonBody(body: string, contentType: string | undefined): Resource {
  if (!isJsonMediaType(contentType)) {
    throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${mediaType(contentType) || '(none)'} is not supported; send application/fhir+json (or a WS/T 500.53 CDA as application/hl7-cda+xml).`);
  }
  return parseJsonResource(body);
}
