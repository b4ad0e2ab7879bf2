/**
 * GB 11643-1999 citizen identification number (公民身份号码), pure parsing.
 *
 * Layout (GB 11643-1999 §5): 6-digit address code (GB/T 2260), 8-digit birth date YYYYMMDD,
 * 3-digit sequence (odd = male, even = female), 1 check character computed by ISO 7064:1983
 * MOD 11-2 with weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2 and remainder → "10X98765432".
 * Residence permits for Hong Kong, Macau and Taiwan residents (港澳台居民居住证, 2018) use the same
 * layout with address codes 810000 / 820000 / 830000.
 *
 * Invariants: no I/O, no clock; `parseResidentId` never throws on any string.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** GB/T 2260 province-level prefixes (two digits) that occur in resident ID numbers. */
const PROVINCE_PREFIXES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);
/** Address codes of the residence permits for HK / Macau / Taiwan residents (国办发〔2018〕81号). */
export const PERMIT_ADDRESS_CODES = new Set(['810000', '820000', '830000']);

/** The ISO 7064 MOD 11-2 check character for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new TypeError('residentIdCheckChar expects 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export type ResidentIdProblem =
  | 'format' // not 18 characters of 17 digits + digit/X (and not a legacy 15-digit number)
  | 'legacy-15' // first-generation 15-digit number (no check character; cards expired 2013)
  | 'birth-date' // the 8 birth-date digits are not a real calendar date
  | 'checksum'; // check character does not match

export interface ResidentIdInfo {
  /** First problem found, most severe first; undefined when the number is well formed. */
  problem?: ResidentIdProblem;
  /** Only for `checksum`: the expected check character. */
  expectedCheck?: string;
  /** Lower-case `x` used as check character (GB 11643 writes upper-case X). */
  lowercaseX: boolean;
  addressCode?: string;
  /** The two-digit province prefix is not a GB/T 2260 province, or 81/82/83 not followed by 0000. */
  unknownAddress: boolean;
  /** Residence permit for HK / Macau / Taiwan residents (address code 810000/820000/830000). */
  residencePermit: boolean;
  /** ISO date YYYY-MM-DD when the birth-date digits are a real date. */
  birthDate?: string;
  sex?: 'male' | 'female';
}

function isoDate(y: number, m: number, d: number): string | undefined {
  if (y < 1850 || y > 2099 || m < 1 || m > 12 || d < 1) return undefined;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate(); // day 0 of next month = last day of m
  if (d > days) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Parses a resident ID number (surrounding white space ignored). */
export function parseResidentId(raw: string): ResidentIdInfo {
  const value = raw.trim();
  const info: ResidentIdInfo = { lowercaseX: false, unknownAddress: false, residencePermit: false };
  if (/^\d{15}$/.test(value)) {
    info.problem = 'legacy-15';
    return info;
  }
  if (!/^\d{17}[\dXx]$/.test(value)) {
    info.problem = 'format';
    return info;
  }
  info.lowercaseX = value.endsWith('x');
  const address = value.slice(0, 6);
  info.addressCode = address;
  const province = address.slice(0, 2);
  info.residencePermit = PERMIT_ADDRESS_CODES.has(address);
  info.unknownAddress =
    !PROVINCE_PREFIXES.has(province) || (['81', '82', '83'].includes(province) && !info.residencePermit);
  const birth = isoDate(Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14)));
  if (!birth) {
    info.problem = 'birth-date';
    return info;
  }
  info.birthDate = birth;
  info.sex = Number(value[16]) % 2 === 1 ? 'male' : 'female';
  const expected = residentIdCheckChar(value.slice(0, 17));
  if (value[17]!.toUpperCase() !== expected) {
    info.problem = 'checksum';
    info.expectedCheck = expected;
  }
  return info;
}
