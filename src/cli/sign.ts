/**
 * `emr-gateway sign FILE --key K --cert C [--out F]`: signs a FHIR document Bundle the way a
 * hospital must (src/trust/document-signature.ts: Bundle.signature, detached JWS over the RFC 8785
 * canonical Bundle without `signature`, signer chain in x5c, RS384 by default) and writes the
 * signed Bundle to --out or stdout.
 *
 * Exit codes: 0 signed; 2 unreadable/malformed input, a key that does not match the certificate,
 * or a file that is not a Bundle.
 */
import crypto from 'node:crypto';
import { GatewayError } from '../errors.js';
import { DOCUMENT_ALGORITHMS, parsePemCertificates, signDocument, type SigningAlgorithm } from '../trust/index.js';
import type { Bundle } from '../fhir/types.js';
import { prettyJson, readResource, readText, writeText } from './common.js';
import type { CliIo, Registrar } from './main.js';

export interface SignArgs {
  file: string;
  key: string;
  cert: string;
  out?: string;
  alg?: string;
}

export async function signFile(args: SignArgs, io: Pick<CliIo, 'out' | 'err'>, now: () => Date = () => new Date()): Promise<number> {
  const bundle = readResource(args.file);
  if (bundle.resourceType !== 'Bundle') throw new GatewayError('BAD_REQUEST', `${args.file} holds a ${bundle.resourceType}, not a Bundle: only Bundles carry a signature.`);
  const alg = (args.alg ?? 'RS384') as SigningAlgorithm;
  if (!(DOCUMENT_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new GatewayError('INVALID_PARAMETER', `--alg must be one of ${DOCUMENT_ALGORITHMS.join(', ')}.`);
  }
  const certText = readText(args.cert);
  let chain: ReturnType<typeof parsePemCertificates>;
  try {
    chain = parsePemCertificates(certText);
  } catch (cause) {
    throw new GatewayError('BAD_REQUEST', `${args.cert} does not hold a readable RSA certificate (PEM).`, { cause });
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(readText(args.key));
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('BAD_REQUEST', `${args.key} does not hold a readable private key (PEM).`, { cause });
  }
  let signed: Bundle;
  try {
    signed = await signDocument(bundle as Bundle, { key, chain, alg, now });
  } catch (cause) {
    // signDocument throws TypeError for a key/certificate mismatch; jose for a key unfit for alg.
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('BAD_REQUEST', `Cannot sign with ${args.key} and ${args.cert}: the key must match the certificate and suit ${alg}.`, { cause });
  }
  const who = signed.signature?.who?.reference ?? signed.signature?.who?.display ?? '';
  if (args.out) {
    writeText(args.out, `${prettyJson(signed)}\n`);
    io.err(`signed ${args.file} → ${args.out} (${alg}, ${chain[0]!.info.subject}${who ? `, who ${who}` : ''})`);
  } else io.out(prettyJson(signed));
  return 0;
}

export const signCommand: Registrar = (program, io, setExit) => {
  program
    .command('sign')
    .description('sign a FHIR Bundle (Bundle.signature, detached JWS over the canonical JSON, x5c chain); exit 0, 2 bad input')
    .argument('<file>', 'FHIR Bundle JSON')
    .requiredOption('--key <file>', 'signer private key (PEM)')
    .requiredOption('--cert <file>', 'signer certificate chain (PEM, leaf first)')
    .option('--out <file>', 'write the signed Bundle here instead of stdout')
    .option('--alg <alg>', `JWS algorithm (${DOCUMENT_ALGORITHMS.join(', ')})`, 'RS384')
    .action(async (file: string, opts: { key: string; cert: string; out?: string; alg: string }) => {
      setExit(await signFile({ file, ...opts }, io));
    });
};
