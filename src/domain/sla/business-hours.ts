/**
 * Business-time arithmetic over the `business_hours` + `business_timezone` settings.
 *
 * - Every day is evaluated in the business time zone with luxon, so a window such as
 *   09:00–18:00 is 09:00–18:00 local time on both sides of a DST change, and a window that
 *   contains the change (e.g. 00:00–06:00 on the night clocks spring forward) is as long as
 *   the real time elapsed (5 h, not 6 h). All minute counts are real elapsed minutes inside
 *   open windows.
 * - A window is `[start, end)` on one local date; `start < end` (no overnight windows).
 *   `end` may be `24:00` (midnight at the end of the day).
 * - If no day is enabled the business is treated as open 24/7: business minutes equal
 *   wall-clock minutes. That keeps SLA maths meaningful with a half-configured calendar.
 * - Loops run once per calendar day, so spans of weeks or months stay cheap.
 */
import { DateTime, IANAZone } from 'luxon';

export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface DayHours {
  start: string; // 'HH:MM', 00:00..23:59
  end: string; // 'HH:MM', 00:01..24:00, after start
  enabled: boolean;
}

export type BusinessHours = Record<Weekday, DayHours>;

/** The calendar the SLA clocks run on. */
export interface BusinessCalendar {
  hours: BusinessHours;
  zone: string; // IANA time zone
}

export const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
export const HH_MM_OR_MIDNIGHT_END = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** Minutes after local midnight of an 'HH:MM' string (24:00 → 1440). */
export function parseHhMm(value: string): number {
  if (!HH_MM_OR_MIDNIGHT_END.test(value)) throw new Error(`Invalid HH:MM time: ${value}`);
  const [h, m] = value.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export const isValidTimeZone = (zone: unknown): zone is string =>
  typeof zone === 'string' && zone.length > 0 && IANAZone.isValidZone(zone);

/** Mon–Fri 09:00–18:00, weekends closed. */
export const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  monday: { start: '09:00', end: '18:00', enabled: true },
  tuesday: { start: '09:00', end: '18:00', enabled: true },
  wednesday: { start: '09:00', end: '18:00', enabled: true },
  thursday: { start: '09:00', end: '18:00', enabled: true },
  friday: { start: '09:00', end: '18:00', enabled: true },
  saturday: { start: '09:00', end: '14:00', enabled: false },
  sunday: { start: '09:00', end: '14:00', enabled: false },
};

export const DEFAULT_BUSINESS_TIMEZONE = 'America/Mexico_City';

const MS_PER_MINUTE = 60_000;

/** True when no day is enabled: the calendar is then 24/7. */
export const isAlwaysOpen = (hours: BusinessHours): boolean => WEEKDAYS.every((d) => !hours[d].enabled);

function zoned(at: Date, zone: string): DateTime {
  const dt = DateTime.fromJSDate(at, { zone });
  if (!dt.isValid) throw new Error(`Invalid time zone or date: ${zone} ${String(at)}`);
  return dt;
}

const weekdayOf = (day: DateTime): Weekday => WEEKDAYS[day.weekday - 1]!;

/** Local wall-clock minute `minuteOfDay` on the local date of `day`, as epoch ms (luxon resolves DST gaps forward). */
function localInstant(day: DateTime, minuteOfDay: number): number {
  if (minuteOfDay >= 1440) return day.startOf('day').plus({ days: 1 }).toMillis();
  return DateTime.fromObject(
    {
      year: day.year,
      month: day.month,
      day: day.day,
      hour: Math.floor(minuteOfDay / 60),
      minute: minuteOfDay % 60,
    },
    { zone: day.zone },
  ).toMillis();
}

/** The open window of a local date, as epoch ms, or undefined when that weekday is closed. */
function windowOf(day: DateTime, hours: BusinessHours): { start: number; end: number } | undefined {
  const dh = hours[weekdayOf(day)];
  if (!dh.enabled) return undefined;
  const start = localInstant(day, parseHhMm(dh.start));
  const end = localInstant(day, parseHhMm(dh.end));
  return end > start ? { start, end } : undefined;
}

const nextDay = (day: DateTime): DateTime => day.startOf('day').plus({ days: 1 });

export function isWithinBusinessHours(at: Date, hours: BusinessHours, zone: string): boolean {
  const local = zoned(at, zone);
  if (isAlwaysOpen(hours)) return true;
  const window = windowOf(local, hours);
  const t = at.getTime();
  return window !== undefined && t >= window.start && t < window.end;
}

/**
 * The instant `minutes` business minutes after `start`. Starting outside hours counts from the
 * next opening. Landing exactly on a closing time returns that closing time. `minutes <= 0`
 * returns `start` unchanged.
 */
export function addBusinessMinutes(start: Date, minutes: number, hours: BusinessHours, zone: string): Date {
  if (!Number.isFinite(minutes))
    throw new Error(`addBusinessMinutes: minutes must be finite, got ${minutes}`);
  let cursor = start.getTime();
  let day = zoned(start, zone).startOf('day'); // also validates the zone
  if (minutes <= 0) return new Date(cursor);
  let remaining = Math.round(minutes * MS_PER_MINUTE);
  if (isAlwaysOpen(hours)) return new Date(cursor + remaining);

  // Each week has at least one open window, so this terminates; the bound only guards bugs.
  const maxDays = 14 + Math.ceil(minutes) * 7;
  for (let i = 0; i < maxDays; i++) {
    const window = windowOf(day, hours);
    if (window) {
      const from = Math.max(cursor, window.start);
      if (from < window.end) {
        const available = window.end - from;
        if (remaining <= available) return new Date(from + remaining);
        remaining -= available;
        cursor = window.end;
      }
    }
    day = nextDay(day);
  }
  throw new Error('addBusinessMinutes did not converge');
}

/**
 * Business minutes in `[from, to)` (real elapsed minutes inside open windows, fractional).
 * Returns 0 when `to <= from`.
 */
export function businessMinutesBetween(from: Date, to: Date, hours: BusinessHours, zone: string): number {
  const a = from.getTime();
  const b = to.getTime();
  let day = zoned(from, zone).startOf('day');
  if (b <= a) return 0;
  if (isAlwaysOpen(hours)) return (b - a) / MS_PER_MINUTE;

  let total = 0;
  while (day.toMillis() < b) {
    const window = windowOf(day, hours);
    if (window) {
      const lo = Math.max(a, window.start);
      const hi = Math.min(b, window.end);
      if (hi > lo) total += hi - lo;
    }
    day = nextDay(day);
  }
  return total / MS_PER_MINUTE;
}
