/**
 * Public API of the WS/T 500.53 CDA ingest path (see README.md beside this file).
 * Composition code (HTTP `POST /fhir/Bundle` with application/xml, `POST /fhir/$convert`, the CLI
 * `emr-gateway convert`) calls `convertCdaDischargeSummary` and nothing else from this folder.
 */
export { convertCdaDischargeSummary, CDA_MEDIA_TYPE, type ConvertOptions, type ConvertResult } from './convert.js';
export { DEFAULT_XML_LIMITS, type XmlLimits } from './xml.js';
export { WS500_53_SECTIONS } from './sections.js';
