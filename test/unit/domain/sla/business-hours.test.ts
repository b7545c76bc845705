import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  type BusinessHours,
  businessMinutesBetween,
  DEFAULT_BUSINESS_HOURS,
  isAlwaysOpen,
  isValidTimeZone,
  isWithinBusinessHours,
  parseHhMm,
  WEEKDAYS,
} from '../../../../src/domain/sla/business-hours.js';

const MX = 'America/Mexico_City'; // UTC-6 all year (no DST since 2022)
const NY = 'America/New_York'; // DST: 2026-03-08 02:00 → 03:00, 2026-11-01 02:00 → 01:00
const H = DEFAULT_BUSINESS_HOURS; // Mon–Fri 09:00–18:00
const d = (iso: string): Date => new Date(iso);

const closedEveryDay: BusinessHours = Object.fromEntries(
  WEEKDAYS.map((day) => [day, { start: '09:00', end: '18:00', enabled: false }]),
) as BusinessHours;

describe('parseHhMm', () => {
  it('converts HH:MM to minutes after midnight, 24:00 included', () => {
    expect(parseHhMm('00:00')).toBe(0);
    expect(parseHhMm('09:30')).toBe(570);
    expect(parseHhMm('24:00')).toBe(1440);
    expect(() => parseHhMm('9:30')).toThrow();
    expect(() => parseHhMm('24:01')).toThrow();
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and rejects anything else', () => {
    expect(isValidTimeZone('America/Mexico_City')).toBe(true);
    expect(isValidTimeZone('Europe/Madrid')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(42)).toBe(false);
  });
});

describe('isWithinBusinessHours', () => {
  it('uses local time of the business zone, start inclusive, end exclusive', () => {
    // Monday 2026-03-02 in Mexico City (UTC-6)
    expect(isWithinBusinessHours(d('2026-03-02T14:59:00Z'), H, MX)).toBe(false); // 08:59
    expect(isWithinBusinessHours(d('2026-03-02T15:00:00Z'), H, MX)).toBe(true); // 09:00
    expect(isWithinBusinessHours(d('2026-03-02T23:59:00Z'), H, MX)).toBe(true); // 17:59
    expect(isWithinBusinessHours(d('2026-03-03T00:00:00Z'), H, MX)).toBe(false); // 18:00
  });

  it('is closed on disabled days', () => {
    expect(isWithinBusinessHours(d('2026-03-07T18:00:00Z'), H, MX)).toBe(false); // Saturday 12:00
    expect(isWithinBusinessHours(d('2026-03-08T18:00:00Z'), H, MX)).toBe(false); // Sunday 12:00
  });

  it('Mexico City keeps UTC-6 in summer (no DST) while New York shifts', () => {
    // Monday 2026-07-06 15:00Z = 09:00 in Mexico City, 11:00 EDT in New York
    expect(isWithinBusinessHours(d('2026-07-06T15:00:00Z'), H, MX)).toBe(true);
    expect(isWithinBusinessHours(d('2026-07-06T14:59:00Z'), H, MX)).toBe(false);
    // New York opens at 13:00Z in summer (EDT, UTC-4) but at 14:00Z in winter (EST, UTC-5)
    expect(isWithinBusinessHours(d('2026-07-06T13:00:00Z'), H, NY)).toBe(true);
    expect(isWithinBusinessHours(d('2026-01-05T13:00:00Z'), H, NY)).toBe(false);
    expect(isWithinBusinessHours(d('2026-01-05T14:00:00Z'), H, NY)).toBe(true);
  });

  it('treats a calendar with no enabled day as 24/7', () => {
    expect(isAlwaysOpen(closedEveryDay)).toBe(true);
    expect(isAlwaysOpen(H)).toBe(false);
    expect(isWithinBusinessHours(d('2026-03-08T08:00:00Z'), closedEveryDay, MX)).toBe(true);
  });

  it('rejects an invalid zone', () => {
    expect(() => isWithinBusinessHours(d('2026-03-02T15:00:00Z'), H, 'Nowhere/Land')).toThrow();
  });
});

