/**
 * Date values for the Date condition operators: the W3C profile of ISO 8601 (`2024`, `2024-05`,
 * `2024-05-17`, `2024-05-17T10:30Z`, `2024-05-17T10:30:00+02:00`, `2024-05-17T10:30:00.250Z`) or epoch
 * (UNIX) seconds, as IAM accepts them. A time without a zone designator is taken as UTC.
 */

const ISO_8601 =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?)?)?$/;
const EPOCH_SECONDS = /^-?\d+(?:\.\d+)?$/;

/** Milliseconds since the epoch, or `undefined` when `text` is not a date IAM would accept. */
export function parseDate(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  const text = value.trim();
  // A bare four-digit string is a year in ISO 8601, not epoch second 2024 — try ISO first.
  const iso = ISO_8601.exec(text);
  if (iso) return parseIso(iso);
  if (EPOCH_SECONDS.test(text)) {
    const seconds = Number(text);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  }
  return undefined;
}

function parseIso(m: RegExpExecArray): number | undefined {
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (hour > 24 || minute > 59 || second > 59 || (hour === 24 && (minute > 0 || second > 0 || millis > 0))) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Reject days the month does not have (2024-02-30 would otherwise roll over into March).
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, millis);
  const offset = zoneOffsetMinutes(m[8]);
  return offset === undefined ? undefined : date.getTime() - offset * 60_000;
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
