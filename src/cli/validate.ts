/**
 * `emr-gateway validate FILE... [--profile URL]`: validates FHIR JSON files with the validator the
 * server builds (fhir-profiles/, Chinese checks, profile chosen by Composition type). A document
 * Bundle (Bundle.type `document`) gets the document rules (FHIR R4 documents.html §3.3.1), every
 * other resource the resource rules.
 *
 * Exit codes: 0 every file valid (warnings allowed), 3 some file invalid or an unknown --profile,
 * 2 some file unreadable or not JSON (usage); every file is still reported.
 */
import path from 'node:path';
import { packageRoot } from '../compose.js';
import { buildValidator } from '../compose/validation.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Validator } from '../validate/index.js';
import { issueLine, readResource } from './common.js';
import type { CliIo, Registrar } from './main.js';

export interface ValidateArgs {
  files: string[];
  profile?: string[];
}

/** Validates each file and prints its issues; returns the exit code. */
export function validateFiles(validator: Validator, args: ValidateArgs, io: Pick<CliIo, 'out' | 'err'>): number {
  const profiles = args.profile ?? [];
  for (const url of profiles) {
    if (!validator.registry.structureDefinition(url)) {
      throw new GatewayError('UNKNOWN_PROFILE', `The profile ${url} is not known: it is not in fhir-profiles/ nor in the FHIR R4 core definitions.`);
    }
  }
  let unreadable = 0;
  let invalid = 0;
  for (const file of args.files) {
    let resource;
    try {
      resource = readResource(file);
    } catch (e) {
      if (!isGatewayError(e)) throw e;
      // A JSON object without resourceType is data, not a usage problem: it is invalid (3).
      if (e.exitCode === 2) unreadable++;
      else invalid++;
      io.err(`${file}: ${e.code}: ${e.message}`);
      continue;
    }
    const isDocument = resource.resourceType === 'Bundle' && resource.type === 'document';
    const result = isDocument ? validator.validateDocument(resource, { profiles }) : validator.validateResource(resource, { profiles });
    const count = (sev: string[]) => result.issues.filter((i) => sev.includes(i.severity)).length;
    const errors = count(['error', 'fatal']);
    if (!result.valid) invalid++;
    io.out(`${file}: ${result.valid ? 'valid' : 'INVALID'} ${resource.resourceType}${isDocument ? ' document' : ''} (${errors} errors, ${count(['warning'])} warnings, ${count(['information'])} information)`);
    for (const issue of result.issues) io.out(`  ${issueLine(issue)}`);
  }
  return unreadable ? 2 : invalid ? 3 : 0;
}

export const validateCommand: Registrar = (program, io, setExit) => {
  program
    .command('validate')
    .description('validate FHIR JSON resources or document Bundles against the gateway profiles; exit 0 valid, 3 invalid, 2 unreadable')
    .argument('<files...>', 'FHIR JSON files')
    .option('--profile <url>', 'also validate against this profile (canonical URL); repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .action((files: string[], opts: { profile: string[] }) => {
      const { validator } = buildValidator([path.join(packageRoot(), 'fhir-profiles')]);
      setExit(validateFiles(validator, { files, profile: opts.profile }, io));
    });
};
