/**
 * `emr-gateway convert FILE.xml [--out FILE]`: a WS/T 500.53 discharge summary (CDA R2) → the FHIR
 * R4 document Bundle the gateway would store (src/ingest/cda), printed or written to --out; the
 * converter's warnings (normalised defects, with XPaths) go to stderr.
 *
 * Exit codes: 0 converted, 3 CONVERSION_FAILED (wrong document type, missing required element;
 * every issue printed), 2 malformed XML or unreadable file.
 */
import { randomUUID } from 'node:crypto';
import { isGatewayError } from '../errors.js';
import { convertCdaDischargeSummary } from '../ingest/cda/index.js';
import { issueLine, prettyJson, readText, writeText } from './common.js';
import type { CliIo, Registrar } from './main.js';

export interface ConvertArgs {
  file: string;
  out?: string;
}

export function convertFile(args: ConvertArgs, io: Pick<CliIo, 'out' | 'err'>, now: () => Date = () => new Date()): number {
  const xml = readText(args.file);
  let converted: ReturnType<typeof convertCdaDischargeSummary>;
  try {
    converted = convertCdaDischargeSummary(xml, { now, newId: randomUUID });
  } catch (e) {
    if (!isGatewayError(e) || e.code !== 'CONVERSION_FAILED') throw e;
    io.err(`${e.code}: ${args.file}: ${e.message}`);
    for (const i of e.issues) io.err(`  ${issueLine(i)}`);
    return e.exitCode;
  }
  const { bundle, issues } = converted;
  for (const i of issues) io.err(issueLine(i));
  if (args.out) {
    writeText(args.out, `${prettyJson(bundle)}\n`);
    io.err(`wrote ${args.out}: Bundle with ${bundle.entry?.length ?? 0} entries, ${issues.length} warnings`);
  } else io.out(prettyJson(bundle));
  return 0;
}

export const convertCommand: Registrar = (program, io, setExit) => {
  program
    .command('convert')
    .description('convert a WS/T 500.53 CDA discharge summary to a FHIR document Bundle; exit 0, 3 not convertible, 2 malformed')
    .argument('<file>', 'CDA R2 XML file')
    .option('--out <file>', 'write the Bundle here instead of stdout')
    .action((file: string, opts: { out?: string }) => {
      setExit(convertFile({ file, ...(opts.out ? { out: opts.out } : {}) }, io));
    });
};
