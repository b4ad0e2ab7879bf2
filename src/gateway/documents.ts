/**
 * Use cases for discharge-summary documents: submit (parse → shape → validate → verify signature →
 * store + audit in one transaction), read and search.
 *
 * Decisions: a resubmission with the same Bundle.identifier and the same canonical content is an
 * idempotent retry (200, the stored version); with different content it becomes a new version of
 * the same logical document (201, versionId + 1), so a hospital can correct a summary and history
 * is kept. The identifier of another hospital's document is a 409 conflict.
 * Deny by default: only hospitals submit; a hospital reads only its own submissions.
 */
import { createHash } from 'node:crypto';
import { GatewayError, isGatewayError, type Issue } from '../errors.js';
import { canonicalJson } from '../fhir/canonical.js';
import type { Bundle } from '../fhir/types.js';
import { checkDocumentShape } from '../ingest/document.js';
import type { IdentifierKey, StoredDocument } from '../store/ports.js';
import type { GatewayDeps } from './deps.js';
import type { Principal, RequestContext } from './context.js';
import { hasSignature, verifyDocumentSignature, type SignatureVerification } from '../trust/index.js';
import { searchsetBundle } from './searchset.js';
import { requireRole } from './authorize.js';

export interface SubmitInput {
  body: string;
  contentType: string | undefined;
}

export interface SubmitResult {
  status: 200 | 201;
  document: StoredDocument;
  issues: Issue[];
}

export interface DocumentSearchParams {
  identifier?: IdentifierKey;
  patientIdentifier?: IdentifierKey;
  count: number;
  offset: number;
}

export function stamp(bundle: Bundle, id: string, versionId: number, lastUpdated: string): Bundle {
  const { resourceType: _rt, id: _id, meta, ...rest } = bundle;
  return { resourceType: 'Bundle', id, meta: { ...(meta ?? {}), versionId: String(versionId), lastUpdated }, ...rest } as Bundle;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}

export function documentUseCases(deps: GatewayDeps) {
  const { store, clock, ids } = deps;

  /**
   * Incoming signatures (issue 4): a present Bundle.signature must verify, chain to a trust anchor
   * and belong to the submitting organisation; REQUIRE_SIGNATURES makes one mandatory.
   */
  async function verifySubmitterSignature(bundle: Bundle, principal: Principal): Promise<SignatureVerification | undefined> {
    if (hasSignature(bundle)) {
      return verifyDocumentSignature(bundle, { trust: deps.trust, now: () => clock.now(), expectedOrganization: principal.organization });
    } else if (deps.requireSignatures) {
      // The same rule code as trust's own "no signature" refusal: clients branch on it, not on text.
      const message = 'This gateway requires hospitals to sign documents (Bundle.signature).';
      throw new GatewayError('SIGNATURE_INVALID', message, {
        details: { reason: 'missing' },
        issues: [{ severity: 'error', code: 'security', diagnostics: message, expression: ['Bundle.signature'], rule: 'signature-missing' }],
      });
    }
    return undefined;
  }

  /** A refused submission is audited too, with why (issue 7: "accepted or refused, with why"). */
  async function submit(input: SubmitInput, ctx: RequestContext): Promise<SubmitResult> {
    try {
      return await accept(input, ctx);
    } catch (e) {
      if (isGatewayError(e)) {
        const failure = { reason: e.message, code: e.code };
        await store.withTransaction((tx) => deps.audit(tx, { action: 'submit', outcome: 'failure', failure, ctx }));
      }
      throw e;
    }
  }

  async function accept(input: SubmitInput, ctx: RequestContext): Promise<SubmitResult> {
    const principal = requireRole(ctx, ['hospital']);
    const ingested = deps.ingest(input);
    const { bundle, identifier, patientIdentifiers } = checkDocumentShape(ingested.resource);
    const checks = await deps.checkDocument(bundle, principal);
    checks.issues = [...ingested.issues, ...checks.issues];
    const verified = await verifySubmitterSignature(bundle, principal);
    // A verified signature came with the document's canonical form (made with the signed one).
    const contentHash = createHash('sha256').update(verified?.documentCanonical ?? canonicalJson(bundle)).digest('hex');
    try {
      return await store.withTransaction(async (tx) => {
        const existing = await tx.documents.findByIdentifier(identifier);
        if (existing && existing.submitter !== principal.clientId) {
          throw new GatewayError('CONFLICT', 'A document with this Bundle.identifier was submitted by another organisation.', {
            expression: 'Bundle.identifier',
          });
        }
        if (existing && existing.contentHash === contentHash) {
          // An idempotent retry still answers the stored record: audited like the first submission.
          await deps.audit(tx, { action: 'submit', outcome: 'success', ctx, documents: [existing.id], patientIdentifiers });
          return { status: 200 as const, document: existing, issues: checks.issues };
        }
        const id = existing?.id ?? ids.newId();
        const versionId = (existing?.versionId ?? 0) + 1;
        const lastUpdated = clock.now().toISOString();
        const document = await tx.documents.insertVersion(
          { id, identifier, contentHash, submitter: principal.clientId, patientIdentifiers, lastUpdated, resource: stamp(bundle, id, versionId, lastUpdated) },
          versionId,
        );
        await deps.audit(tx, { action: 'submit', outcome: 'success', ctx, documents: [id], patientIdentifiers });
        return { status: 201 as const, document, issues: checks.issues };
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new GatewayError('CONFLICT', 'The same document is being submitted concurrently; retry.', { cause: e, expression: 'Bundle.identifier' });
      }
      throw e;
    }
  }

  async function read(id: string, ctx: RequestContext): Promise<StoredDocument> {
    const principal = requireRole(ctx, ['hospital']);
    const doc = await store.documents.get(id);
    // 404 both for unknown and for another hospital's document: existence stays hidden.
    if (!doc || doc.submitter !== principal.clientId) throw new GatewayError('NOT_FOUND', `Bundle/${id} is not known.`);
    await store.withTransaction((tx) => deps.audit(tx, { action: 'read', outcome: 'success', ctx, documents: [doc.id], patientIdentifiers: doc.patientIdentifiers }));
    return doc;
  }

  async function search(params: DocumentSearchParams, ctx: RequestContext, selfUrl: string): Promise<Bundle> {
    const principal = requireRole(ctx, ['hospital']);
    const { total, documents } = await store.documents.search({ ...params, submitter: principal.clientId });
    await store.withTransaction((tx) =>
      deps.audit(tx, {
        action: 'search',
        outcome: 'success',
        ctx,
        documents: documents.map((d) => d.id),
        patientIdentifiers: params.patientIdentifier ? [params.patientIdentifier] : [],
      }),
    );
    return searchsetBundle(documents.map((d) => d.resource), total, params, selfUrl, clock.now(), ids.newId());
  }

  /**
   * $convert: a CDA (or FHIR JSON) to the FHIR document the gateway would store, not stored. The
   * body is a patient's record handled by the gateway, so it is audited like $validate (issue 7:
   * every interaction), under the closest action `validate` with operation `$convert`.
   */
  async function convert(input: SubmitInput, ctx: RequestContext): Promise<{ resource: Bundle; issues: Issue[] }> {
    requireRole(ctx, ['hospital', 'admin']);
    const ingested = deps.ingest(input);
    const { bundle, patientIdentifiers } = checkDocumentShape(ingested.resource);
    await store.withTransaction((tx) => deps.audit(tx, { action: 'validate', outcome: 'success', operation: '$convert', ctx, patientIdentifiers }));
    return { resource: bundle, issues: ingested.issues };
  }

  return { submit, read, search, convert };
}
