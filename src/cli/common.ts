/**
 * What the command files share: the configuration (the SAME as the server's: environment, then the
 * CONFIG_FILE JSON), reading the operator's files, and printing issues. Reading files from disk
 * happens here or in the command files (composition code), never in a stage.
 *
 * Invariants: an unreadable file is BAD_REQUEST (exit 2, a usage problem), never a Node error
 * message; JSON goes through src/fhir/json.ts (the one safe parser); writes are whole-file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig, type Config } from '../config/index.js';
import { readConfigFile } from '../config/file.js';
import { GatewayError, type Issue } from '../errors.js';
import { parseJsonResource } from '../fhir/json.js';
import type { Resource } from '../fhir/types.js';
import type { CliIo } from './main.js';

/** The configuration the server would use with this environment. */
export function cliConfig(io: Pick<CliIo, 'env'>, configFile?: string): Readonly<Config> {
  return loadConfig(io.env, readConfigFile(configFile ?? io.env.CONFIG_FILE));
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new GatewayError('BAD_REQUEST', `Cannot read ${file}.`, { cause });
  }
}

export function writeText(file: string, text: string): void {
  try {
    writeFileSync(file, text, 'utf8');
  } catch (cause) {
    throw new GatewayError('BAD_REQUEST', `Cannot write ${file}.`, { cause });
  }
}

/** A FHIR resource from a JSON file; the file name is added to the parser's message. */
export function readResource(file: string): Resource {
  const text = readText(file);
  try {
    return parseJsonResource(text);
  } catch (e) {
    if (e instanceof GatewayError) throw new GatewayError(e.code, `${file}: ${e.message}`, { cause: e.cause ?? e, issues: e.issues });
    throw e;
  }
}

/** Pretty JSON as the commands print and write it (trailing newline for files). */
export const prettyJson = (value: unknown): string => JSON.stringify(value, null, 2);

/**
 * One issue as one line: `severity  expression  message  [rule]` (two spaces between columns; the
 * stable rule code last, when the issue has one, so scripts can branch on it).
 */
export function issueLine(i: Issue): string {
  const where = i.expression?.length ? i.expression.join(', ') : '-';
  return `${i.severity}  ${where}  ${i.diagnostics}${i.diagnosticsZh ? ` / ${i.diagnosticsZh}` : ''}${i.rule ? `  [${i.rule}]` : ''}`;
}

/** `--at` values: an instant for certificate validity; undefined means now. */
export function parseInstant(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new GatewayError('INVALID_PARAMETER', `${option} must be a date or dateTime (got "${value}").`);
  return t;
}
