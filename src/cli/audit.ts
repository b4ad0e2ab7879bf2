/**
 * `emr-gateway audit verify` and `emr-gateway audit export`: parse → one call into src/audit/
 * commands.ts → print. Opening the store and loading the gateway's public checkpoint keys is the
 * composition root's job, passed in as `open`, so this file reads no configuration itself.
 *
 * Exit codes: verify 0 intact, 3 broken (the first broken entry is named on stderr); export 0.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import type { CheckpointKeys } from '../audit/checkpoint.js';
import { auditExport, auditVerify } from '../audit/commands.js';
import type { Store } from '../store/ports.js';
import type { CliIo, Registrar } from './main.js';

export interface AuditCliDeps {
  store: Pick<Store, 'audit' | 'close'>;
  /** The gateway's public key(s) for checkpoint signatures (a key or a JWKS resolver). */
  keys: CheckpointKeys;
}

export async function auditVerifyCommand(deps: AuditCliDeps, io: Pick<CliIo, 'out' | 'err'>): Promise<number> {
  const report = await auditVerify(deps.store.audit, deps.keys);
  (report.exitCode === 0 ? io.out : io.err)(report.summary);
  return report.exitCode;
}

export interface AuditExportArgs {
  patient: string;
  from?: string;
  to?: string;
  /** NDJSON file; stdout when absent. */
  out?: string;
  /** Accounting-of-disclosures CSV file; printed to stderr when absent. */
  disclosures?: string;
}

export async function auditExportCommand(deps: AuditCliDeps, args: AuditExportArgs, io: Pick<CliIo, 'out' | 'err'>): Promise<number> {
  const file = args.out ? createWriteStream(args.out, { encoding: 'utf8' }) : undefined;
  const write = file
    ? (line: string) => new Promise<void>((resolve, reject) => file.write(line, (e) => (e ? reject(e) : resolve())))
    : (line: string) => io.out(line.replace(/\n$/, ''));
  try {
    const result = await auditExport(deps.store.audit, { patient: args.patient, from: args.from, to: args.to }, write);
    if (args.disclosures) writeFileSync(args.disclosures, result.csv, 'utf8');
    else io.err(result.csv.trimEnd());
    io.err(`exported ${result.events} audit events, ${result.disclosures.length} disclosures`);
    return 0;
  } finally {
    if (file) await new Promise<void>((resolve) => file.end(resolve));
  }
}

/** Registers `audit verify` and `audit export`; `open` builds the store and keys from the environment. */
export function auditRegistrar(open: (io: CliIo) => Promise<AuditCliDeps>): Registrar {
  return (program, io, setExit) => {
    const audit = program.command('audit').description('audit log: verify the hash chain, export a patient\'s accounting of disclosures');
    const withDeps = async (fn: (deps: AuditCliDeps) => Promise<number>) => {
      const deps = await open(io);
      try {
        setExit(await fn(deps));
      } finally {
        await deps.store.close();
      }
    };
    audit
      .command('verify')
      .description('walk the hash chain and the signed checkpoints; exit 0 intact, 3 broken')
      .action(() => withDeps((deps) => auditVerifyCommand(deps, io)));
    audit
      .command('export')
      .description('write a patient\'s AuditEvents as NDJSON and the accounting of disclosures (HIPAA §164.528, PIPL art. 55/56)')
      .requiredOption('--patient <identifier>', 'system|value of a patient identifier, or Patient/id')
      .option('--from <date>', 'FHIR date or dateTime, inclusive')
      .option('--to <date>', 'FHIR date or dateTime, inclusive')
      .option('--out <file>', 'NDJSON output file (default: stdout)')
      .option('--disclosures <file>', 'accounting-of-disclosures CSV file (default: stderr)')
      .action((opts: AuditExportArgs) => withDeps((deps) => auditExportCommand(deps, opts, io)));
  };
}
