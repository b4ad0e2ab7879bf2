/**
 * `POST /fhir/Consent/$grant` input: turns the untrusted FHIR `Parameters` into a validated
 * GrantRequest, collecting every problem (coded INVALID_PARAMETER, FHIRPath expressions such as
 * `Parameters.parameter[2].valueCoding`) and failing once.
 *
 * Invariants: unknown parameter names are errors (a typo must not silently widen or narrow a
 * consent); the recipient is either an Organization the trust list knows (via the injected
 * resolver) or a named person with a contact — PIPL art. 39 requires name and contact; the
 * validity end lies after `now` and not beyond `maxValidityDays`; sensitive categories are only
 * included when named in `allowSensitive`. Pure: the clock value is passed in.
 */
import { GatewayError, type Issue } from '../errors.js';
import type { Coding, Parameters, ParametersParameter } from '../fhir/types.js';
import { isObject } from '../fhir/types.js';
import type { DataPeriod, GrantRequest, Recipient, RecipientContact, ResolveOrganization } from './types.js';
import {
  findPurpose,
  NOTICE_LANGUAGES,
  PROCESSING_METHODS,
  SENSITIVE_CATEGORIES,
  type NoticeLanguage,
  type ProcessingMethod,
  type PurposeDef,
  type SensitiveCategory,
} from './vocab.js';

export interface ParseGrantOptions {
  resolveOrganization: ResolveOrganization;
  now: Date;
  /** Longest validity accepted (default 365 days). */
  maxValidityDays?: number;
}

