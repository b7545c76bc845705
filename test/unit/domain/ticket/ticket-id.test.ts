import { describe, expect, it } from 'vitest';
import { BusinessRuleError, ValidationError } from '../../../../src/domain/shared/errors.js';
import {
  assertTicketId,
  formatTicketId,
  isTicketId,
  parseTicketId,
  TICKET_SEQ_MAX,
  ticketSequenceKey,
  ticketYear,
} from '../../../../src/domain/ticket/ticket-id.js';

describe('formatTicketId', () => {
  it('pads the sequence to 6 digits', () => {
    expect(formatTicketId(2026, 42)).toBe('TICKET-2026-000042');
    expect(formatTicketId(2026, 1)).toBe('TICKET-2026-000001');
    expect(formatTicketId(2026, TICKET_SEQ_MAX)).toBe('TICKET-2026-999999');
  });

  it('refuses a sequence beyond 999999 as a business rule (the year is exhausted)', () => {
    expect(() => formatTicketId(2026, 1_000_000)).toThrow(BusinessRuleError);
    expect(() => formatTicketId(2026, 1_000_000)).toThrowError(
      expect.objectContaining({ code: 'TICKET.SEQUENCE_EXHAUSTED' }),
    );
  });

  it('refuses a sequence below 1, a fractional one, or a bad year', () => {
    for (const [year, seq] of [
      [2026, 0],
      [2026, -1],
      [2026, 1.5],
      [999, 1],
      [10_000, 1],
      [2026.5, 1],
    ] as const) {
      expect(() => formatTicketId(year, seq)).toThrow(ValidationError);
    }
  });
});

describe('parseTicketId', () => {
  it('round-trips formatTicketId', () => {
    expect(parseTicketId(formatTicketId(2026, 42))).toEqual({ year: 2026, seq: 42 });
    expect(parseTicketId('TICKET-2030-999999')).toEqual({ year: 2030, seq: 999_999 });
  });

  it('tolerates surrounding spaces and lower case', () => {
    expect(parseTicketId('  ticket-2026-000007 ')).toEqual({ year: 2026, seq: 7 });
  });

  it('returns undefined for malformed ids', () => {
    for (const bad of [
      '',
      'TICKET-2026-42',
      'TICKET-26-000042',
      'TICKET-2026-0000042',
      'TKT-2026-000042',
      'TICKET-2026-000000',
    ]) {
      expect(parseTicketId(bad)).toBeUndefined();
    }
  });

  it('isTicketId / assertTicketId accept only the canonical form', () => {
    expect(isTicketId('TICKET-2026-000042')).toBe(true);
    expect(isTicketId('ticket-2026-000042')).toBe(false);
    expect(isTicketId(42)).toBe(false);
    expect(() => assertTicketId('TICKET-2026-000000')).toThrowError(
      expect.objectContaining({ field: 'ticketId', code: 'TICKET.INVALID_ID' }),
    );
  });
});

describe('ticket sequence per year', () => {
  it('names the counter ticket:YYYY', () => {
    expect(ticketSequenceKey(2026)).toBe('ticket:2026');
  });

  it('takes the year in the business time zone', () => {
    // 2027-01-01 03:00Z is still 2026-12-31 21:00 in Mexico City
    const instant = new Date('2027-01-01T03:00:00Z');
    expect(ticketYear(instant, 'America/Mexico_City')).toBe(2026);
    expect(ticketYear(instant, 'UTC')).toBe(2027);
    expect(ticketYear(new Date('2026-12-31T23:30:00Z'), 'Asia/Tokyo')).toBe(2027);
  });

  it('numbers are sequential within a year (a counter per key)', () => {
    const counters = new Map<string, number>();
    const next = (key: string): number => {
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      return n;
    };
    const issue = (now: Date): string => {
      const year = ticketYear(now, 'America/Mexico_City');
      return formatTicketId(year, next(ticketSequenceKey(year)));
    };
    expect(issue(new Date('2026-12-31T20:00:00Z'))).toBe('TICKET-2026-000001');
    expect(issue(new Date('2027-01-01T05:59:00Z'))).toBe('TICKET-2026-000002');
    expect(issue(new Date('2027-01-01T06:00:00Z'))).toBe('TICKET-2027-000001');
  });

  it('rejects an invalid zone', () => {
    expect(() => ticketYear(new Date('2026-01-01T00:00:00Z'), 'Nowhere/Land')).toThrow();
  });
});
