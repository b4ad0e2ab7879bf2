/**
 * X.509 certificates with node-forge: parse PEM / x5c chains and validate a chain to a trust
 * anchor at a given instant (RFC 5280 §6 path validation, reduced to what the gateway needs).
 *
 * Invariants:
 * - Pure: no file access, no clock; the instant `at` is passed in (undefined = structure only).
 * - Every failure is `GatewayError('CERTIFICATE_UNTRUSTED')` with `details.reason` and an issue
 *   `rule` `certificate-<reason>`; the node-forge error, if any, travels only as `cause`.
 * - Each link is checked: issuer name + signature (RFC 5280 §6.1.3 a.1, a.4), validity (a.2),
 *   revocation by serial (a.3), issuers must be CAs with keyCertSign (§4.2.1.9, §4.2.1.3) and
 *   respect pathLenConstraint, the leaf must allow digitalSignature or nonRepudiation if it has a
 *   keyUsage, and an unknown critical extension fails the path (§4.2).
 * - node-forge reads RSA keys only: an EC certificate is refused with reason `unsupported-key`.
 */
import crypto from 'node:crypto';
import forge from 'node-forge';
import { GatewayError } from '../errors.js';

/** SAN URI prefix that binds a certificate to the participant's Organization resource. */
export const ORGANIZATION_URI_PREFIX = 'https://emr-gateway.example.org/fhir/Organization/';
/** Marker carried by every certificate in certs-example/ (see its README). */
export const DEVELOPMENT_OU = 'DEVELOPMENT ONLY - NOT FOR PRODUCTION';
const MAX_PATH = 8;
const HANDLED_CRITICAL = new Set(['basicConstraints', 'keyUsage', 'extKeyUsage', 'subjectAltName']);

export type CertificateFailure =
  | 'unreadable' | 'unsupported-key' | 'expired' | 'not-yet-valid' | 'unknown-issuer' | 'bad-link-signature'
  | 'not-a-ca' | 'key-usage' | 'revoked' | 'path-too-long' | 'critical-extension' | 'leaf-is-ca' | 'no-certificate';

/** What the rest of the gateway may know about a certificate (plain data). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  commonName?: string;
  organizationName?: string;
  country?: string;
  organizationalUnit?: string;
  /** Lower-case hex, no leading zeros. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, lower-case hex: the identity used by the trust list. */
  fingerprint: string;
  /** Organization id from a SAN URI starting with ORGANIZATION_URI_PREFIX. */
  organizationId?: string;
  isCA: boolean;
  /** Standard base64 DER (the form used in JWS `x5c`, RFC 7515 §4.1.6). */
  derBase64: string;
}

export interface ParsedCertificate {
  readonly info: CertificateInfo;
  /** @internal the node-forge object, for chain checks in this module. */
  readonly forge: forge.pki.Certificate;
}

export interface RevokedEntry {
  serial: string;
  /** Issuer DN as in CertificateInfo.issuer, or its CN; absent = any issuer. */
  issuer?: string;
}

export interface ChainResult {
  leaf: CertificateInfo;
  anchor: CertificateInfo;
  /** Leaf first, anchor last. */
  path: CertificateInfo[];
}

export function certificateError(reason: CertificateFailure, message: string, cause?: unknown): GatewayError {
  return new GatewayError('CERTIFICATE_UNTRUSTED', message, {
    cause,
    details: { reason },
    issues: [{ severity: 'error', code: 'security', diagnostics: message, rule: `certificate-${reason}` }],
  });
}

type Attr = { shortName?: string; name?: string; type?: string; value?: unknown };
const dn = (attrs: Attr[]) => attrs.map((a) => `${a.shortName ?? a.type}=${String(a.value)}`).join(', ');
const attr = (attrs: Attr[], short: string) => {
  const v = attrs.find((a) => a.shortName === short)?.value;
  return typeof v === 'string' ? v : undefined;
};
export const normaliseSerial = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+(?=.)/, '');

