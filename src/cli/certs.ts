/**
 * `emr-gateway certs show FILE.pem` prints every certificate in a PEM file (subject, issuer,
 * serial, validity, key usage, extended key usage, SAN, CA flag, SHA-256 fingerprint);
 * `emr-gateway certs verify CHAIN.pem [--trust …] [--at DATE]` validates a chain (leaf first) the
 * way the gateway does (src/trust/x509.ts, RFC 5280 §6) and says why it fails.
 *
 * `show` reads with Node's X509Certificate (any key type, EC included) and decodes the keyUsage
 * BIT STRING (RFC 5280 §4.2.1.3) from the DER with node-forge's ASN.1 reader, which Node does not
 * expose. Exit codes: show 0 (2 unreadable); verify 0 valid, 3 not (reason printed), 2 unreadable.
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { GatewayError } from '../errors.js';
import { parsePemCertificates } from '../trust/index.js';
import { parseInstant, readText } from './common.js';
import type { CliIo, Registrar } from './main.js';
import { loadTrustSource } from './trust-source.js';
import { reportRefusal } from './verify.js';

const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];
const KEY_USAGE_OID = '2.5.29.15';
const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth', '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection', '1.3.6.1.5.5.7.3.8': 'timeStamping', '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

/** keyUsage of a DER certificate: the named bits and whether the extension is critical; undefined when absent. */
export function keyUsageOf(der: Buffer): { usages: string[]; critical: boolean } | undefined {
  const cert = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const tbs = (cert.value as forge.asn1.Asn1[])[0]!;
  const explicit = (tbs.value as forge.asn1.Asn1[]).find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  const extensions = explicit ? ((explicit.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[]) : [];
  for (const ext of extensions) {
    const parts = ext.value as forge.asn1.Asn1[];
    if (forge.asn1.derToOid(parts[0]!.value as string) !== KEY_USAGE_OID) continue;
    const critical = parts.length === 3 && (parts[1]!.value as string) !== '\x00';
    const bitString = forge.asn1.fromDer(parts[parts.length - 1]!.value as string);
    const bytes = Buffer.from(bitString.value as string, 'binary').subarray(1); // first octet: unused bits
    const usages = KEY_USAGE_BITS.filter((_, i) => ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
    return { usages, critical };
  }
  return undefined;
}

const pemBlocks = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];

/** Lines describing one certificate at instant `at`. */
export function describeCertificate(pem: string, at: Date): string[] {
  const c = new X509Certificate(pem);
  const from = new Date(c.validFrom);
  const to = new Date(c.validTo);
  const state = at < from ? 'NOT YET VALID' : at > to ? 'EXPIRED' : 'valid';
  const ku = keyUsageOf(c.raw);
  const eku = (c.keyUsage ?? []).map((o) => EKU_NAMES[o] ?? o);
  return [
    `subject      ${c.subject.split('\n').join(', ')}`,
    `issuer       ${c.issuer.split('\n').join(', ')}`,
    `serial       ${c.serialNumber.toLowerCase().replace(/^0+(?=.)/, '')}`,
    `validity     ${from.toISOString()} → ${to.toISOString()} (${state} at ${at.toISOString()})`,
    `key          ${c.publicKey.asymmetricKeyType ?? 'unknown'}${c.ca ? ', CA' : ''}`,
    `key usage    ${ku ? `${ku.usages.join(', ') || '(none)'}${ku.critical ? ' (critical)' : ''}` : '(no keyUsage extension)'}`,
    ...(eku.length ? [`ext. usage   ${eku.join(', ')}`] : []),
    `SAN          ${c.subjectAltName ?? '(none)'}`,
    `sha-256      ${c.fingerprint256.replace(/:/g, '').toLowerCase()}`,
  ];
}

export function certsShow(file: string, io: Pick<CliIo, 'out'>, at: Date = new Date()): number {
  const blocks = pemBlocks(readText(file));
  if (!blocks.length) throw new GatewayError('BAD_REQUEST', `${file} holds no PEM certificate.`);
  blocks.forEach((pem, i) => {
    let lines: string[];
    try {
      lines = describeCertificate(pem, at);
    } catch (cause) {
      throw new GatewayError('BAD_REQUEST', `Certificate ${i + 1} in ${file} cannot be read.`, { cause });
    }
    io.out(`certificate ${i + 1} of ${blocks.length}`);
    for (const l of lines) io.out(`  ${l}`);
  });
  return 0;
}

export interface CertsVerifyArgs {
  file: string;
  trust?: string;
  at?: string;
}

export function certsVerify(args: CertsVerifyArgs, io: Pick<CliIo, 'out' | 'err' | 'env'>): number {
  const at = parseInstant(args.at, '--at') ?? new Date();
  const text = readText(args.file);
  if (!pemBlocks(text).length) throw new GatewayError('BAD_REQUEST', `${args.file} holds no PEM certificate.`);
  const source = loadTrustSource(args.trust, io, () => at);
  try {
    const result = source.trust.validate(parsePemCertificates(text), at);
    io.out(`chain valid at ${at.toISOString()}: ${result.path.map((c) => c.subject).join('\n  → ')}`);
    io.out(`  trust ${source.described}`);
    const participant = source.trust.byCertificate(result.leaf);
    if (participant) io.out(`  registered participant ${participant.id} (${participant.role}) of ${participant.organization.id}`);
    else if (source.registry) io.out('  not registered for any participant of the trust list');
    return 0;
  } catch (e) {
    return reportRefusal(e, io);
  }
}

export const certsCommand: Registrar = (program, io, setExit) => {
  const certs = program.command('certs').description('inspect and validate X.509 certificates');
  certs
    .command('show')
    .description('print subject, issuer, serial, validity, key usage and SAN of each certificate in a PEM file')
    .argument('<file>', 'PEM file')
    .option('--at <date>', 'report validity at this instant (default: now)')
    .action((file: string, opts: { at?: string }) => setExit(certsShow(file, io, parseInstant(opts.at, '--at'))));
  certs
    .command('verify')
    .description('validate a certificate chain (leaf first) against the trust anchors; exit 0 valid, 3 not')
    .argument('<chain>', 'PEM file, leaf first')
    .option('--trust <dir|file>', 'trust list JSON, folder of anchor *.pem, or a PEM file (default: the configured TRUST_LIST)')
    .option('--at <date>', 'validate at this instant (default: now)')
    .action((file: string, opts: { trust?: string; at?: string }) => setExit(certsVerify({ file, ...opts }, io)));
};
