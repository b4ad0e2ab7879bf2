/**
 * `emr-gateway verify FILE [--trust DIR|FILE] [--at DATE] [--organization ID]`: checks a signed
 * Bundle as the gateway does on intake (src/trust/document-signature.ts): the JWS over the
 * canonical Bundle, then the signer's chain to a trust anchor at `--at` (default now), then — with
 * a trust list — that the signer is a registered participant of the organisation the signature
 * names (Signature.who: an Organization identifier or `Organization/<id>`, or --organization), or at least a registered
 * participant when it names none. With a folder of anchors there
 * are no participants, so the organisation check is skipped.
 *
 * Exit codes: 0 verified; 3 not verified (SIGNATURE_INVALID or CERTIFICATE_UNTRUSTED, the reason
 * printed); 2 unreadable file.
 */
import { GatewayError, isGatewayError } from '../errors.js';
import type { Bundle } from '../fhir/types.js';
import { ORGANIZATION_ID_SYSTEM, verifyDocumentSignature } from '../trust/index.js';
import { parseInstant, readResource } from './common.js';
import type { CliIo, Registrar } from './main.js';
import { loadTrustSource } from './trust-source.js';

export interface VerifyArgs {
  file: string;
  trust?: string;
  at?: string;
  organization?: string;
}

/** The organisation a signature claims: its `who` as an Organization identifier or reference. */
function claimedOrganization(bundle: Bundle): string | undefined {
  const who = bundle.signature?.who;
  const id = who?.identifier;
  if (id?.system === ORGANIZATION_ID_SYSTEM && typeof id.value === 'string') return id.value;
  const ref = who?.reference;
  const m = typeof ref === 'string' ? /(?:^|\/)Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
  return m?.[1];
}

/** Prints the refusal of a signature or chain check; other errors propagate. */
export function reportRefusal(e: unknown, io: Pick<CliIo, 'err'>): number {
  if (isGatewayError(e) && (e.code === 'SIGNATURE_INVALID' || e.code === 'CERTIFICATE_UNTRUSTED')) {
    io.err(`NOT VERIFIED: ${e.code} (${String(e.details.reason ?? 'unspecified')}): ${e.message}`);
    return e.exitCode;
  }
  throw e;
}

export async function verifyFile(args: VerifyArgs, io: Pick<CliIo, 'out' | 'err' | 'env'>): Promise<number> {
  const at = parseInstant(args.at, '--at');
  const now = () => at ?? new Date();
  const bundle = readResource(args.file);
  if (bundle.resourceType !== 'Bundle') throw new GatewayError('BAD_REQUEST', `${args.file} holds a ${bundle.resourceType}, not a Bundle.`);
  const source = loadTrustSource(args.trust, io, now);
  const expectedOrganization = source.registry ? (args.organization ?? claimedOrganization(bundle as Bundle)) : undefined;
  try {
    const r = await verifyDocumentSignature(bundle as Bundle, { trust: source.trust, now, ...(expectedOrganization ? { expectedOrganization } : {}) });
    if (source.registry && !r.participant) {
      throw new GatewayError('CERTIFICATE_UNTRUSTED', 'The signing certificate is not registered for any participant of the trust list.', { details: { reason: 'not-registered' } });
    }
    io.out(`verified: ${args.file}`);
    io.out(`  signer     ${r.signer.subject} (serial ${r.signer.serial})`);
    io.out(`  algorithm  ${r.alg}${r.signedAt ? `, signed at ${r.signedAt}` : ''}`);
    io.out(`  chain      ${r.chain.path.map((c) => c.commonName ?? c.subject).join(' → ')}`);
    io.out(`  trust      ${source.described}, checked at ${now().toISOString()}`);
    if (r.participant) io.out(`  participant ${r.participant.id} of ${r.participant.organization.id} (${r.participant.organization.name})`);
    if (!source.registry) io.out('  organisation not checked (anchors only, no participants)');
    return 0;
  } catch (e) {
    return reportRefusal(e, io);
  }
}

export const verifyCommand: Registrar = (program, io, setExit) => {
  program
    .command('verify')
    .description('verify the signature of a signed FHIR Bundle and its signer chain; exit 0 verified, 3 not')
    .argument('<file>', 'signed FHIR Bundle JSON')
    .option('--trust <dir|file>', 'trust list JSON, folder of anchor *.pem, or a PEM file (default: the configured TRUST_LIST)')
    .option('--at <date>', 'validate the certificates at this instant (default: now)')
    .option('--organization <id>', 'the signer must belong to this Organization id (default: the one Signature.who names)')
    .action(async (file: string, opts: Omit<VerifyArgs, 'file'>) => {
      setExit(await verifyFile({ file, ...opts }, io));
    });
};
