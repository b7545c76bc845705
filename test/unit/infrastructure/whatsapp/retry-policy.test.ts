import { describe, expect, it } from 'vitest';
import { WhatsAppSendError } from '../../../../src/application/ports/gateways.js';
import {
  DEFAULT_RETRY_POLICY,
  MAX_SEND_ATTEMPTS,
  nextAttemptAt,
  nextAttemptDelay,
  shouldRetry,
} from '../../../../src/infrastructure/whatsapp/retry-policy.js';

const retryable = (retryAfterMs?: number) =>
  new WhatsAppSendError('busy', true, 130429, 'Rate limit hit', retryAfterMs);
const final = new WhatsAppSendError('no', false, 131047, 'Re-engagement message');
const almostOne = () => 0.999_999_999;

describe('nextAttemptDelay', () => {
  it('grows exponentially from 1 s by a factor of 2 (upper bound of the jitter)', () => {
    const bounds = [1, 2, 3, 4, 5].map((a) => nextAttemptDelay(a, retryable(), almostOne));
    expect(bounds).toEqual([999, 1999, 3999, 7999, 15999]);
  });

  it('is capped at 5 minutes, even for huge attempt numbers', () => {
    expect(nextAttemptDelay(9, retryable(), almostOne)).toBe(Math.floor(0.999_999_999 * 256_000));
    expect(nextAttemptDelay(10, retryable(), almostOne)).toBe(299_999);
    expect(nextAttemptDelay(5_000, retryable(), almostOne)).toBe(299_999);
    expect(Number.isFinite(nextAttemptDelay(1e9, retryable(), almostOne))).toBe(true);
  });

  it('uses full jitter: random() scales the whole window', () => {
    expect(nextAttemptDelay(4, retryable(), () => 0)).toBe(0);
    expect(nextAttemptDelay(4, retryable(), () => 0.5)).toBe(4_000);
    expect(nextAttemptDelay(4, retryable(), () => 0.25)).toBe(2_000);
  });

  it('never waits less than the error’s retryAfterMs', () => {
    expect(nextAttemptDelay(1, retryable(30_000), () => 0.5)).toBe(30_000);
    expect(nextAttemptDelay(8, retryable(1_000), () => 0.5)).toBe(64_000);
  });

  it('clamps an absurd retryAfterMs to one hour', () => {
    expect(nextAttemptDelay(1, retryable(7 * 24 * 3_600_000), () => 0)).toBe(
      DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    );
  });

  it('survives bad inputs: attempt 0 / NaN behave as the first attempt; random out of range is clamped', () => {
    expect(nextAttemptDelay(0, retryable(), () => 0.5)).toBe(500);
    expect(nextAttemptDelay(Number.NaN, retryable(), () => 0.5)).toBe(500);
    expect(nextAttemptDelay(1, retryable(), () => 7)).toBe(1_000);
    expect(nextAttemptDelay(1, retryable(), () => -1)).toBe(0);
    expect(nextAttemptDelay(1, new Error('plain'), () => 0.5)).toBe(500);
  });

  it('nextAttemptAt adds the delay to now', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(nextAttemptAt(now, 3, retryable(), () => 0.5).toISOString()).toBe('2026-01-01T00:00:02.000Z');
  });
});

describe('shouldRetry', () => {
  it('retries retryable WhatsApp errors until the attempts are used up', () => {
    expect(MAX_SEND_ATTEMPTS).toBe(8);
    for (let attempt = 1; attempt < MAX_SEND_ATTEMPTS; attempt++)
      expect(shouldRetry(retryable(), attempt)).toBe(true);
    expect(shouldRetry(retryable(), MAX_SEND_ATTEMPTS)).toBe(false);
  });

  it('never retries final errors or errors that are not WhatsApp errors', () => {
    expect(shouldRetry(final, 1)).toBe(false);
    expect(shouldRetry(new TypeError('bug'), 1)).toBe(false);
    expect(shouldRetry('boom', 1)).toBe(false);
  });
});
