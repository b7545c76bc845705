import { UnauthorizedError, ValidationError } from '../../domain/shared/errors.js';

export const AUTH_ERROR_CODES = {
  INVALID_CREDENTIALS: 'AUTH.INVALID_CREDENTIALS',
  SESSION_INVALID: 'AUTH.SESSION_INVALID',
  WRONG_PASSWORD: 'AUTH.WRONG_PASSWORD',
  PASSWORD_TOO_SHORT: 'AUTH.PASSWORD_TOO_SHORT',
  PASSWORD_TOO_LONG: 'AUTH.PASSWORD_TOO_LONG',
  PASSWORD_UNCHANGED: 'AUTH.PASSWORD_UNCHANGED',
} as const;

/** The one answer to every failed login (unknown e-mail, wrong password, deactivated account). */
export const invalidCredentials = (): UnauthorizedError =>
  new UnauthorizedError('Invalid email or password', AUTH_ERROR_CODES.INVALID_CREDENTIALS);

/** Missing, unknown, expired or revoked session token, or a deactivated agent behind it. */
export const sessionInvalid = (): UnauthorizedError =>
  new UnauthorizedError(
    'Your session is invalid or has expired; please log in again',
    AUTH_ERROR_CODES.SESSION_INVALID,
  );

export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing it is never a denial-of-service lever. */
export const MAX_PASSWORD_LENGTH = 1024;

export function assertAcceptablePassword(field: string, password: string): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(
      field,
      `must be at least ${MIN_PASSWORD_LENGTH} characters`,
      AUTH_ERROR_CODES.PASSWORD_TOO_SHORT,
    );
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(
      field,
      `must be at most ${MAX_PASSWORD_LENGTH} characters`,
      AUTH_ERROR_CODES.PASSWORD_TOO_LONG,
    );
  }
}
