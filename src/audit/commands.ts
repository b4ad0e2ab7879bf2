/**
 * The work behind `emr-gateway audit verify` and `emr-gateway audit export`, over the AuditLog
 * port, so the CLI command files stay parse → call → print.
 *
 * Invariants: verify streams the chain (constant memory) and returns exit code 0 when intact, 3
 * when broken (naming the first broken entry); export pages through the search (never loads the
 * whole log) and writes one NDJSON line per AuditEvent through the caller's writer.
 */
import { GatewayError } from '../errors.js';
import type { Resource } from '../fhir/types.js';
import type { AuditLog } from '../store/ports.js';
import { verifyChain, type VerifyResult } from './chain.js';
import { checkpointVerifier, type CheckpointKeys } from './checkpoint.js';
import { disclosureRow, disclosuresCsv, ndjsonLine, type DisclosureRow } from './disclosures.js';
import { MAX_COUNT, parseAuditSearch } from './search.js';

export const VERIFY_EXIT = { intact: 0, broken: 3 } as const;

export interface AuditVerifyReport {
  exitCode: 0 | 3;
  result: VerifyResult;
  /** One human line for the terminal. */
  summary: string;
}

export async function auditVerify(log: Pick<AuditLog, 'iterate' | 'checkpoints'>, keys: CheckpointKeys): Promise<AuditVerifyReport> {
  const result = await verifyChain(log.iterate(1), log.checkpoints(), checkpointVerifier(keys));
  if (result.ok) {
    return {
      exitCode: VERIFY_EXIT.intact,
      result,
      summary: `audit chain intact: ${result.checked} entries, ${result.checkpoints} signed checkpoints, head ${result.head ? `${result.head.seq} ${result.head.hash}` : 'empty'}`,
    };
  }
  const b = result.firstBroken!;
  return {
    exitCode: VERIFY_EXIT.broken,
    result,
    summary: `audit chain BROKEN at entry ${b.seq}: ${b.reason} (${b.detail}); ${result.checked} entries intact before it`,
  };
}

export interface AuditExportOptions {
  /** `system|value` of a patient identifier, or `Patient/id`. */
  patient: string;
  /** FHIR date/dateTime, inclusive. */
  from?: string;
  to?: string;
}

export interface AuditExportResult {
  events: number;
  disclosures: DisclosureRow[];
  /** The accounting of disclosures as RFC 4180 CSV. */
  csv: string;
}

/** Writes the patient's AuditEvents as NDJSON through `write` and returns the accounting of disclosures. */
export async function auditExport(
  log: Pick<AuditLog, 'search'>,
  options: AuditExportOptions,
  write: (line: string) => void | Promise<void>,
): Promise<AuditExportResult> {
  if (!options.patient) throw new GatewayError('INVALID_PARAMETER', 'audit export needs --patient', { expression: 'patient' });
  const params: Record<string, string[]> = {
    [options.patient.includes('|') ? 'patient.identifier' : 'patient']: [options.patient],
    date: [...(options.from ? [`ge${options.from}`] : []), ...(options.to ? [`le${options.to}`] : [])],
    _count: [String(MAX_COUNT)],
  };
  const query = parseAuditSearch(params);
  const disclosures: DisclosureRow[] = [];
  let events = 0;
  for (let offset = 0; ; offset += query.count) {
    const page = await log.search({ ...query, offset });
    for (const r of page.records) {
      await write(ndjsonLine(r.event as Resource));
      events++;
      const row = disclosureRow(r.event);
      if (row) disclosures.push(row);
    }
    if (page.records.length < query.count) break;
  }
  return { events, disclosures, csv: disclosuresCsv(disclosures) };
}
