/**
 * Export accounting: may a hospital export one more person's records this calendar year under the
 * transfer mechanism it has on record?
 *
 * Rule (CAC, Provisions on Promoting and Regulating Cross-Border Data Flows, 22 March 2024, as
 * summarised in DOMAIN.md): medical data is sensitive personal information (PIPL art. 28); a
 * handler exporting sensitive personal information of fewer than 10,000 persons since 1 January
 * needs a filed standard contract or a certification; 10,000 or more needs a CAC security
 * assessment. Transfers needed to protect life and health in an emergency are exempt from the
 * mechanisms and, as exempt transfers, are not counted (the same Provisions; article numbers
 * unverified here). Counting is by distinct person, per exporting hospital, per calendar year
 * (Asia/Shanghai, the handler's jurisdiction).
 *
 * Invariant: pure — the caller passes the current distinct count (ExportLedger in ports.ts) and
 * records the person only after a permit, in the same transaction.
 */

export type TransferMechanism = 'standard-contract' | 'certification' | 'security-assessment' | 'none';
export const TRANSFER_MECHANISMS: readonly TransferMechanism[] = ['standard-contract', 'certification', 'security-assessment', 'none'];

export interface HospitalMechanism {
  mechanism: TransferMechanism;
  /** Filing number / certificate id / assessment approval reference. */
  reference?: string;
  /** For a security assessment: the approved yearly volume if the approval states one. */
  approvedPersons?: number;
  /** Validity of the filing / certificate / assessment (ISO dates), if recorded. */
  validUntil?: string;
}

/** Sensitive PI of fewer than 10,000 persons a year: contract or certification suffices. */
export const SENSITIVE_CONTRACT_LIMIT = 10_000;

/** Largest number of distinct persons a mechanism covers per calendar year. */
export function yearlyCeiling(m: HospitalMechanism): number {
  switch (m.mechanism) {
    case 'standard-contract':
    case 'certification':
      return SENSITIVE_CONTRACT_LIMIT - 1;
    case 'security-assessment':
      return m.approvedPersons ?? Number.POSITIVE_INFINITY;
    case 'none':
      return 0;
    default:
      throw new TypeError(`unknown transfer mechanism ${String((m as HospitalMechanism).mechanism)}`);
  }
}

/** Calendar year of an instant in China (UTC+8, no daylight saving). */
export function exportYear(now: Date): number {
  return new Date(now.getTime() + 8 * 3_600_000).getUTCFullYear();
}

export type ExportCheck =
  | { allowed: true; counted: boolean; ceiling: number; afterThis: number }
  | { allowed: false; reason: 'no-mechanism' | 'mechanism-expired' | 'ceiling-reached'; ceiling: number };

export interface CheckExportInput {
  mechanism: HospitalMechanism;
  /** Distinct persons this hospital exported so far this year. */
  distinctPersonsThisYear: number;
  /** False when this person was already exported this year (does not raise the count). */
  isNewPerson: boolean;
  /** Emergency (PIPL art. 13(4)): exempt and not counted. */
  emergency?: boolean;
  now?: Date;
}

export function checkExport(input: CheckExportInput): ExportCheck {
  const { mechanism, distinctPersonsThisYear: n, isNewPerson } = input;
  if (!Number.isInteger(n) || n < 0) throw new TypeError('distinctPersonsThisYear must be a non-negative integer');
  const ceiling = yearlyCeiling(mechanism);
  if (input.emergency) return { allowed: true, counted: false, ceiling, afterThis: n };
  if (mechanism.mechanism === 'none') return { allowed: false, reason: 'no-mechanism', ceiling };
  if (mechanism.validUntil && input.now && input.now.getTime() > Date.parse(mechanism.validUntil) + 86_399_999) {
    return { allowed: false, reason: 'mechanism-expired', ceiling };
  }
  if (!isNewPerson) return { allowed: true, counted: false, ceiling, afterThis: n };
  if (n + 1 > ceiling) return { allowed: false, reason: 'ceiling-reached', ceiling };
  return { allowed: true, counted: true, ceiling, afterThis: n + 1 };
}
