/**
 * Every expected business refusal in the project is a thrown DomainError with a stable
 * machine `code` and a `kind` that the edges map to a transport status (tRPC code, HTTP).
 * Broken invariants (bugs) throw plain Errors instead.
 */
export type DomainErrorKind =
  | 'validation' // a value is malformed (unknown enum, too long, bad email)
  | 'rule' // a business rule refuses the action (illegal transition, window closed)
  | 'not_found'
  | 'conflict' // stale write (optimistic concurrency) or duplicate key
  | 'forbidden'
  | 'unauthorized'
  | 'rate_limited';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A value refused by a domain rule; `field` names the offending field (dot path). */
export class ValidationError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
    code = 'VALIDATION.INVALID_FIELD',
  ) {
    super('validation', code, `${field}: ${message}`, { field });
    this.name = 'ValidationError';
  }
}

export class IllegalTransitionError extends DomainError {
  constructor(
    aggregate: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(
      'rule',
      `${aggregate.toUpperCase()}.ILLEGAL_TRANSITION`,
      `${aggregate} cannot move from ${from} to ${to}`,
      {
        from,
        to,
      },
    );
    this.name = 'IllegalTransitionError';
  }
}

export class BusinessRuleError extends DomainError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('rule', code, message, details);
    this.name = 'BusinessRuleError';
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super('not_found', `${entity.toUpperCase()}.NOT_FOUND`, `${entity} ${id} does not exist`, { entity, id });
    this.name = 'NotFoundError';
  }
}

/** A write based on a stale version of the record (optimistic concurrency). */
export class ConcurrencyError extends DomainError {
  constructor(entity: string, id: string) {
    super(
      'conflict',
      'CONCURRENCY.STALE_WRITE',
      `${entity} ${id} was changed by someone else; reload and retry`,
      {
        entity,
        id,
      },
    );
    this.name = 'ConcurrencyError';
  }
}

/** A unique value already taken (agent email, customer phone, WhatsApp message id). */
export class DuplicateError extends DomainError {
  constructor(entity: string, field: string, value?: string) {
    super(
      'conflict',
      `${entity.toUpperCase()}.DUPLICATE_${field.toUpperCase()}`,
      `${entity} with this ${field} already exists`,
      {
        entity,
        field,
        ...(value === undefined ? {} : { value }),
      },
    );
    this.name = 'DuplicateError';
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this', code = 'AUTH.FORBIDDEN') {
    super('forbidden', code, message);
    this.name = 'ForbiddenError';
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication required', code = 'AUTH.UNAUTHORIZED') {
    super('unauthorized', code, message);
    this.name = 'UnauthorizedError';
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', 'AUTH.RATE_LIMITED', message, { retryAfterSeconds });
    this.name = 'RateLimitedError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
