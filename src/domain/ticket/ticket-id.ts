/**
 * Human ticket numbers: `TICKET-YYYY-NNNNNN`, sequential within a calendar year of the business
 * time zone. The counter lives behind the `SequenceRepository` port under the key
 * `ticket:YYYY`; this module only formats, parses and names the key.
 */
import { DateTime } from 'luxon';
import { BusinessRuleError, ValidationError } from '../shared/errors.js';
import { TICKET_ERROR_CODES } from './ticket.errors.js';

export const TICKET_SEQ_MAX = 999_999;
const TICKET_ID = /^TICKET-(\d{4})-(\d{6})$/;

export interface TicketIdParts {
  year: number;
  seq: number;
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new ValidationError(
      'ticketId',
      `year must be a 4-digit integer, got ${year}`,
      TICKET_ERROR_CODES.INVALID_ID,
    );
  }
}

/**
 * `formatTicketId(2026, 42)` → `TICKET-2026-000042`. A sequence beyond 999999 throws
 * BusinessRuleError TICKET.SEQUENCE_EXHAUSTED (the year's numbers are used up); a sequence
 * below 1 or not an integer throws ValidationError.
 */
export function formatTicketId(year: number, seq: number): string {
  assertYear(year);
  if (!Number.isInteger(seq) || seq < 1) {
    throw new ValidationError(
      'ticketId',
      `sequence must be an integer >= 1, got ${seq}`,
      TICKET_ERROR_CODES.INVALID_ID,
    );
  }
  if (seq > TICKET_SEQ_MAX) {
    throw new BusinessRuleError(
      TICKET_ERROR_CODES.SEQUENCE_EXHAUSTED,
      `Ticket numbers for ${year} are exhausted (max ${TICKET_SEQ_MAX})`,
      { year, seq },
    );
  }
  return `TICKET-${year}-${String(seq).padStart(6, '0')}`;
}

/** The parts of a ticket id (surrounding spaces and lower case tolerated), or undefined if malformed. */
export function parseTicketId(value: string): TicketIdParts | undefined {
  const match = TICKET_ID.exec(value.trim().toUpperCase());
  if (!match) return undefined;
  const year = Number(match[1]);
  const seq = Number(match[2]);
  if (year < 1000 || seq < 1) return undefined;
  return { year, seq };
}

export const isTicketId = (value: unknown): value is string =>
  typeof value === 'string' && TICKET_ID.test(value) && parseTicketId(value) !== undefined;

/** Throws ValidationError (field `ticketId`, TICKET.INVALID_ID) unless `value` is a canonical ticket id. */
export function assertTicketId(value: unknown): string {
  if (!isTicketId(value)) {
    throw new ValidationError('ticketId', 'must look like TICKET-YYYY-NNNNNN', TICKET_ERROR_CODES.INVALID_ID);
  }
  return value;
}

/** The calendar year of `now` in the business time zone. */
export function ticketYear(now: Date, zone: string): number {
  const dt = DateTime.fromJSDate(now, { zone });
  if (!dt.isValid) throw new Error(`Invalid time zone: ${zone}`);
  return dt.year;
}

/** The SequenceRepository key of a year's ticket counter: `ticket:2026`. */
export function ticketSequenceKey(year: number): string {
  assertYear(year);
  return `ticket:${year}`;
}
