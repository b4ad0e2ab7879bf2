/**
 * Minimal structural types for the FHIR R4 JSON the gateway handles. Deliberately loose: input is
 * untrusted and is checked by validate/, so these types describe shape we rely on after checks,
 * not a full model of R4.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
  extension?: Extension[];
  userSelected?: boolean;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Extension {
  url: string;
  [value: string]: unknown;
}

export interface Identifier {
  use?: string;
  type?: CodeableConcept;
  system?: string;
  value?: string;
  period?: { start?: string; end?: string };
  assigner?: Reference;
}

export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}

export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  profile?: string[];
  security?: Coding[];
  tag?: Coding[];
  [k: string]: unknown;
}

export interface Resource {
  resourceType: string;
  id?: string;
  meta?: Meta;
  [k: string]: unknown;
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  [k: string]: unknown;
}

export interface Signature {
  type: Coding[];
  when: string;
  who: Reference;
  sigFormat?: string;
  targetFormat?: string;
  data?: string;
}

export interface Bundle extends Resource {
  resourceType: 'Bundle';
  identifier?: Identifier;
  type?: string;
  timestamp?: string;
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: BundleEntry[];
  signature?: Signature;
}

export interface OperationOutcomeIssue {
  severity: string;
  code: string;
  details?: CodeableConcept;
  diagnostics?: string;
  expression?: string[];
  extension?: Extension[];
}

export interface OperationOutcome extends Resource {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

export interface ParametersParameter {
  name: string;
  resource?: Resource;
  part?: ParametersParameter[];
  [value: string]: unknown;
}

export interface Parameters extends Resource {
  resourceType: 'Parameters';
  parameter?: ParametersParameter[];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isResource(v: unknown): v is Resource {
  return isObject(v) && typeof v.resourceType === 'string';
}

export function isBundle(v: unknown): v is Bundle {
  return isResource(v) && v.resourceType === 'Bundle';
}
