/**
 * Body intake by media type (FHIR R4 http.html#mime-type): JSON FHIR resources, and WS/T 500.53
 * CDA discharge summaries (application/xml, application/hl7-cda+xml) converted to a FHIR document
 * with their conversion warnings. Unsupported media types are refused with 415 before parsing.
 *
 * Size: a Bundle with more than MAX_DOCUMENT_ENTRIES entries is refused with 413 TOO_LARGE at
 * `Bundle.entry`, counted right after the parse and before any validation. Validation, canonical
 * hashing and storing a document each run on the event loop; the limit bounds the longest of those
 * spans so that other requests (`/healthz`) keep being answered (issue 10: never blocked > 1 s).
 * Why 2,000 and not 5,000 (synthetic discharge summaries, bench/synthetic.ts, 2 cores, load ≈ 2–3):
 * validating the first document of a process (cold JIT) took 290 ms at 2,000 entries and 641 ms at
 * 5,000 (warm: 120 / 301 ms); inside the gateway a 5,000-entry (5.6 MB) submission blocked the
 * event loop 745–978 ms in validation and then ≈ 590 ms in hash + store + response — no margin
 * under load. A discharge summary or IPS has tens to a few hundred entries.
 */
import { GatewayError, type Issue } from '../errors.js';
import { convertCdaDischargeSummary } from './cda/index.js';
import { parseJsonResource } from '../fhir/json.js';
import { isObject, type Resource } from '../fhir/types.js';

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
  return checkEntryCount(parseJsonResource(body));
}

/** The most entries a Bundle may carry (README "FHIR API"); see the header for the figures. */
export const MAX_DOCUMENT_ENTRIES = 2000;

/**
 * Refuses a Bundle above MAX_DOCUMENT_ENTRIES with 413 before any further work on it — also one
 * carried in a `Parameters` (how $validate, $translate and $convert may receive it).
 */
export function checkEntryCount<T extends Resource>(resource: T): T {
  const tooMany = (r: unknown, expression: string): void => {
    const entries = isObject(r) && r.resourceType === 'Bundle' ? r.entry : undefined;
    if (Array.isArray(entries) && entries.length > MAX_DOCUMENT_ENTRIES) {
      throw new GatewayError(
        'TOO_LARGE',
        `The Bundle has ${entries.length} entries; this gateway accepts at most ${MAX_DOCUMENT_ENTRIES} per Bundle. Split the submission.`,
        { expression },
      );
    }
  };
  tooMany(resource, 'Bundle.entry');
  const parameters = resource.resourceType === 'Parameters' ? (resource as { parameter?: unknown }).parameter : undefined;
  if (Array.isArray(parameters)) parameters.forEach((p, i) => tooMany(isObject(p) ? p.resource : undefined, `Parameters.parameter[${i}].resource.entry`));
  return resource;
}
