/**
 * FHIR $validate (FHIR R4 resource-operation-validate.html): the resource itself or a Parameters
 * with `resource` (and `profile`); answers an OperationOutcome with every issue, errors included,
 * always 200. Requires an access token (any role): validation is CPU work we do not offer
 * anonymously, and the submitted content is patient data whose handling is audited.
 */
import { GatewayError, type Issue } from '../errors.js';
import { isResource, type Parameters, type Resource } from '../fhir/types.js';
import type { RequestContext } from './context.js';
import type { GatewayDeps } from './deps.js';
import { requireRole } from './authorize.js';

function unwrap(resource: Resource, profiles: string[]): { target: Resource; profiles: string[] } {
  if (resource.resourceType !== 'Parameters') return { target: resource, profiles };
  const params = (resource as Parameters).parameter ?? [];
  const r = params.find((p) => p.name === 'resource')?.resource;
  if (!isResource(r)) {
    throw new GatewayError('INVALID_PARAMETER', 'Parameters for $validate need a "resource" parameter.', { expression: 'Parameters.parameter' });
  }
  const more = params.filter((p) => p.name === 'profile' && typeof p.valueUri === 'string').map((p) => p.valueUri as string);
  return { target: r, profiles: [...profiles, ...more] };
}

export function validateUseCases(deps: GatewayDeps) {
  async function validate(
    input: { body: string; contentType: string | undefined; type?: string; profiles: string[] },
    ctx: RequestContext,
  ): Promise<{ issues: Issue[] }> {
    requireRole(ctx, ['hospital', 'provider', 'admin']);
    const { resource } = deps.ingest(input);
    const { target, profiles } = unwrap(resource, input.profiles);
    if (input.type && target.resourceType !== input.type) {
      throw new GatewayError('INVALID_RESOURCE', `The resource is a ${target.resourceType}, not a ${input.type}.`, { expression: 'resourceType' });
    }
    const result = await deps.validate(target, profiles);
    const outcome = result.issues.some((i) => i.severity === 'error' || i.severity === 'fatal') ? 'failure' : 'success';
    await deps.store.withTransaction((tx) =>
      deps.audit(tx, {
        action: 'validate',
        outcome,
        ...(outcome === 'failure' ? { failure: { reason: 'The resource does not conform.', code: 'VALIDATION_FAILED', severity: 'minor' as const } } : {}),
        operation: '$validate',
        ctx,
      }),
    );
    return result;
  }
  return { validate };
}
