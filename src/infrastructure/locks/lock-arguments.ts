import { ValidationError } from '../../domain/shared/errors.js';

/** Longest lock name or holder accepted by every JobLock adapter. */
export const MAX_LOCK_KEY_LENGTH = 300;

/** Refuses what no adapter could store: empty or huge names/holders, a TTL that is not a positive whole number of ms. */
export function checkLockArguments(name: unknown, holder: unknown, ttlMs: unknown): void {
  for (const [field, value] of [
    ['name', name],
    ['holder', holder],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LOCK_KEY_LENGTH) {
      throw new ValidationError(field, `must be a string of 1 to ${MAX_LOCK_KEY_LENGTH} characters`);
    }
  }
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1) {
    throw new ValidationError('ttlMs', 'must be a positive whole number of milliseconds');
  }
}
