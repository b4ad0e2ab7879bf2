/**
 * The `emr-gateway` command line: `main(argv, io)` returns an exit code and never calls
 * process.exit (habit 11). Each command group lives in its own file and registers itself here.
 * Exit codes: 0 success, 2 usage, 3 invalid/not verified, others from ERROR_TABLE.
 */
import { Command, CommanderError } from 'commander';
import { isGatewayError } from '../errors.js';
import { serveCommand } from './serve.js';
import { validateCommand } from './validate.js';
import { convertCommand } from './convert.js';
import { signCommand } from './sign.js';
import { verifyCommand } from './verify.js';
import { certsCommand } from './certs.js';
import { translateCommand } from './translate.js';
import { auditRegistrar } from './audit.js';
import { openAuditDeps } from './audit-open.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Resolves when the process should stop (SIGTERM); used by `serve`. */
  untilStopped?: () => Promise<string>;
}

export type Registrar = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

const REGISTRARS: Registrar[] = [
  serveCommand, validateCommand, convertCommand, signCommand, verifyCommand, certsCommand, translateCommand, auditRegistrar(openAuditDeps),
];

export async function main(argv: string[], io: CliIo): Promise<number> {
  let exit = 0;
  const program = new Command('emr-gateway')
    .description('Cross-border EMR exchange gateway (FHIR R4)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  for (const register of REGISTRARS) register(program, io, (code) => (exit = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isGatewayError(e)) {
      io.err(`${e.code}: ${e.message}`);
      for (const i of e.issues.length > 1 ? e.issues : []) io.err(`  ${i.severity} ${i.expression?.join(', ') ?? ''} ${i.diagnostics}`);
      return e.exitCode;
    }
    io.err(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
