import { WhatsAppSendError } from '../../application/ports/gateways.js';

/**
 * Back-off for outbound WhatsApp sends (the outbox sender): exponential with full jitter
 * (delay = random() × min(cap, base × factor^(attempt − 1))), never shorter than a `Retry-After`
 * the API gave. Pure: the random source is an argument.
 *
 * Attempts are counted from 1: `attempt` is the number of the attempt that just failed.
 */

export interface RetryPolicy {
  baseMs: number;
  factor: number;
  capMs: number;
  maxAttempts: number;
  /** Upper bound on an honoured `retryAfterMs` (a bogus header must not park a message for days). */
  maxRetryAfterMs: number;
}

/** Attempts in total (the first send included) before a retryable failure becomes final. */
export const MAX_SEND_ATTEMPTS = 8;

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseMs: 1_000,
  factor: 2,
  capMs: 5 * 60_000,
  maxAttempts: MAX_SEND_ATTEMPTS,
  maxRetryAfterMs: 60 * 60_000,
});

/** A number in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * Milliseconds to wait before attempt `attempt + 1`. `error` may carry `retryAfterMs`
 * (a `WhatsAppSendError` built from a `Retry-After` header or a known minimum pause): the delay is at
 * least that, clamped to `maxRetryAfterMs`.
 */
export function nextAttemptDelay(
  attempt: number,
  error: unknown,
  random: RandomSource = Math.random,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): number {
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  // factor^(n-1) overflows to Infinity for large n; min() with the cap keeps it finite.
  const ceiling = Math.min(policy.capMs, policy.baseMs * policy.factor ** (n - 1));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  const jittered = Math.floor(unit * ceiling);
  const retryAfter = retryAfterOf(error);
  if (retryAfter === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfter, policy.maxRetryAfterMs));
}

/** `now + nextAttemptDelay(...)`: when the outbox should try again. */
export function nextAttemptAt(
  now: Date,
  attempt: number,
  error: unknown,
  random: RandomSource = Math.random,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Date {
  return new Date(now.getTime() + nextAttemptDelay(attempt, error, random, policy));
}

/**
 * True when the failed attempt number `attempt` should be followed by another one: the error is a
 * `WhatsAppSendError` marked retryable and the attempts are not used up. Anything else (a final
 * WhatsApp refusal, a bug) is not retried.
 */
export function shouldRetry(
  error: unknown,
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): boolean {
  return error instanceof WhatsAppSendError && error.retryable && attempt < policy.maxAttempts;
}

function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof WhatsAppSendError)) return undefined;
  const ms = error.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
