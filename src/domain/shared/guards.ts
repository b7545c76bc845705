import { ValidationError } from './errors.js';
import { isId } from './ids.js';

export function assertEnum<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${allowed.join(', ')}`, 'VALIDATION.UNKNOWN_ENUM');
  }
  return value as T;
}

export function assertMaxLength(field: string, value: string | undefined, max: number): void {
  if (value !== undefined && value.length > max) {
    throw new ValidationError(field, `must be at most ${max} characters`, 'VALIDATION.TOO_LONG');
  }
}

export function assertNonEmpty(field: string, value: string | undefined): string {
  if (value === undefined || value.trim().length === 0) {
    throw new ValidationError(field, 'is required', 'VALIDATION.REQUIRED');
  }
  return value;
}

export function assertRating(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 5) {
    throw new ValidationError(field, 'must be an integer from 1 to 5', 'VALIDATION.OUT_OF_RANGE');
  }
}

export function assertId(field: string, value: unknown): string {
  if (!isId(value))
    throw new ValidationError(field, 'must be a 24-character hex id', 'VALIDATION.INVALID_ID');
  return value;
}

// Deliberately simple: one @, no spaces, a dot in the domain. RFC 5322 is not the goal.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(field: string, value: string): string {
  const email = value.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) {
    throw new ValidationError(field, 'must be a valid e-mail address', 'VALIDATION.INVALID_EMAIL');
  }
  return email;
}

/** Minutes between two instants, rounded to one decimal. */
export const minutesBetween = (from: Date, to: Date): number =>
  Math.round(((to.getTime() - from.getTime()) / 60_000) * 10) / 10;
