import { ValidationError } from '../../domain/shared/errors.js';

/** Keyset pagination: a page of items plus the cursor of the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  limit: number; // 1..200
  cursor?: string;
}

/**
 * The position after which the next page starts: the sort key of the last item (a date in ms,
 * or a number) and its id as a tie-breaker. Encoded opaquely so callers cannot forge filters.
 */
export interface CursorPosition {
  key: number;
  id: string;
}

export const MAX_PAGE_SIZE = 200;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.key}:${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(-?\d+(?:\.\d+)?):([0-9a-f]{24})$/.exec(raw);
  if (!match) throw new ValidationError('cursor', 'is not a valid page cursor', 'VALIDATION.INVALID_CURSOR');
  return { key: Number(match[1]), id: match[2]! };
}

export function clampLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) return 1;
  return Math.min(limit, MAX_PAGE_SIZE);
}

/** Most records a report query returns in one call (`listActiveBetween`). */
export const MAX_REPORT_ITEMS = 10_000;

export function clampReportLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) return 1;
  return Math.min(limit, MAX_REPORT_ITEMS);
}

/**
 * Checks a report range given to a repository: both ends valid Dates, `from` before `to`.
 * Throws ValidationError (`range.from` / `range.to`) otherwise.
 */
export function assertDateRange(range: { from: unknown; to: unknown }): { from: Date; to: Date } {
  const valid = (v: unknown): v is Date => v instanceof Date && !Number.isNaN(v.getTime());
  if (!valid(range?.from)) throw new ValidationError('range.from', 'must be a valid date');
  if (!valid(range.to)) throw new ValidationError('range.to', 'must be a valid date');
  if (range.to.getTime() <= range.from.getTime()) {
    throw new ValidationError('range.to', 'must be after range.from', 'VALIDATION.OUT_OF_RANGE');
  }
  return { from: range.from, to: range.to };
}