describe('addBusinessMinutes', () => {
  it('adds within the same day', () => {
    // Monday 10:00 + 90 → 11:30
    expect(addBusinessMinutes(d('2026-03-02T16:00:00Z'), 90, H, MX)).toEqual(d('2026-03-02T17:30:00Z'));
  });

  it('landing exactly on closing time returns the closing time', () => {
    expect(addBusinessMinutes(d('2026-03-02T15:00:00Z'), 540, H, MX)).toEqual(d('2026-03-03T00:00:00Z'));
  });

  it('carries over the night to the next opening', () => {
    // Monday 17:00 + 120 → 60 today + 60 Tuesday → Tuesday 10:00
    expect(addBusinessMinutes(d('2026-03-02T23:00:00Z'), 120, H, MX)).toEqual(d('2026-03-03T16:00:00Z'));
  });

  it('starting outside hours counts from the next opening', () => {
    // Monday 20:00 (after closing) + 30 → Tuesday 09:30
    expect(addBusinessMinutes(d('2026-03-03T02:00:00Z'), 30, H, MX)).toEqual(d('2026-03-03T15:30:00Z'));
    // Monday 06:00 (before opening) + 30 → Monday 09:30
    expect(addBusinessMinutes(d('2026-03-02T12:00:00Z'), 30, H, MX)).toEqual(d('2026-03-02T15:30:00Z'));
  });

  it('skips the weekend', () => {
    // Friday 17:30 + 60 → Monday 09:30
    expect(addBusinessMinutes(d('2026-03-06T23:30:00Z'), 60, H, MX)).toEqual(d('2026-03-09T15:30:00Z'));
    // Saturday noon + 10 → Monday 09:10
    expect(addBusinessMinutes(d('2026-03-07T18:00:00Z'), 10, H, MX)).toEqual(d('2026-03-09T15:10:00Z'));
  });

  it('spans weeks (4 business weeks from Monday 09:00 end on the 4th Friday at 18:00)', () => {
    expect(addBusinessMinutes(d('2026-03-02T15:00:00Z'), 4 * 5 * 540, H, MX)).toEqual(
      d('2026-03-28T00:00:00Z'),
    );
  });

  it('handles the spring-forward weekend in New York (offset changes between start and end)', () => {
    // Friday 2026-03-06 17:00 EST (22:00Z) + 120 → Monday 2026-03-09 10:00 EDT = 14:00Z (not 15:00Z)
    expect(addBusinessMinutes(d('2026-03-06T22:00:00Z'), 120, H, NY)).toEqual(d('2026-03-09T14:00:00Z'));
  });

  it('handles the fall-back weekend in New York', () => {
    // Friday 2026-10-30 17:00 EDT (21:00Z) + 120 → Monday 2026-11-02 10:00 EST = 15:00Z
    expect(addBusinessMinutes(d('2026-10-30T21:00:00Z'), 120, H, NY)).toEqual(d('2026-11-02T15:00:00Z'));
  });

  it('counts real minutes inside a window that contains the DST change', () => {
    const sundayNight: BusinessHours = { ...H, sunday: { start: '00:00', end: '06:00', enabled: true } };
    // Sunday 2026-03-08 00:00 EST (05:00Z): the window is only 5 real hours (02:00–03:00 does not exist)
    expect(addBusinessMinutes(d('2026-03-08T05:00:00Z'), 300, sundayNight, NY)).toEqual(
      d('2026-03-08T10:00:00Z'),
    );
    expect(addBusinessMinutes(d('2026-03-08T05:00:00Z'), 301, sundayNight, NY)).toEqual(
      d('2026-03-09T13:01:00Z'),
    );
  });

  it('zero or negative minutes return the start unchanged', () => {
    const start = d('2026-03-07T18:00:00Z');
    expect(addBusinessMinutes(start, 0, H, MX)).toEqual(start);
    expect(addBusinessMinutes(start, -5, H, MX)).toEqual(start);
  });

  it('24/7 fallback: plain wall-clock addition when no day is enabled', () => {
    expect(addBusinessMinutes(d('2026-03-07T18:00:00Z'), 600, closedEveryDay, MX)).toEqual(
      d('2026-03-08T04:00:00Z'),
    );
  });

  it('supports a window that ends at 24:00', () => {
    const late: BusinessHours = { ...H, monday: { start: '20:00', end: '24:00', enabled: true } };
    // Monday 20:00 + 240 → Tuesday 00:00 local (06:00Z)
    expect(addBusinessMinutes(d('2026-03-03T02:00:00Z'), 240, late, MX)).toEqual(d('2026-03-03T06:00:00Z'));
  });
});

describe('businessMinutesBetween', () => {
  it('counts only open minutes across nights and weekends', () => {
    // Friday 17:00 → Monday 10:00: 60 + 60
    expect(businessMinutesBetween(d('2026-03-06T23:00:00Z'), d('2026-03-09T16:00:00Z'), H, MX)).toBe(120);
    // Saturday → Sunday: nothing
    expect(businessMinutesBetween(d('2026-03-07T15:00:00Z'), d('2026-03-08T23:00:00Z'), H, MX)).toBe(0);
  });

  it('returns 0 when to <= from', () => {
    expect(businessMinutesBetween(d('2026-03-02T18:00:00Z'), d('2026-03-02T16:00:00Z'), H, MX)).toBe(0);
  });

  it('is the inverse of addBusinessMinutes', () => {
    const start = d('2026-03-04T20:13:00Z');
    for (const minutes of [1, 59, 540, 541, 2000, 10_000]) {
      const end = addBusinessMinutes(start, minutes, H, NY);
      expect(businessMinutesBetween(start, end, H, NY)).toBeCloseTo(minutes, 6);
    }
  });

  it('measures the real length of DST-night windows', () => {
    const sundayNight: BusinessHours = { ...H, sunday: { start: '00:00', end: '06:00', enabled: true } };
    expect(
      businessMinutesBetween(d('2026-03-08T00:00:00Z'), d('2026-03-09T00:00:00Z'), sundayNight, NY),
    ).toBe(300);
    expect(
      businessMinutesBetween(d('2026-11-01T00:00:00Z'), d('2026-11-02T00:00:00Z'), sundayNight, NY),
    ).toBe(420);
  });

  it('24/7 fallback counts wall-clock minutes', () => {
    expect(
      businessMinutesBetween(d('2026-03-07T00:00:00Z'), d('2026-03-08T00:00:00Z'), closedEveryDay, MX),
    ).toBe(1440);
  });

  it('handles a full year quickly (one loop per day)', () => {
    const started = performance.now();
    // 2026 has 261 weekdays × 540 minutes
    expect(businessMinutesBetween(d('2026-01-01T06:00:00Z'), d('2027-01-01T06:00:00Z'), H, MX)).toBe(
      261 * 540,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