function fromDer(der: Buffer): ParsedCertificate {
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
  } catch (cause) {
    let readableByNode = false;
    try {
      new crypto.X509Certificate(der);
      readableByNode = true;
    } catch {
      /* not a certificate at all */
    }
    throw readableByNode
      ? certificateError('unsupported-key', 'The certificate uses a key type the gateway does not accept (RSA only).', cause)
      : certificateError('unreadable', 'The certificate cannot be read.', cause);
  }
  const subj = cert.subject.attributes as Attr[];
  const san = cert.getExtension('subjectAltName') as { altNames?: { type: number; value: string }[] } | null;
  const orgUri = san?.altNames?.find((n) => n.type === 6 && n.value.startsWith(ORGANIZATION_URI_PREFIX))?.value;
  const bc = cert.getExtension('basicConstraints') as { cA?: boolean } | null;
  const info: CertificateInfo = {
    subject: dn(subj),
    issuer: dn(cert.issuer.attributes as Attr[]),
    serial: normaliseSerial(cert.serialNumber),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    fingerprint: crypto.createHash('sha256').update(der).digest('hex'),
    isCA: bc?.cA === true,
    derBase64: der.toString('base64'),
  };
  const opt: [keyof CertificateInfo, string | undefined][] = [
    ['commonName', attr(subj, 'CN')], ['organizationName', attr(subj, 'O')], ['country', attr(subj, 'C')],
    ['organizationalUnit', attr(subj, 'OU')], ['organizationId', orgUri?.slice(ORGANIZATION_URI_PREFIX.length)],
  ];
  for (const [k, v] of opt) if (v !== undefined) (info as unknown as Record<string, unknown>)[k] = v;
  return Object.freeze({ info: Object.freeze(info), forge: cert });
}

