/**
 * HL7 v3 TS values (`YYYYMMDDhhmmss[.f][±zzzz]`) → FHIR R4 `date` / `dateTime`.
 *
 * Invariants: a value without a zone is China Standard Time and gets `+08:00` (WS/T 500 times
 * carry no zone; FHIR R4 datatypes §2.24.0.6 requires a zone once hours are given); an impossible
 * value (month 13, 30 February, hour 24) yields undefined, never a shifted date.
 */

const TS = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,4}))?)?([+-]\d{4})?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** FHIR dateTime for a TS value, or undefined when the value is not a valid TS. */
export function tsToDateTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = TS.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  if (mo === undefined) return y;
  const month = Number(mo);
  if (month < 1 || month > 12) return undefined;
  if (d === undefined) return `${y}-${mo}`;
  const day = Number(d);
  if (day < 1 || day > daysIn(year, month)) return undefined;
  if (h === undefined) return `${y}-${mo}-${d}`;
  const hh = Number(h);
  const mm = Number(mi ?? '0');
  const ss = Number(s ?? '0');
  if (hh > 23 || mm > 59 || ss > 59) return undefined;
  let tz = '+08:00';
  if (zone) {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3, 5));
    if (zh > 14 || zm > 59) return undefined;
    tz = `${zone.slice(0, 3)}:${zone.slice(3, 5)}`;
  }
  const fraction = frac ? `.${frac}` : '';
  return `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}${fraction}${tz}`;
}

/** FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD) for a TS value, dropping any time of day. */
export function tsToDate(value: string | undefined): string | undefined {
  const dt = tsToDateTime(value);
  return dt === undefined ? undefined : dt.slice(0, 10);
}
