/**
 * Document signatures: `Bundle.signature` with `sigFormat` application/jose whose `data` is the
 * base64 of a detached compact JWS (RFC 7515 Appendix F: `header..signature`) carrying the signer's
 * chain in `x5c`, over the Bundle WITHOUT `signature`, canonicalised by RFC 8785
 * (src/fhir/canonical.ts). FHIR R4 Signature: http://hl7.org/fhir/R4/datatypes.html#Signature.
 *
 * The payload rule was checked against HL7's validator test cases (../shared/corpus/
 * fhir-test-cases/validator/): `bundle-signed-good.json` verifies as
 * JWS-signing-input = protected-header "." base64url(JCS(Bundle minus `signature`)), i.e. the
 * ordinary b64 payload (no `b64:false`), nothing else removed (id, meta stay). `bundle-sig-2.json`
 * carries an attached payload that omits Bundle.id/meta: it fails here (not detached, and signed
 * over a different payload). A `b64:false` header (RFC 7797) is honoured when listed in `crit`.
 *
 * Invariants: only asymmetric algorithms (RS*, PS*, ES*) are accepted — `none` and HMAC never
 * (RFC 8725 §3.1, §3.2); the crypto check precedes the chain check, which precedes the
 * organisation check, so each failure has one stable code: SIGNATURE_INVALID (malformed, wrong
 * algorithm, mismatch) or CERTIFICATE_UNTRUSTED (chain, validity, revocation, wrong organisation);
 * no jose or node-forge message reaches a client (they travel as `cause`).
 */
import crypto from 'node:crypto';
import { flattenedVerify } from 'jose';
import { GatewayError } from '../errors.js';
import { canonicalJson, canonicalJsonWithAndWithout } from '../fhir/canonical.js';
import type { Bundle, Reference, Signature } from '../fhir/types.js';
import type { Participant, TrustList } from './trust-list.js';
import { signDetachedJws } from './jws-sign.js';
import { keyMatchesCertificate, parseX5cCached, privateKeyCached, publicKeyCached, validateChainCached } from './chain-cache.js';
import type { CertificateInfo, ChainResult, ParsedCertificate } from './x509.js';

