/**
 * Reads a trust-list file (format: certs-example/README.md "Trust list format") into
 * TrustListData: resolves the certificate paths relative to the file and reads them through an
 * injected `readText`, so this stage never touches the file system itself (composition code passes
 * `(p) => fs.readFileSync(p, 'utf8')`).
 *
 * Invariants: every unreadable file or malformed member is reported at once as CONFIG_INVALID;
 * the reader's own error (ENOENT …) is kept as `cause`, never shown.
 */
import path from 'node:path';
import { GatewayError, type Issue } from '../errors.js';
import type { TrustListData, ParticipantData } from './trust-list.js';
import type { RevokedEntry } from './x509.js';

export type ReadText = (absolutePath: string) => string;

export function readTrustListFile(file: string, readText: ReadText): TrustListData {
  const dir = path.dirname(path.resolve(file));
  const problems: Issue[] = [];
  const causes: unknown[] = [];
  const read = (rel: unknown, where: string): string => {
    if (typeof rel !== 'string' || !rel) {
      problems.push({ severity: 'error', code: 'invalid', diagnostics: 'A file path is expected here.', expression: [where] });
      return '';
    }
    try {
      return readText(path.resolve(dir, rel));
    } catch (cause) {
      causes.push(cause);
      problems.push({ severity: 'error', code: 'not-found', diagnostics: `The file "${rel}" cannot be read.`, expression: [where] });
      return '';
    }
  };

  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readText(path.resolve(file)));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
    raw = parsed as Record<string, unknown>;
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', `The trust list file "${path.basename(file)}" cannot be read as a JSON object.`, { cause });
  }

  const list = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);
  const anchors = list(raw.anchors).map((a, i) => read(a, `anchors[${i}]`));
  const participants = list(raw.participants).map((p, i) => {
    const o = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
    return {
      ...o,
      certificates: list(o.certificates).map((c, j) => read(c, `participants[${i}].certificates[${j}]`)),
    } as unknown as ParticipantData;
  });
  if (problems.length) {
    throw new GatewayError('CONFIG_INVALID', `The trust list file refers to ${problems.length} unreadable file(s).`, {
      issues: problems,
      cause: causes[0],
    });
  }
  return {
    anchors,
    revoked: list(raw.revoked) as RevokedEntry[],
    ...(raw.roleScopes && typeof raw.roleScopes === 'object' ? { roleScopes: raw.roleScopes as TrustListData['roleScopes'] } : {}),
    participants,
  };
}
