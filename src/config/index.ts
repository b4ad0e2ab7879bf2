/**
 * The gateway's configuration: one typed, frozen object built from environment variables (and an
 * optional JSON config file whose members use the same names). Every invalid value is reported at
 * once, so an operator fixes them in one go. Defaults serve `npm start` on a fresh clone.
 *
 * This module only parses; reading the environment and files happens in the composition roots.
 */
import { GatewayError } from '../errors.js';
import { SETTINGS, type Setting } from './settings.js';

export type Mode = 'development' | 'production';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  bodyLimitBytes: number;
  publicBaseUrl: string;
  mode: Mode;
  demo: boolean;
  certsDir: string;
  trustListFile: string;
  requireSignatures: boolean;
  accessTokenSeconds: number;
  linkAttemptBudget: number;
  invitationHours: number;
  auditCheckpointSeconds: number;
  /** Validation worker threads; 0 = validate on the main thread (issue 10). */
  validationWorkers: number;
  residentIdPolicy: 'remove' | 'pseudonym';
  pseudonymKey: string | undefined;
}

type Source = Record<string, string | number | boolean | undefined>;

/**
 * @param env  environment variables (the composition root passes the process environment)
 * @param file parsed config file: keys are the same variable names (PORT, DATA_DIR, …)
 */
export function loadConfig(env: Source, file: Source = {}): Readonly<Config> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS as readonly Setting[]) {
    const raw = env[s.env] ?? file[s.env];
    const given = raw === undefined || raw === '' ? undefined : String(raw);
    if (given === undefined) {
      out[s.key] = s.default;
      continue;
    }
    const parsed = s.parse(given);
    if (parsed.ok) out[s.key] = parsed.value;
    else problems.push(`${s.env}=${JSON.stringify(given)}: ${parsed.problem}`);
  }
  const cfg = out as unknown as Config;
  if (!problems.length && !env.PUBLIC_BASE_URL && !file.PUBLIC_BASE_URL) {
    const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? 'localhost' : cfg.host;
    cfg.publicBaseUrl = `http://${host}:${cfg.port}`;
  }
  if (!problems.length && cfg.residentIdPolicy === 'pseudonym' && !cfg.pseudonymKey) {
    problems.push('RESIDENT_ID_POLICY=pseudonym needs PSEUDONYM_KEY');
  }
  if (problems.length) {
    throw new GatewayError('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      issues: problems.map((p) => ({ severity: 'fatal', code: 'exception', diagnostics: p })),
    });
  }
  cfg.publicBaseUrl = cfg.publicBaseUrl.replace(/\/+$/, '');
  return Object.freeze(cfg);
}
