/**
 * Zone-less date-times from Chinese hospitals. FHIR R4 datatypes.html#dateTime: "If hours and
 * minutes are specified, a time zone SHALL be populated"; Chinese systems often omit it, meaning
 * China Standard Time (UTC+08:00, no daylight saving since 1991).
 *
 * Invariants: only strings that are a date plus a time WITHOUT a zone are changed (`+08:00` is
 * appended, the clock time is not shifted); dates without time (`2024`, `2024-05`, `2024-05-06`)
 * and values with a zone are returned as they are; applied only when the source is Chinese.
 */
const NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?$/;

export const CHINA_OFFSET = '+08:00';

/** `2024-05-06T02:35:00` → `2024-05-06T02:35:00+08:00`; anything else unchanged. */
export function withChinaZone(value: string): string {
  if (!NO_ZONE.test(value)) return value;
  // FHIR requires seconds in dateTime when a time is given (hh:mm:ss); add ":00" if missing.
  const t = value.length === 16 ? `${value}:00` : value;
  return t + CHINA_OFFSET;
}

export function needsZone(value: string): boolean {
  return NO_ZONE.test(value);
}
