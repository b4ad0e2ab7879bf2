/**
 * The CapabilityStatement (FHIR R4 capabilitystatement.html) that says what this server really
 * implements. Keep it in step with the routes: test/http/capability.test.ts compares it with the router.
 */
import type { Resource } from '../fhir/types.js';

export interface ResourceCapability {
  type: string;
  interactions: string[];
  searchParams?: { name: string; type: string; documentation: string }[];
  operations?: { name: string; definition: string }[];
  documentation?: string;
}

export const RESOURCE_CAPABILITIES: ResourceCapability[] = [
  {
    type: 'Bundle',
    interactions: ['create', 'read', 'search-type'],
    documentation:
      'Discharge-summary documents (Bundle.type = document). Hospitals submit and read their own; a resubmission with the same identifier is idempotent or a new version.',
    searchParams: [
      { name: 'identifier', type: 'token', documentation: 'Bundle.identifier (system|value)' },
      { name: 'composition.patient.identifier', type: 'token', documentation: 'identifier of the subject Patient (system|value)' },
      { name: 'patient.identifier', type: 'token', documentation: 'same as composition.patient.identifier' },
    ],
  },
];

RESOURCE_CAPABILITIES.push({
  type: 'ConceptMap',
  interactions: [],
  documentation: 'Single-code translation over the gateway terminology (ICD-10 China → WHO ICD-10, drugs, units, …).',
  operations: [{ name: 'translate', definition: 'http://hl7.org/fhir/OperationDefinition/ConceptMap-translate' }],
});
RESOURCE_CAPABILITIES[0]!.operations = [{ name: 'translate', definition: 'https://emr-gateway.example.org/fhir/OperationDefinition/Bundle-translate' }];

RESOURCE_CAPABILITIES.push({
  type: 'AuditEvent',
  interactions: ['search-type'],
  documentation: 'The tamper-evident audit log (IHE BALP), admins only.',
  searchParams: [
    { name: 'patient', type: 'reference', documentation: 'Patient reference' },
    { name: 'patient.identifier', type: 'token', documentation: 'identifier of the patient (system|value)' },
    { name: 'date', type: 'date', documentation: 'recorded (ge, le, gt, lt, eq prefixes)' },
    { name: 'agent', type: 'reference', documentation: 'the participant' },
    { name: 'entity', type: 'reference', documentation: 'document, consent or patient' },
    { name: 'type', type: 'token', documentation: 'event type' },
    { name: 'subtype', type: 'token', documentation: 'event subtype (the gateway action)' },
    { name: 'outcome', type: 'token', documentation: '0 success, 4/8/12 failures' },
  ],
});

RESOURCE_CAPABILITIES.push({
  type: 'Consent',
  interactions: ['read', 'search-type'],
  documentation:
    'PIPL art. 39 cross-border consents (profile cn-cross-border-consent). Hospitals grant, invite, read, search and revoke their own; overseas providers read Bundles with the consent token in X-Consent-Token (GET /Bundle/{id}, GET /Bundle?patient.identifier=), optional Accept-Language en | zh-CN. SMART Health Links: POST /shl/{id} (manifest), GET /shl-file/{id}.',
  searchParams: [{ name: 'patient.identifier', type: 'token', documentation: 'identifier of the consenting patient (system|value); the hospital sees its own grants' }],
  operations: [
    { name: 'grant', definition: 'https://emr-gateway.example.org/fhir/OperationDefinition/Consent-grant' },
    { name: 'invite', definition: 'https://emr-gateway.example.org/fhir/OperationDefinition/Consent-invite' },
    { name: 'revoke', definition: 'https://emr-gateway.example.org/fhir/OperationDefinition/Consent-revoke' },
    { name: 'emergency', definition: 'https://emr-gateway.example.org/fhir/OperationDefinition/Consent-emergency' },
  ],
});

export const SYSTEM_OPERATIONS: { name: string; definition: string }[] = [
  { name: 'convert', definition: 'https://emr-gateway.example.org/fhir/OperationDefinition/convert' },
  { name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' },
];

export function capabilityStatement(baseUrl: string): Resource {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-23',
    kind: 'instance',
    software: { name: 'emr-gateway', version: '0.1.0' },
    implementation: { description: 'Cross-border EMR exchange gateway', url: `${baseUrl}/fhir` },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description: 'SMART Backend Services (client_credentials with private_key_jwt). See /.well-known/smart-configuration.',
        },
        resource: RESOURCE_CAPABILITIES.map((c) => ({
          type: c.type,
          ...(c.documentation ? { documentation: c.documentation } : {}),
          interaction: c.interactions.map((code) => ({ code })),
          ...(c.searchParams ? { searchParam: c.searchParams } : {}),
          ...(c.operations ? { operation: c.operations } : {}),
        })),
        ...(SYSTEM_OPERATIONS.length ? { operation: SYSTEM_OPERATIONS } : {}),
      },
    ],
  };
}
