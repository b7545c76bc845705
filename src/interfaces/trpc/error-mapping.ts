/**
 * The one place where errors become tRPC errors, and where tRPC errors become what the client sees.
 *
 * DomainError.kind → tRPC code:
 *   validation   → BAD_REQUEST
 *   rule         → PRECONDITION_FAILED  (a well-formed request the current state refuses: illegal
 *                                        transition, window closed. Distinct from BAD_REQUEST so a
 *                                        client can tell "fix your input" from "reload and rethink".)
 *   not_found    → NOT_FOUND
 *   conflict     → CONFLICT
 *   forbidden    → FORBIDDEN
 *   unauthorized → UNAUTHORIZED
 *   rate_limited → TOO_MANY_REQUESTS      (+ data.retryAfterSeconds and a Retry-After header)
 * zod input errors → BAD_REQUEST with data.zodIssues.
 * Anything else → INTERNAL_SERVER_ERROR with a generic message carrying the request id; the full
 * error is logged server-side (tRPC `onError`), never sent.
 */
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODE_NUMBER } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { type DomainError, type DomainErrorKind, isDomainError } from '../../domain/shared/errors.js';

export const KIND_TO_TRPC_CODE: Readonly<Record<DomainErrorKind, TRPC_ERROR_CODE_KEY>> = {
  validation: 'BAD_REQUEST',
  rule: 'PRECONDITION_FAILED',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  forbidden: 'FORBIDDEN',
  unauthorized: 'UNAUTHORIZED',
  rate_limited: 'TOO_MANY_REQUESTS',
};

/** Turns whatever a procedure threw into the TRPCError to send (domain errors keep their message). */
export function toTRPCError(error: unknown): TRPCError {
  const cause = error instanceof TRPCError && error.cause !== undefined ? error.cause : error;
  if (isDomainError(cause)) {
    return new TRPCError({ code: KIND_TO_TRPC_CODE[cause.kind], message: cause.message, cause });
  }
  if (cause instanceof ZodError) {
    return new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid input', cause });
  }
  // tRPC's own refusals (unknown procedure, parse error) and ones thrown on purpose keep their message.
  if (error instanceof TRPCError && error.code !== 'INTERNAL_SERVER_ERROR') return error;
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Internal server error',
    cause: cause instanceof Error ? cause : new Error(String(cause)),
  });
}

export interface ZodIssueView {
  path: (string | number)[];
  message: string;
  code: string;
}

/** Error `data` the client gets (never a stack, never a driver message). */
export interface CrmErrorData {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  path?: string;
  requestId?: string;
  /** Stable machine code of a domain error, e.g. `AUTH.INVALID_CREDENTIALS`. */
  domainCode?: string;
  /** Offending field of a ValidationError (dot path). */
  field?: string;
  retryAfterSeconds?: number;
  zodIssues?: ZodIssueView[];
}

const zodIssues = (err: ZodError): ZodIssueView[] =>
  err.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
    code: i.code,
  }));

/** Details of a domain error that are safe and useful for a client. */
function domainData(err: DomainError): Partial<CrmErrorData> {
  const data: Partial<CrmErrorData> = { domainCode: err.code };
  const field = err.details.field;
  if (typeof field === 'string') data.field = field;
  const retry = err.details.retryAfterSeconds;
  if (typeof retry === 'number') data.retryAfterSeconds = retry;
  return data;
}

/** What the client receives as `error` (typed on the client through AppRouter). */
export interface CrmErrorShape {
  code: TRPC_ERROR_CODE_NUMBER;
  message: string;
  data: CrmErrorData;
}

/**
 * Builds the client-facing shape. Internal errors lose their message; tRPC's own errors
 * (unknown procedure, parse error) keep theirs; domain and zod errors add their details.
 */
export function formatError(input: {
  shape: {
    code: TRPC_ERROR_CODE_NUMBER;
    message: string;
    data: { code: TRPC_ERROR_CODE_KEY; httpStatus: number; path?: string };
  };
  error: TRPCError;
  requestId?: string;
}): CrmErrorShape {
  const { shape, error, requestId } = input;
  const data: CrmErrorData = {
    code: shape.data.code,
    httpStatus: shape.data.httpStatus,
    ...(shape.data.path === undefined ? {} : { path: shape.data.path }),
    ...(requestId === undefined ? {} : { requestId }),
  };
  let message = shape.message;
  const cause = error.cause;
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    message = requestId ? `Internal server error (request id ${requestId})` : 'Internal server error';
  } else if (isDomainError(cause)) {
    Object.assign(data, domainData(cause));
  } else if (cause instanceof ZodError) {
    message = 'Invalid input';
    data.zodIssues = zodIssues(cause);
  }
  return { code: shape.code, message, data };
}

/** Seconds to put in a Retry-After header, if this error is a rate limit. */
export function retryAfterOf(error: TRPCError): number | undefined {
  if (error.code !== 'TOO_MANY_REQUESTS') return undefined;
  const cause = error.cause;
  const retry = isDomainError(cause) ? cause.details.retryAfterSeconds : undefined;
  return typeof retry === 'number' ? retry : undefined;
}
