/**
 * `emr-gateway translate FILE --to en|zh-CN [--units si|conventional] [--resident-id remove|pseudonym|keep] [--out F]`:
 * translates a FHIR document Bundle with the translation stage (src/translate: codings added,
 * never replaced; names, units, dates, narrative) using the terminology in fhir-profiles/, prints
 * or writes the result, and prints the translation report and coverage to stderr.
 *
 * The resident-ID policy defaults to `remove` (PIPL art. 28: the national ID is sensitive and not
 * needed abroad). `pseudonym` needs the HMAC secret in PSEUDONYM_KEY (≥ 16 bytes) so pseudonyms
 * match the server's; for `remove`/`keep` no secret is used, so a throw-away one is passed.
 * Exit codes: 0 translated, 3 the input is not a translatable document, 2 bad usage.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { packageRoot } from '../compose.js';
import { GatewayError } from '../errors.js';
import { loadFhirResources } from '../profiles/load.js';
import { createTranslator, type Lang, type ResidentIdPolicy } from '../translate/index.js';
import { issueLine, prettyJson, readResource, writeText } from './common.js';
import type { CliIo, Registrar } from './main.js';

export interface TranslateArgs {
  file: string;
  to: string;
  units?: string;
  residentId?: string;
  out?: string;
  /** Also print the information lines of the report (every coding mapped, every name added). */
  verbose?: boolean;
}

const TARGETS = ['en', 'zh-CN'];
const UNITS = ['si', 'conventional'];
const POLICIES = ['remove', 'pseudonym', 'keep'];

function oneOf(value: string, allowed: string[], option: string): void {
  if (!allowed.includes(value)) throw new GatewayError('INVALID_PARAMETER', `${option} must be one of ${allowed.join(', ')} (got "${value}").`);
}

export function translateFile(args: TranslateArgs, io: Pick<CliIo, 'out' | 'err' | 'env'>): number {
  oneOf(args.to, TARGETS, '--to');
  if (args.units) oneOf(args.units, UNITS, '--units');
  const residentId = (args.residentId ?? 'remove') as ResidentIdPolicy;
  oneOf(residentId, POLICIES, '--resident-id');
  const key = io.env.PSEUDONYM_KEY;
  if (residentId === 'pseudonym' && (!key || key.length < 16)) {
    throw new GatewayError('INVALID_PARAMETER', '--resident-id pseudonym needs PSEUDONYM_KEY (at least 16 characters) in the environment.');
  }
  const bundle = readResource(args.file);
  const translator = createTranslator({
    resources: loadFhirResources([path.join(packageRoot(), 'fhir-profiles')]),
    pseudonymKey: residentId === 'pseudonym' ? key! : randomBytes(32),
  });
  const { document, report, stats } = translator.translateDocument(bundle, {
    target: args.to as Lang,
    ...(args.units ? { units: args.units as 'si' | 'conventional' } : {}),
    identifierPolicy: { residentId },
  });
  for (const i of report) if (args.verbose || i.severity !== 'information') io.err(issueLine(i));
  io.err(`codings ${stats.translated}/${stats.codings} translated (${stats.mapped} mapped, ${stats.displayOnly} display only, ${stats.unmapped} unmapped); names ${stats.names}, unit conversions ${stats.conversions}, sections ${stats.sections}`);
  if (args.out) writeText(args.out, `${prettyJson(document)}\n`);
  else io.out(prettyJson(document));
  return 0;
}

export const translateCommand: Registrar = (program, io, setExit) => {
  program
    .command('translate')
    .description('translate a FHIR document Bundle (zh-CN ↔ en): codings, names, units, dates, narrative; exit 0, 3 not a document')
    .argument('<file>', 'FHIR document Bundle JSON')
    .requiredOption('--to <lang>', 'target language: en or zh-CN')
    .option('--units <system>', 'si or conventional units for converted quantities')
    .option('--resident-id <policy>', 'Chinese resident ID: remove (default), pseudonym (needs PSEUDONYM_KEY) or keep')
    .option('--out <file>', 'write the translated Bundle here instead of stdout')
    .option('--verbose', 'print the whole translation report, information lines included')
    .action((file: string, opts: Omit<TranslateArgs, 'file'>) => setExit(translateFile({ file, ...opts }, io)));
};
