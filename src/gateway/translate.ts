/**
 * Translation operations (issue 5): `POST /fhir/Bundle/$translate` (the document with ?target=, or
 * a Parameters with document/target/units) answering a Parameters with the translated `document`
 * and the `report` (OperationOutcome); and ConceptMap `$translate` for single codes
 * (FHIR R4 conceptmap-operation-translate.html). Both need an access token; document translation
 * is audited (it carries patient data), single-code translation touches no record and is not.
 */
import { GatewayError, type Issue } from '../errors.js';
import { operationOutcome } from '../fhir/outcome.js';
import { isResource, type Bundle, type Parameters, type Resource } from '../fhir/types.js';
import type { CodeTranslation, Lang, Translator } from '../translate/index.js';
import { requireRole } from './authorize.js';
import type { RequestContext } from './context.js';
import type { GatewayDeps } from './deps.js';

const LANGS: readonly string[] = ['en', 'zh-CN'];

export interface TranslateRequest {
  body: string;
  contentType: string | undefined;
  target?: string;
  units?: string;
}

function param(p: Parameters, name: string): Record<string, unknown> | undefined {
  return p.parameter?.find((x) => x.name === name);
}

function lang(v: unknown, expression: string): Lang {
  if (typeof v !== 'string' || !LANGS.includes(v)) {
    throw new GatewayError('INVALID_PARAMETER', 'target must be en or zh-CN.', { expression });
  }
  return v as Lang;
}

export function translateUseCases(deps: GatewayDeps & { translator: Translator }) {
  async function translateDocument(req: TranslateRequest, ctx: RequestContext): Promise<Parameters> {
    requireRole(ctx, ['hospital', 'provider', 'admin']);
    const { resource } = deps.ingest(req);
    let doc: Resource | undefined = resource;
    let target: unknown = req.target;
    let units: unknown = req.units;
    if (resource.resourceType === 'Parameters') {
      const p = resource as Parameters;
      doc = param(p, 'document')?.resource as Resource | undefined;
      target = param(p, 'target')?.valueCode ?? target;
      units = param(p, 'units')?.valueCode ?? units;
      if (!isResource(doc)) throw new GatewayError('INVALID_PARAMETER', 'Parameters need a "document" resource.', { expression: 'Parameters.parameter' });
    }
    if (doc.resourceType !== 'Bundle') throw new GatewayError('INVALID_RESOURCE', 'Only document Bundles can be translated.', { expression: 'resourceType' });
    if (units !== undefined && units !== 'si' && units !== 'conventional') {
      throw new GatewayError('INVALID_PARAMETER', 'units must be si or conventional.', { expression: 'units' });
    }
    const result = deps.translator.translateDocument(doc as Bundle, {
      target: lang(target ?? 'en', 'target'),
      ...(units ? { units: units as 'si' | 'conventional' } : {}),
    });
    await deps.store.withTransaction((tx) => deps.audit(tx, { action: 'translate', outcome: 'success', operation: '$translate', ctx }));
    return {
      resourceType: 'Parameters',
      parameter: [
        { name: 'document', resource: result.document },
        { name: 'report', resource: operationOutcome(result.report as Issue[]) },
      ],
    };
  }

  function translateCode(q: { system?: string; code?: string; target?: string }, ctx: RequestContext): Parameters {
    requireRole(ctx, ['hospital', 'provider', 'admin']);
    if (!q.system || !q.code) throw new GatewayError('INVALID_PARAMETER', 'system and code are required.', { expression: q.system ? 'code' : 'system' });
    const out: CodeTranslation = deps.translator.translateCode(q.system, q.code, lang(q.target ?? 'en', 'target'));
    return {
      resourceType: 'Parameters',
      parameter: [
        { name: 'result', valueBoolean: out.result },
        ...(out.display ? [{ name: 'message', valueString: out.display }] : []),
        ...out.matches.map((m) => ({
          name: 'match',
          part: [
            { name: 'equivalence', valueCode: m.equivalence },
            { name: 'concept', valueCoding: m.concept },
            { name: 'source', valueUri: m.source },
          ],
        })),
      ],
    };
  }

  return { translateDocument, translateCode };
}
