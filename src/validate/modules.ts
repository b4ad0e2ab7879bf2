/**
 * Resource-specific rules HL7's validator applies against the knowledge artifact a resource
 * answers to, when we hold that artifact (registry.artifact):
 * - QuestionnaireResponse ↔ Questionnaire (R4 questionnaireresponse.html "Questionnaire
 *   Responses": each item's linkId must match an item of the Questionnaire at the same level);
 * - MeasureReport ↔ Measure (R4 measurereport.html: a cohort measure has no score —
 *   measure-scoring "cohort": "The measure score is not applicable").
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

export function checkModuleRules(res: Json, path: string, ctx: Ctx): void {
  if (res.resourceType === 'QuestionnaireResponse') checkQuestionnaireResponse(res, path, ctx);
  else if (res.resourceType === 'MeasureReport') checkMeasureReport(res, path, ctx);
}