const KNOWN = new Set([
  'patient', 'recipient', 'recipientContact', 'purpose', 'document', 'documentType', 'section', 'dataPeriod',
  'start', 'end', 'passcode', 'noticeLanguage', 'processingMethod', 'allowSensitive', 'label',
]);
const REPEATING = new Set(['document', 'documentType', 'section', 'allowSensitive']);
/** FHIR dateTime with at least a date; a time needs a zone (R4 datatypes dateTime regex, zone required by us). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

class Collector {
  readonly issues: Issue[] = [];
  add(expression: string, diagnostics: string, rule: string): void {
    this.issues.push({ severity: 'error', code: 'value', diagnostics, expression: [expression], rule });
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function parseDateTime(v: unknown, at: string, c: Collector): string | undefined {
  if (typeof v !== 'string' || !DATE_TIME.test(v) || Number.isNaN(Date.parse(v))) {
    c.add(at, 'Expected a FHIR dateTime (a date, or a date and time with a time zone).', 'GRANT_DATETIME');
    return undefined;
  }
  return v;
}

function parseContact(p: ParametersParameter, at: string, c: Collector): RecipientContact | undefined {
  const s = str(p.valueString);
  if (s) return { text: s, ...(s.includes('@') ? { email: s } : {}) };
  const cp = p.valueContactPoint;
  if (isObject(cp) && str(cp.value)) {
    const value = str(cp.value)!;
    return { text: value, ...(cp.system === 'email' ? { email: value } : cp.system === 'phone' ? { phone: value } : {}) };
  }
  c.add(`${at}.value[x]`, 'recipientContact needs valueString or valueContactPoint with a value.', 'GRANT_RECIPIENT_CONTACT');
  return undefined;
}

function codingOf(p: ParametersParameter, at: string, c: Collector): Coding | undefined {
  const v = p.valueCoding;
  if (!isObject(v) || !str(v.code) || !str(v.system)) {
    c.add(`${at}.valueCoding`, 'Expected valueCoding with system and code.', 'GRANT_CODING');
    return undefined;
  }
  return { system: String(v.system), code: String(v.code), ...(typeof v.display === 'string' ? { display: v.display } : {}) };
}

function codeOf(p: ParametersParameter, at: string, c: Collector): string | undefined {
  const v = str(p.valueCode);
  if (!v) c.add(`${at}.valueCode`, 'Expected valueCode.', 'GRANT_CODE');
  return v;
}

/** Validates a `$grant` Parameters resource; throws GatewayError INVALID_PARAMETER with all issues. */
export function parseGrantParameters(parameters: unknown, options: ParseGrantOptions): GrantRequest {
  if (typeof options?.resolveOrganization !== 'function' || !(options.now instanceof Date)) {
    throw new TypeError('parseGrantParameters needs resolveOrganization and now');
  }
  const c = new Collector();
  if (!isObject(parameters) || parameters.resourceType !== 'Parameters' || !Array.isArray(parameters.parameter)) {
    throw new GatewayError('INVALID_PARAMETER', 'The body must be a FHIR Parameters resource with parameters.', { expression: 'Parameters' });
  }
  const list = (parameters as Parameters).parameter ?? [];
  const seen = new Map<string, number[]>();
  list.forEach((p, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (!isObject(p) || typeof p.name !== 'string') return c.add(at, 'Each parameter needs a name.', 'GRANT_SHAPE');
    if (!KNOWN.has(p.name)) return c.add(`${at}.name`, `Unknown parameter "${p.name}".`, 'GRANT_UNKNOWN_PARAMETER');
    const idx = seen.get(p.name) ?? [];
    if (idx.length && !REPEATING.has(p.name)) c.add(at, `Parameter "${p.name}" may appear only once.`, 'GRANT_REPEATED');
    idx.push(i);
    seen.set(p.name, idx);
  });
  const one = (name: string): [ParametersParameter, string] | undefined => {
    const i = seen.get(name)?.[0];
    return i === undefined ? undefined : [list[i]!, `Parameters.parameter[${i}]`];
  };
  const all = (name: string): [ParametersParameter, string][] =>
    (seen.get(name) ?? []).map((i) => [list[i]!, `Parameters.parameter[${i}]`]);

  // patient (valueIdentifier with system and value)
  let patient: GrantRequest['patient'] | undefined;
  const pp = one('patient');
  if (!pp) c.add('Parameters.parameter', 'Parameter "patient" (valueIdentifier) is required.', 'GRANT_REQUIRED');
  else {
    const v = pp[0].valueIdentifier;
    if (isObject(v) && str(v.system) && str(v.value)) patient = { system: str(v.system)!, value: str(v.value)! };
    else c.add(`${pp[1]}.valueIdentifier`, 'patient needs valueIdentifier with system and value.', 'GRANT_PATIENT');
  }

  // recipient: Organization/{id} known to the trust list, or a named person with recipientContact
  let recipient: Recipient | undefined;
  const rp = one('recipient');
  const cp = one('recipientContact');
  if (!rp) c.add('Parameters.parameter', 'Parameter "recipient" is required.', 'GRANT_REQUIRED');
  else if (isObject(rp[0].valueReference)) {
    const ref = str(rp[0].valueReference.reference);
    const m = ref ? /^Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
    const org = m ? options.resolveOrganization(m[1]!) : undefined;
    if (!m) c.add(`${rp[1]}.valueReference.reference`, 'recipient must reference Organization/{id}.', 'GRANT_RECIPIENT');
    else if (!org) c.add(`${rp[1]}.valueReference.reference`, 'The recipient organization is not on the trust list.', 'GRANT_RECIPIENT_UNKNOWN');
    else {
      const contact = cp ? parseContact(cp[0], cp[1], c) : org.contact;
      if (contact) recipient = { kind: 'organization', ...org, contact };
    }
  } else if (str(rp[0].valueString)) {
    const name = str(rp[0].valueString)!;
    if (name.length > 200) c.add(`${rp[1]}.valueString`, 'recipient name is longer than 200 characters.', 'GRANT_RECIPIENT');
    if (!cp) c.add('Parameters.parameter', 'A person recipient needs "recipientContact" (PIPL art. 39).', 'GRANT_RECIPIENT_CONTACT');
    else {
      const contact = parseContact(cp[0], cp[1], c);
      if (contact && name.length <= 200) recipient = { kind: 'person', name, contact };
    }
  } else c.add(`${rp[1]}.value[x]`, 'recipient needs valueReference (Organization) or valueString (a person).', 'GRANT_RECIPIENT');

  // purpose (valueCoding from our purpose value set)
  let purpose: PurposeDef | undefined;
  const pu = one('purpose');
  if (!pu) c.add('Parameters.parameter', 'Parameter "purpose" (valueCoding) is required.', 'GRANT_REQUIRED');
  else {
    const coding = codingOf(pu[0], pu[1], c);
    if (coding) {
      purpose = findPurpose(coding.system, coding.code);
      if (!purpose) c.add(`${pu[1]}.valueCoding`, `Purpose ${coding.system}|${coding.code} is not one a transfer may be consented for.`, 'GRANT_PURPOSE');
    }
  }

  // data: documents and/or document types, sections, date range
  const documents: string[] = [];
  for (const [p, at] of all('document')) {
    const ref = isObject(p.valueReference) ? str(p.valueReference.reference) : undefined;
    const m = ref ? /^Bundle\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
    if (m) documents.push(m[1]!);
    else c.add(`${at}.valueReference.reference`, 'document must reference Bundle/{id}.', 'GRANT_DOCUMENT');
  }
  const documentTypes: Coding[] = [];
  for (const [p, at] of all('documentType')) {
    const coding = codingOf(p, at, c);
    if (coding) documentTypes.push(coding);
  }
  if (!seen.has('document') && !seen.has('documentType')) {
    c.add('Parameters.parameter', 'At least one "document" or "documentType" is required (PIPL art. 39: categories of data).', 'GRANT_REQUIRED');
  }
  const sections: string[] = [];
  for (const [p, at] of all('section')) {
    const coding = codingOf(p, at, c);
    if (coding && coding.system !== 'http://loinc.org') c.add(`${at}.valueCoding.system`, 'section codes are LOINC section codes.', 'GRANT_SECTION');
    else if (coding) sections.push(coding.code!);
  }
  let dataPeriod: DataPeriod | undefined;
  const dp = one('dataPeriod');
  if (dp) {
    const v = dp[0].valuePeriod;
    if (!isObject(v) || (v.start === undefined && v.end === undefined)) c.add(`${dp[1]}.valuePeriod`, 'dataPeriod needs valuePeriod with start and/or end.', 'GRANT_PERIOD');
    else {
      const start = v.start === undefined ? undefined : parseDateTime(v.start, `${dp[1]}.valuePeriod.start`, c);
      const end = v.end === undefined ? undefined : parseDateTime(v.end, `${dp[1]}.valuePeriod.end`, c);
      if (start && end && Date.parse(start) > Date.parse(end)) c.add(`${dp[1]}.valuePeriod`, 'dataPeriod start is after its end.', 'GRANT_PERIOD');
      dataPeriod = { ...(start ? { start } : {}), ...(end ? { end } : {}) };
    }
  }

  // validity
  const now = options.now.getTime();
  const maxDays = options.maxValidityDays ?? 365;
  let start: string | undefined;
  const sp = one('start');
  if (sp) start = parseDateTime(sp[0].valueDateTime, `${sp[1]}.valueDateTime`, c);
  let end: string | undefined;
  const ep = one('end');
  if (!ep) c.add('Parameters.parameter', 'Parameter "end" (valueDateTime) is required: a consent has a validity period.', 'GRANT_REQUIRED');
  else {
    end = parseDateTime(ep[0].valueDateTime, `${ep[1]}.valueDateTime`, c);
    if (end && Date.parse(end) <= now) c.add(`${ep[1]}.valueDateTime`, 'end must be in the future.', 'GRANT_END');
    else if (end && Date.parse(end) - now > maxDays * 86_400_000) c.add(`${ep[1]}.valueDateTime`, `end may be at most ${maxDays} days ahead.`, 'GRANT_END');
    if (end && start && Date.parse(start) >= Date.parse(end)) c.add(`${sp![1]}.valueDateTime`, 'start must be before end.', 'GRANT_END');
  }

  // options
  let passcode: string | undefined;
  const pc = one('passcode');
  if (pc) {
    passcode = typeof pc[0].valueString === 'string' ? pc[0].valueString : undefined;
    if (!passcode || passcode.length < 4 || passcode.length > 64) {
      c.add(`${pc[1]}.valueString`, 'passcode must be 4 to 64 characters.', 'GRANT_PASSCODE');
      passcode = undefined;
    }
  }
  let noticeLanguage: NoticeLanguage = 'zh-CN';
  const nl = one('noticeLanguage');
  if (nl) {
    const v = codeOf(nl[0], nl[1], c);
    if (v && (NOTICE_LANGUAGES as readonly string[]).includes(v)) noticeLanguage = v as NoticeLanguage;
    else if (v) c.add(`${nl[1]}.valueCode`, `noticeLanguage must be one of ${NOTICE_LANGUAGES.join(', ')}.`, 'GRANT_LANGUAGE');
  }
  let processingMethod: ProcessingMethod = 'view-only';
  const pm = one('processingMethod');
  if (pm) {
    const v = codeOf(pm[0], pm[1], c);
    if (v && (PROCESSING_METHODS as readonly string[]).includes(v)) processingMethod = v as ProcessingMethod;
    else if (v) c.add(`${pm[1]}.valueCode`, `processingMethod must be one of ${PROCESSING_METHODS.join(', ')}.`, 'GRANT_METHOD');
  }
  const allowSensitive: SensitiveCategory[] = [];
  for (const [p, at] of all('allowSensitive')) {
    const v = codeOf(p, at, c);
    if (v && (SENSITIVE_CATEGORIES as readonly string[]).includes(v)) {
      if (!allowSensitive.includes(v as SensitiveCategory)) allowSensitive.push(v as SensitiveCategory);
    } else if (v) c.add(`${at}.valueCode`, `allowSensitive must be one of ${SENSITIVE_CATEGORIES.join(', ')}.`, 'GRANT_SENSITIVE');
  }
  let label: string | undefined;
  const lp = one('label');
  if (lp) {
    label = str(lp[0].valueString);
    if (!label || label.length > 80) {
      c.add(`${lp[1]}.valueString`, 'label must be 1 to 80 characters (SMART Health Links).', 'GRANT_LABEL');
      label = undefined;
    }
  }
  for (const d of documents) if (!ID.test(d)) c.add('Parameters.parameter', 'Bad document id.', 'GRANT_DOCUMENT');

  if (c.issues.length || !patient || !recipient || !purpose || !end) {
    throw new GatewayError('INVALID_PARAMETER', 'The consent grant parameters are invalid.', { issues: c.issues });
  }
  return {
    patient,
    recipient,
    purpose,
    documents: [...new Set(documents)],
    documentTypes,
    sections: [...new Set(sections)],
    ...(dataPeriod ? { dataPeriod } : {}),
    ...(start ? { start } : {}),
    end,
    ...(passcode ? { passcode } : {}),
    noticeLanguage,
    processingMethod,
    allowSensitive,
    ...(label ? { label } : {}),
  };
}
