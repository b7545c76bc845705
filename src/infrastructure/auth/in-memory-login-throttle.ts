import type { LoginAttemptKeys, LoginThrottle, ThrottleVerdict } from '../../application/ports/auth.js';

export interface ThrottlePolicy {
  /** Failures counted within this sliding window. */
  windowMs: number;
  /** Lock duration once a limit is reached. */
  lockMs: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 20,
};

interface Entry {
  failures: number[]; // epoch ms, oldest first, at most `max` kept
  lockedUntil: number;
}

/**
 * Per-process login throttle. With several API nodes each node counts on its own, so the effective
 * limit is multiplied by the node count; a shared (Redis) implementation of the port fixes that.
 * Memory stays bounded: stale entries are swept, and at most `maxEntries` keys are tracked.
 */
export class InMemoryLoginThrottle implements LoginThrottle {
  readonly #entries = new Map<string, Entry>();
  #lastSweep = 0;

  constructor(
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
    private readonly maxEntries = 100_000,
  ) {}

  async check(keys: LoginAttemptKeys, now: Date): Promise<ThrottleVerdict> {
    const t = now.getTime();
    const lockedUntil = Math.max(
      this.#lockedUntil(accountKey(keys.account), t),
      keys.ip ? this.#lockedUntil(ipKey(keys.ip), t) : 0,
    );
    if (lockedUntil > t) return { allowed: false, retryAfterSeconds: Math.ceil((lockedUntil - t) / 1000) };
    return { allowed: true };
  }

  async recordFailure(keys: LoginAttemptKeys, now: Date): Promise<void> {
    const t = now.getTime();
    this.#sweep(t);
    this.#fail(accountKey(keys.account), this.policy.maxFailuresPerAccount, t);
    if (keys.ip) this.#fail(ipKey(keys.ip), this.policy.maxFailuresPerIp, t);
  }

  async recordSuccess(keys: LoginAttemptKeys): Promise<void> {
    this.#entries.delete(accountKey(keys.account));
  }

  #lockedUntil(key: string, t: number): number {
    const entry = this.#entries.get(key);
    return entry && entry.lockedUntil > t ? entry.lockedUntil : 0;
  }

  #fail(key: string, max: number, t: number): void {
    let entry = this.#entries.get(key);
    if (!entry) {
      if (this.#entries.size >= this.maxEntries) this.#evictOldest();
      entry = { failures: [], lockedUntil: 0 };
      this.#entries.set(key, entry);
    }
    const windowStart = t - this.policy.windowMs;
    entry.failures = entry.failures.filter((f) => f > windowStart);
    entry.failures.push(t);
    if (entry.failures.length > max) entry.failures.splice(0, entry.failures.length - max);
    if (entry.failures.length >= max) {
      entry.lockedUntil = t + this.policy.lockMs;
      entry.failures = []; // the lock is the penalty; counting starts afresh after it
    }
  }

  #sweep(t: number): void {
    if (t - this.#lastSweep < 60_000) return;
    this.#lastSweep = t;
    const windowStart = t - this.policy.windowMs;
    for (const [key, entry] of this.#entries) {
      if (entry.lockedUntil <= t && entry.failures.every((f) => f <= windowStart)) this.#entries.delete(key);
    }
  }

  #evictOldest(): void {
    // Map iteration order is insertion order: the first key is the oldest one tracked.
    const first = this.#entries.keys().next();
    if (!first.done) this.#entries.delete(first.value);
  }
}

const accountKey = (account: string) => `account:${account.trim().toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;