/** Parses one or more PEM certificates (leaf first for a chain). */
export function parsePemCertificates(pem: string): ParsedCertificate[] {
  if (typeof pem !== 'string') throw new TypeError('PEM text expected');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw certificateError('no-certificate', 'No certificate found in the PEM text.');
  return blocks.map((b) => fromDer(Buffer.from(b.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')));
}

/** Parses a JWS `x5c` array (standard base64 DER, leaf first; RFC 7515 §4.1.6). */
export function parseX5c(x5c: unknown): ParsedCertificate[] {
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(c))) {
    throw certificateError('no-certificate', 'The signature header carries no usable x5c certificate chain.');
  }
  return (x5c as string[]).map((c) => fromDer(Buffer.from(c, 'base64')));
}

export function toPem(cert: ParsedCertificate): string {
  return forge.pki.certificateToPem(cert.forge);
}

export function isDevelopmentCertificate(info: CertificateInfo): boolean {
  return info.subject.includes(DEVELOPMENT_OU) || info.issuer.includes(DEVELOPMENT_OU);
}

function checkTime(c: CertificateInfo, at: Date | undefined): void {
  if (!at) return;
  if (at < c.notBefore) throw certificateError('not-yet-valid', `The certificate "${c.subject}" is not valid yet.`);
  if (at > c.notAfter) throw certificateError('expired', `The certificate "${c.subject}" has expired.`);
}

function checkCriticalExtensions(c: ParsedCertificate): void {
  for (const e of c.forge.extensions as { name?: string; critical?: boolean }[]) {
    if (e.critical && !HANDLED_CRITICAL.has(e.name ?? '')) {
      throw certificateError('critical-extension', `The certificate "${c.info.subject}" has a critical extension the gateway does not process.`);
    }
  }
}

function isRevoked(c: CertificateInfo, revoked: readonly RevokedEntry[]): boolean {
  const issuerCn = /(?:^|, )CN=([^,]*)$/.exec(c.issuer)?.[1];
  return revoked.some((r) => normaliseSerial(r.serial) === c.serial && (!r.issuer || r.issuer === c.issuer || r.issuer === issuerCn));
}

function signedBy(issuer: ParsedCertificate, child: ParsedCertificate): boolean {
  if (issuer.info.subject !== child.info.issuer) return false;
  try {
    return issuer.forge.verify(child.forge);
  } catch {
    return false; // unsupported signature algorithm or malformed: not a valid link
  }
}

function checkIssuerRole(issuer: ParsedCertificate, below: number): void {
  const bc = issuer.forge.getExtension('basicConstraints') as { cA?: boolean; pathLenConstraint?: number } | null;
  if (!bc?.cA) throw certificateError('not-a-ca', `"${issuer.info.subject}" is not a certification authority.`);
  if (typeof bc.pathLenConstraint === 'number' && below > bc.pathLenConstraint) {
    throw certificateError('path-too-long', `The chain is longer than "${issuer.info.subject}" allows.`);
  }
  const ku = issuer.forge.getExtension('keyUsage') as { keyCertSign?: boolean } | null;
  if (ku && !ku.keyCertSign) throw certificateError('key-usage', `"${issuer.info.subject}" may not sign certificates.`);
}

export interface ValidateOptions {
  anchors: readonly ParsedCertificate[];
  /** Instant of validation (RFC 5280 §6.1.1 b); undefined checks structure only. */
  at?: Date;
  revoked?: readonly RevokedEntry[];
}

/**
 * Validates `chain` (leaf first, then any intermediates in any order) up to one of `anchors`.
 * A leaf that is itself an anchor is trusted directly (e.g. HL7's self-signed test certificate).
 */
export function validateChain(chain: readonly ParsedCertificate[], opts: ValidateOptions): ChainResult {
  const leaf = chain[0];
  if (!leaf) throw certificateError('no-certificate', 'No certificate was presented.');
  const revoked = opts.revoked ?? [];
  const isAnchor = (c: ParsedCertificate) => opts.anchors.some((a) => a.info.fingerprint === c.info.fingerprint);
  checkCriticalExtensions(leaf);
  const leafKu = leaf.forge.getExtension('keyUsage') as { digitalSignature?: boolean; nonRepudiation?: boolean } | null;
  if (leafKu && !leafKu.digitalSignature && !leafKu.nonRepudiation) {
    throw certificateError('key-usage', 'The signing certificate does not allow digital signatures.');
  }
  if (isAnchor(leaf)) {
    checkTime(leaf.info, opts.at);
    return { leaf: leaf.info, anchor: leaf.info, path: [leaf.info] };
  }
  if (leaf.info.isCA) throw certificateError('leaf-is-ca', 'A CA certificate cannot sign documents or clients.');
  const path: ParsedCertificate[] = [leaf];
  let current = leaf;
  for (;;) {
    checkTime(current.info, opts.at);
    if (isRevoked(current.info, revoked)) throw certificateError('revoked', `The certificate "${current.info.subject}" is revoked.`);
    const anchor = opts.anchors.find((a) => signedBy(a, current));
    if (anchor) {
      checkIssuerRole(anchor, path.length - 1);
      checkTime(anchor.info, opts.at);
      path.push(anchor);
      return { leaf: leaf.info, anchor: anchor.info, path: path.map((p) => p.info) };
    }
    if (path.length >= MAX_PATH) throw certificateError('path-too-long', 'The certificate chain is too long.');
    const next = chain.find((c) => !path.includes(c) && signedBy(c, current));
    if (!next) {
      const nameOnly = chain.some((c) => !path.includes(c) && c.info.subject === current.info.issuer) ||
        opts.anchors.some((a) => a.info.subject === current.info.issuer);
      throw nameOnly
        ? certificateError('bad-link-signature', `The signature on "${current.info.subject}" does not verify with its issuer.`)
        : certificateError('unknown-issuer', 'The certificate does not chain to a trusted certification authority.');
    }
    checkCriticalExtensions(next);
    checkIssuerRole(next, path.length - 1);
    path.push(next);
    current = next;
  }
}

/** The leaf's public key as a Node KeyObject (for jose). */
export function publicKeyOf(cert: ParsedCertificate): crypto.KeyObject {
  return new crypto.X509Certificate(Buffer.from(cert.info.derBase64, 'base64')).publicKey;
}
