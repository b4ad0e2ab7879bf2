/**
 * The table of settings: environment variable, key, default, parser and meaning. The README's
 * configuration table is written from this list; keep them in step.
 */

import { availableParallelism } from 'node:os';

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

export interface Setting {
  env: string;
  key: string;
  default: unknown;
  meaning: string;
  parse(raw: string): Parsed;
}

const int = (min: number, max: number) => (raw: string): Parsed => {
  const n = Number(raw);
  return /^\d+$/.test(raw) && n >= min && n <= max ? { ok: true, value: n } : { ok: false, problem: `must be a whole number from ${min} to ${max}` };
};
const text = (raw: string): Parsed => ({ ok: true, value: raw });
const oneOf = (...values: string[]) => (raw: string): Parsed =>
  values.includes(raw) ? { ok: true, value: raw } : { ok: false, problem: `must be one of ${values.join(', ')}` };
const bool = (raw: string): Parsed =>
  /^(true|1|yes)$/i.test(raw) ? { ok: true, value: true } : /^(false|0|no)$/i.test(raw) ? { ok: true, value: false } : { ok: false, problem: 'must be true or false' };
const url = (protocols: string[]) => (raw: string): Parsed => {
  try {
    const u = new URL(raw);
    return protocols.includes(u.protocol) ? { ok: true, value: raw } : { ok: false, problem: `must be a ${protocols.join(' or ')} URL` };
  } catch {
    return { ok: false, problem: 'must be a URL' };
  }
};
const size = (raw: string): Parsed => {
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw);
  if (!m) return { ok: false, problem: 'must be a size such as 20mb, 512kb or 1048576' };
  const mult = { b: 1, kb: 1024, mb: 1024 * 1024 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  const n = Number(m[1]) * mult;
  return n >= 1024 && n <= 512 * 1024 * 1024 ? { ok: true, value: n } : { ok: false, problem: 'must be between 1kb and 512mb' };
};

/**
 * Issue 10: validation (≈ 4 ms of CPU per 100-entry document) in worker threads uses the other
 * core(s) and keeps the event loop free. Each worker holds its own profiles, R4 core set and
 * compiled validator (measured ≈ 230 MB resident per worker), so the default leaves the main
 * thread one core and takes at most 2 workers: 1 on a 2-core machine (main thread + worker = both
 * cores; a second worker measured no gain there and doubled the cost), 1 on a single core too so
 * the event loop stays free of validation.
 */
function defaultValidationWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

export const SETTINGS: readonly Setting[] = [
  { env: 'PORT', key: 'port', default: 8080, meaning: 'TCP port of the HTTP server (0 = any free port)', parse: int(0, 65535) },
  { env: 'HOST', key: 'host', default: '0.0.0.0', meaning: 'address to listen on', parse: text },
  { env: 'DATA_DIR', key: 'dataDir', default: './data', meaning: 'embedded database (PGlite) directory, used when DATABASE_URL is not set', parse: text },
  { env: 'DATABASE_URL', key: 'databaseUrl', default: undefined, meaning: 'PostgreSQL server URL (postgres://user@host:port/db); when set, used instead of the embedded database', parse: url(['postgres:', 'postgresql:']) },
  { env: 'LOG_LEVEL', key: 'logLevel', default: 'info', meaning: 'pino log level', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent') },
  { env: 'BODY_LIMIT', key: 'bodyLimitBytes', default: 20 * 1024 * 1024, meaning: 'largest request body accepted (413 above)', parse: size },
  { env: 'PUBLIC_BASE_URL', key: 'publicBaseUrl', default: 'http://localhost:8080', meaning: 'external base URL used in links (Location, SHL manifest, invitations); default http://HOST:PORT', parse: url(['http:', 'https:']) },
  { env: 'GATEWAY_MODE', key: 'mode', default: 'development', meaning: 'development or production (production refuses the example certificates)', parse: oneOf('development', 'production') },
  { env: 'DEMO', key: 'demo', default: true, meaning: 'development mode only: submit an invented discharge summary and print a patient invitation at start-up', parse: bool },
  { env: 'CERTS_DIR', key: 'certsDir', default: './certs-example', meaning: "folder of the gateway's key and certificate (gateway.key.pem, gateway.pem) and the CA", parse: text },
  { env: 'TRUST_LIST', key: 'trustListFile', default: './certs-example/trust-list.json', meaning: 'trust list file: anchors, participants, revoked serials', parse: text },
  { env: 'REQUIRE_SIGNATURES', key: 'requireSignatures', default: false, meaning: 'hospitals must sign submitted documents (Bundle.signature)', parse: bool },
  { env: 'ACCESS_TOKEN_SECONDS', key: 'accessTokenSeconds', default: 300, meaning: 'lifetime of access tokens issued by /auth/token', parse: int(30, 3600) },
  { env: 'LINK_ATTEMPT_BUDGET', key: 'linkAttemptBudget', default: 10, meaning: 'lifetime budget of wrong passcodes per consent link', parse: int(1, 1000) },
  { env: 'INVITATION_HOURS', key: 'invitationHours', default: 72, meaning: 'validity of a patient invitation', parse: int(1, 24 * 30) },
  { env: 'RESIDENT_ID_POLICY', key: 'residentIdPolicy', default: 'remove', meaning: 'what documents sent abroad carry in place of the resident ID number when the consent does not allow it: remove, or pseudonym (HMAC with PSEUDONYM_KEY)', parse: oneOf('remove', 'pseudonym') },
  { env: 'PSEUDONYM_KEY', key: 'pseudonymKey', default: undefined, meaning: 'secret (at least 16 characters) for resident-ID pseudonyms; required with RESIDENT_ID_POLICY=pseudonym', parse: (raw) => (raw.length >= 16 ? { ok: true, value: raw } : { ok: false, problem: 'must be at least 16 characters' }) },
  { env: 'VALIDATION_WORKERS', key: 'validationWorkers', default: defaultValidationWorkers(), meaning: 'worker threads that validate documents off the event loop (default: available cores − 1, from 1 to 2); 0 = validate in the main thread', parse: int(0, 64) },
  { env: 'AUDIT_CHECKPOINT_SECONDS', key: 'auditCheckpointSeconds', default: 300, meaning: 'interval between signed audit checkpoints (also written at shutdown)', parse: int(5, 86400) },
];
