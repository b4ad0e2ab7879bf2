/**
 * OperationOutcome builders: the single place where gateway issues become FHIR R4
 * OperationOutcome JSON (http://hl7.org/fhir/R4/operationoutcome.html).
 *
 * Invariant: every issue keeps its `expression` (FHIRPath) so a client can find the element; a
 * Chinese message travels as a `translation` extension on `details.text`'s language sibling.
 */
import type { Issue } from '../errors.js';
import type { OperationOutcome, OperationOutcomeIssue } from './types.js';

/** Code system for the gateway's own rule codes in issue.details. */
export const RULE_SYSTEM = 'https://emr-gateway.example.org/fhir/CodeSystem/issue-rule';
const TRANSLATION_EXT = 'http://hl7.org/fhir/StructureDefinition/translation';

export function toOutcomeIssue(issue: Issue): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = {
    severity: issue.severity,
    code: issue.code,
    diagnostics: issue.diagnostics,
  };
  if (issue.rule || issue.diagnosticsZh) {
    out.details = {
      ...(issue.rule ? { coding: [{ system: RULE_SYSTEM, code: issue.rule }] } : {}),
      text: issue.diagnostics,
    };
    if (issue.diagnosticsZh) {
      // R4 translation extension on details.text (http://hl7.org/fhir/R4/extension-translation.html)
      (out.details as Record<string, unknown>)._text = {
        extension: [
          {
            url: TRANSLATION_EXT,
            extension: [
              { url: 'lang', valueCode: 'zh-CN' },
              { url: 'content', valueString: issue.diagnosticsZh },
            ],
          },
        ],
      };
    }
  }
  if (issue.expression?.length) out.expression = [...issue.expression];
  return out;
}

export function operationOutcome(issues: Issue[], id?: string): OperationOutcome {
  const list = issues.length
    ? issues.map(toOutcomeIssue)
    : [{ severity: 'information', code: 'informational', diagnostics: 'No issues detected.' }];
  return { resourceType: 'OperationOutcome', ...(id ? { id } : {}), issue: list };
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
}