export const SIGNATURE_TYPE_SYSTEM = 'urn:iso-astm:E1762-95:2013';
export const SIGNATURE_TYPES = {
  author: { code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" },
  verification: { code: '1.2.840.10065.1.12.1.5', display: 'Verification Signature' },
} as const;
export const HL7_JSON_CANONICALIZATION = 'http://hl7.org/fhir/canonicalization/json';
export const TARGET_FORMAT = `application/fhir+json;canonicalization=${HL7_JSON_CANONICALIZATION}`;
/** Asymmetric JWS algorithms accepted on documents (RFC 7518 §3.1); everything else is refused. */
/** Identifier system of the gateway's Organization ids (logical references in Signature.who). */
export const ORGANIZATION_ID_SYSTEM = 'https://emr-gateway.example.org/fhir/sid/organization';

export const DOCUMENT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
export type SigningAlgorithm = (typeof DOCUMENT_ALGORITHMS)[number];

export interface SignOptions {
  /** The signer's private key (PEM or KeyObject) matching chain[0]. */
  key: string | crypto.KeyObject;
  /** Signer's chain, leaf first (the anchor may be left out). */
  chain: readonly ParsedCertificate[];
  alg?: SigningAlgorithm;
  now: () => Date;
  purpose?: keyof typeof SIGNATURE_TYPES;
  /**
   * Signature.who; default: a logical reference (by identifier) to the Organization bound in the
   * certificate, else its subject. A literal `Organization/{id}` would have to resolve inside the
   * document (FHIR R4 bundle.html, document references), which the signer's organisation need not.
   */
  who?: Reference;
  kid?: string;
}

const withoutSignature = (bundle: Bundle): Bundle => {
  const { signature: _ignored, ...rest } = bundle;
  return rest as Bundle;
};

/** Signs a Bundle (replacing any signature it had) and returns a new Bundle; the input is untouched. */
export async function signDocument(bundle: Bundle, opts: SignOptions): Promise<Bundle> {
  if (bundle?.resourceType !== 'Bundle') throw new TypeError('signDocument needs a Bundle');
  const leaf = opts.chain[0];
  if (!leaf) throw new TypeError('signDocument needs the signer certificate chain');
  // Key parsing and the key/certificate match are remembered per key and certificate (chain-cache.ts).
  const key = typeof opts.key === 'string' ? privateKeyCached(opts.key) : opts.key;
  if (!keyMatchesCertificate(key, leaf)) throw new TypeError('the signing key does not match the certificate');
  const alg = opts.alg ?? 'RS384';
  const when = opts.now().toISOString();
  const purpose = SIGNATURE_TYPES[opts.purpose ?? 'author'];
  const body = withoutSignature(bundle);
  const header = {
    alg,
    typ: 'JOSE',
    ...(opts.kid ? { kid: opts.kid } : {}),
    x5c: opts.chain.map((c) => c.info.derBase64),
    // JAdES signing time and commitment type, and the canonicalisation, as HL7's signed test case does.
    sigT: when,
    srCms: [{ commId: { id: `urn:oid:${purpose.code}`, desc: purpose.display } }],
    canon: HL7_JSON_CANONICALIZATION,
  };
  // Signed with node:crypto (jws-sign.ts: jose's web-API base64 cost more than half the RSA op).
  const detached = await signDetachedJws(header, canonicalJson(body), key);
  const org = leaf.info.organizationId;
  const signature: Signature = {
    type: [{ system: SIGNATURE_TYPE_SYSTEM, code: purpose.code, display: purpose.display }],
    when,
    who: opts.who ?? (org ? { type: 'Organization', identifier: { system: ORGANIZATION_ID_SYSTEM, value: org } } : { display: leaf.info.subject }),
    targetFormat: TARGET_FORMAT,
    sigFormat: 'application/jose',
    data: Buffer.from(detached, 'utf8').toString('base64'),
  };
  return { ...body, signature };
}

export interface SignatureVerification {
  alg: string;
  signer: CertificateInfo;
  chain: ChainResult;
  /** The registered participant owning the signing certificate, if any. */
  participant?: Participant;
  /** Organisation of the signer: the participant's, else the certificate's SAN binding. */
  organizationId?: string;
  signedAt?: string;
  /**
   * RFC 8785 canonical JSON of the whole Bundle, signature included (made together with the
   * signed form, which leaves the signature out): what a content hash of the document covers.
   */
  documentCanonical: string;
}

export interface VerifyOptions {
  trust: TrustList;
  now?: () => Date;
  /** Organization id of the submitter: the signer must be a participant of that organisation. */
  expectedOrganization?: string;
}

const EXPR = 'Bundle.signature';

function invalid(rule: string, message: string, cause?: unknown): GatewayError {
  return new GatewayError('SIGNATURE_INVALID', message, {
    cause,
    details: { reason: rule },
    issues: [{ severity: 'error', code: 'security', diagnostics: message, expression: [EXPR], rule: `signature-${rule}` }],
  });
}

function untrusted(rule: string, message: string): GatewayError {
  return new GatewayError('CERTIFICATE_UNTRUSTED', message, {
    details: { reason: rule },
    issues: [{ severity: 'error', code: 'security', diagnostics: message, expression: [EXPR], rule: `certificate-${rule}` }],
  });
}

function locate(e: unknown): unknown {
  if (e instanceof GatewayError) for (const i of e.issues) i.expression ??= [EXPR];
  return e;
}

export function hasSignature(bundle: Bundle): boolean {
  return bundle?.signature !== undefined;
}

/** Verifies `Bundle.signature`; resolves with who signed, or rejects with a coded GatewayError (422). */
export async function verifyDocumentSignature(bundle: Bundle, opts: VerifyOptions): Promise<SignatureVerification> {
  const sig = bundle?.signature as Partial<Signature> | undefined;
  if (!sig || typeof sig !== 'object') throw invalid('missing', 'The Bundle carries no signature.');
  if (sig.sigFormat !== 'application/jose') throw invalid('format', 'Bundle.signature.sigFormat must be application/jose.');
  if (typeof sig.data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(sig.data)) {
    throw invalid('malformed', 'Bundle.signature.data must be base64 (FHIR base64Binary).');
  }
  const parts = Buffer.from(sig.data, 'base64').toString('utf8').split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p)) || !parts[0] || !parts[2]) {
    throw invalid('malformed', 'Bundle.signature.data is not a compact JWS.');
  }
  const [protectedB64, attached, signatureB64] = parts as [string, string, string];
  if (attached) throw invalid('not-detached', 'The JWS must be detached (no payload): the payload is the Bundle itself.');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new TypeError('header is not an object');
  } catch (cause) {
    throw invalid('malformed', 'The JWS header cannot be read.', cause);
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !(DOCUMENT_ALGORITHMS as readonly string[]).includes(alg)) {
    throw invalid('algorithm', `The JWS algorithm "${String(alg)}" is not accepted; use an asymmetric algorithm such as RS384 or ES384.`);
  }
  const chain = (() => {
    try {
      return parseX5cCached(header.x5c);
    } catch (e) {
      throw locate(e);
    }
  })();
  let canonical: string;
  let documentCanonical: string;
  try {
    ({ without: canonical, whole: documentCanonical } = canonicalJsonWithAndWithout(bundle, 'signature'));
  } catch (cause) {
    // e.g. a lone surrogate (\uD800 escaped in the JSON): not I-JSON, so no RFC 8785 form exists.
    throw invalid('malformed', 'The document cannot be canonicalised (RFC 8785): it holds text that is not valid Unicode.', cause);
  }
  const payload = header.b64 === false ? canonical : Buffer.from(canonical, 'utf8').toString('base64url');
  try {
    await flattenedVerify({ protected: protectedB64, payload, signature: signatureB64 }, publicKeyCached(chain[0]!), {
      algorithms: [...DOCUMENT_ALGORITHMS],
    });
  } catch (cause) {
    throw invalid('mismatch', 'The signature does not match the document (changed content, wrong key, or non-canonical JSON).', cause);
  }
  const now = opts.now ?? opts.trust.now;
  let result: ChainResult;
  try {
    // Path validation is remembered per trust-list instance and chain for a bounded time (chain-cache.ts).
    result = validateChainCached(opts.trust, chain, now());
  } catch (e) {
    throw locate(e);
  }
  const participant = opts.trust.byCertificate(result.leaf);
  const organizationId = participant?.organization.id ?? result.leaf.organizationId;
  if (opts.expectedOrganization !== undefined) {
    if (!participant) throw untrusted('not-registered', 'The signing certificate is not registered for any participant.');
    if (participant.organization.id !== opts.expectedOrganization) {
      throw untrusted('organization-mismatch', 'The signing certificate belongs to another organisation than the submitter.');
    }
  }
  return {
    alg,
    documentCanonical,
    signer: result.leaf,
    chain: result,
    ...(participant ? { participant } : {}),
    ...(organizationId ? { organizationId } : {}),
    ...(typeof header.sigT === 'string' ? { signedAt: header.sigT } : typeof sig.when === 'string' ? { signedAt: sig.when } : {}),
  };
}

