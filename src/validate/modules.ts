/**
 * Resource-specific rules HL7's validator applies against the knowledge artifact a resource
 * answers to, when we hold that artifact (registry.artifact):
 * - QuestionnaireResponse ↔ Questionnaire (R4 questionnaireresponse.html "Questionnaire
 *   Responses": each item's linkId must match an item of the Questionnaire at the same level);
 * - MeasureReport ↔ Measure (R4 measurereport.html: a cohort measure has no score —
 *   measure-scoring "cohort": "The measure score is not applicable");
 * - SearchParameter ↔ its derivedFrom (R4 searchparameter-definitions.html#SearchParameter.derivedFrom:
 *   "the definition ... is based on"): same type, bases among the parent's, expression over its bases;
 * - CapabilityStatement searchParam ↔ its definition (same type, capabilitystatement.html).
 *
 * Invariants: nothing is reported when the artifact is unknown (it may live on another server);
 * the walk over items is iterative and bounded by the instance size.
 */
import type { Ctx } from './context.js';
import { issue } from './context.js';

type Json = Record<string, unknown>;

const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Json[]) : []);

function checkQuestionnaireResponse(qr: Json, path: string, ctx: Ctx): void {
  if (typeof qr.questionnaire !== 'string') return;
  const q = ctx.reg.artifact(qr.questionnaire);
  if (!q || q.resourceType !== 'Questionnaire') return;
  const stack: { answers: Json[]; defs: Json[]; at: string }[] = [{ answers: arr(qr.item), defs: arr(q.item), at: path }];
  while (stack.length) {
    const { answers, defs, at } = stack.pop()!;
    const byId = new Map(defs.map((d) => [String(d.linkId), d]));
    answers.forEach((a, i) => {
      const here = `${at}.item[${i}]`;
      const def = byId.get(String(a.linkId));
      if (!def) {
        issue(ctx, 'error', 'structure', `LinkId '${String(a.linkId)}' not found in questionnaire`, at, 'qr-linkid');
        return;
      }
      stack.push({ answers: arr(a.item), defs: arr(def.item), at: here });
      arr(a.answer).forEach((ans, j) => stack.push({ answers: arr(ans.item), defs: arr(def.item), at: `${here}.answer[${j}]` }));
    });
  }
}

function checkMeasureReport(mr: Json, path: string, ctx: Ctx): void {
  if (typeof mr.measure !== 'string') return;
  const m = ctx.reg.artifact(mr.measure);
  if (!m || m.resourceType !== 'Measure') return;
  const scoring = arr((m.scoring as Json | undefined)?.coding).find((c) => c.system === 'http://terminology.hl7.org/CodeSystem/measure-scoring')?.code;
  if (scoring !== 'cohort') return;
  arr(mr.group).forEach((g, i) => {
    if (g.measureScore !== undefined) {
      issue(ctx, 'error', 'business-rule', "No measureScore when the scoring of the message is 'cohort'", `${path}.group[${i}].measureScore`, 'mr-cohort-score');
    }
  });
}

const ABSTRACT = new Set(['Resource', 'DomainResource']);

function checkSearchParameter(sp: Json, path: string, ctx: Ctx): void {
  const bases = Array.isArray(sp.base) ? sp.base.filter((b): b is string => typeof b === 'string') : [];
  if (typeof sp.expression === 'string' && bases.length) {
    // Each alternative of the expression starts at a resource type, which must be a base.
    for (const alt of sp.expression.split('|')) {
      const head = /^\s*\(?\s*([A-Z][A-Za-z]+)\b/.exec(alt)?.[1];
      if (head && ctx.reg.isResourceType(head) && !bases.includes(head) && !bases.some((b) => ABSTRACT.has(b))) {
        issue(ctx, 'error', 'invalid', `Error in search expression '${sp.expression}': the name '${head}' is not valid for any of the possible types: [${bases.join(', ')}]`, `${path}.expression`, 'sp-expression-base');
        break;
      }
    }
  }
  if (typeof sp.derivedFrom !== 'string') return;
  const parent = ctx.reg.artifact(sp.derivedFrom);
  if (!parent || parent.resourceType !== 'SearchParameter') return;
  if (typeof sp.type === 'string' && typeof parent.type === 'string' && sp.type !== parent.type) {
    issue(ctx, 'error', 'invalid', `The type ${sp.type} is different to the type ${parent.type} in the derivedFrom SearchParameter ${sp.derivedFrom}`, path, 'sp-derived-type');
  }
  const pb = Array.isArray(parent.base) ? (parent.base as unknown[]) : [];
  if (pb.some((b) => typeof b === 'string' && ABSTRACT.has(b))) return;
  for (const b of bases) {
    if (!pb.includes(b)) issue(ctx, 'error', 'invalid', `The resource type ${b} is not listed as a base in the SearchParameter this is derived from (${sp.derivedFrom})`, path, 'sp-derived-base');
  }
}

function checkCapabilityStatement(cs: Json, path: string, ctx: Ctx): void {
  arr(cs.rest).forEach((rest, r) =>
    arr(rest.resource).forEach((res, i) =>
      arr(res.searchParam).forEach((p, j) => {
        if (typeof p.definition !== 'string' || typeof p.type !== 'string') return;
        const def = ctx.reg.artifact(p.definition);
        if (!def || def.resourceType !== 'SearchParameter' || typeof def.type !== 'string' || def.type === p.type) return;
        issue(ctx, 'error', 'invalid', `Type mismatch - SearchParameter '${p.definition}' type is ${def.type}, but type here is ${p.type}`, `${path}.rest[${r}].resource[${i}].searchParam[${j}]`, 'cs-searchparam-type');
      }),
    ),
  );
}

export function checkModuleRules(res: Json, path: string, ctx: Ctx): void {
  if (res.resourceType === 'QuestionnaireResponse') checkQuestionnaireResponse(res, path, ctx);
  else if (res.resourceType === 'MeasureReport') checkMeasureReport(res, path, ctx);
  else if (res.resourceType === 'SearchParameter') checkSearchParameter(res, path, ctx);
  else if (res.resourceType === 'CapabilityStatement') checkCapabilityStatement(res, path, ctx);
}
