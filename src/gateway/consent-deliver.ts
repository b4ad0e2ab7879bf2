/**
 * The default `deliver` (ConsentDeps seam) used while the translation stage is not wired: no
 * translation, a Provenance entry saying who released the document under which consent, and the
 * gateway's signature over the result (FHIR R4 Bundle.signature, verifiable with the published
 * JWKS). Composition passes the translation stage as `transform` (translate → provenance → sign).
 *
 * Invariants: the signature covers exactly the Bundle served (signed last); the Provenance names
 * the Consent (Provenance.policy) and the gateway as the releasing agent (FHIR R4 provenance.html).
 */
import type { Bundle } from '../fhir/types.js';
import { signDocument, type GatewayKeys, type SigningAlgorithm } from '../trust/index.js';
import type { Deliver } from './consent-deps.js';

/** Extension on Provenance.entity holding the hospital's own Bundle.signature of the source (issue 4). */
export const ORIGINAL_SIGNATURE_EXT = 'https://emr-gateway.example.org/fhir/StructureDefinition/original-signature';

export function provenanceEntry(
  bundle: Bundle,
  opts: { consentId: string; now: Date; id: string; gatewayUrl: string; emergency?: boolean; source?: Bundle },
): Record<string, unknown> {
  const compositionUrl = (bundle.entry as { fullUrl?: string }[] | undefined)?.[0]?.fullUrl;
  const source = opts.source;
  const entity = source?.id
    ? [
        {
          role: 'source',
          what: { reference: `${opts.gatewayUrl}/Bundle/${source.id}/_history/${source.meta?.versionId ?? '1'}` },
          ...(source.signature ? { extension: [{ url: ORIGINAL_SIGNATURE_EXT, valueSignature: source.signature }] } : {}),
        },
      ]
    : undefined;
  return {
    fullUrl: `urn:uuid:${opts.id}`,
    resource: {
      resourceType: 'Provenance',
      id: opts.id,
      target: compositionUrl ? [{ reference: compositionUrl }] : [{ display: 'this document' }],
      recorded: opts.now.toISOString(),
      policy: [`${opts.gatewayUrl}/Consent/${opts.consentId}`],
      reason: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: opts.emergency ? 'ETREAT' : 'TREAT' }] }],
      activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'EXECUTE', display: 'execute' }], text: 'released across borders under consent' },
      ...(entity ? { entity } : {}),
      agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'custodian' }] }, who: { display: 'emr-gateway' } }],
    },
  };
}

export function signOnlyDeliver(
  deps: { keys: GatewayKeys; now: () => Date; newId: () => string; fhirBase: string },
  transform: (bundle: Bundle, options: Parameters<Deliver>[1]) => Bundle = (b) => b,
): Deliver {
  return async (source, options) => {
    const now = deps.now();
    const bundle = transform(source, options);
    const { signature: _dropped, ...unsigned } = bundle;
    const withProvenance: Bundle = {
      ...(unsigned as Bundle),
      entry: [
        ...(bundle.entry ?? []),
        provenanceEntry(bundle, { consentId: options.consentId, now, id: deps.newId(), gatewayUrl: deps.fhirBase, emergency: options.emergency, source }),
      ] as Bundle['entry'],
    };
    const k = deps.keys.current;
    return signDocument(withProvenance, { key: k.privateKey, chain: k.chain, alg: k.alg as SigningAlgorithm, kid: k.kid, now: deps.now, purpose: 'verification' });
  };
}
