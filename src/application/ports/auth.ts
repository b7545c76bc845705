/** Ports used by the authentication use cases (src/application/auth). */

/** Opaque session tokens: the token goes to the client, only its digest is stored. */
export interface TokenService {
  /** A new high-entropy, URL-safe token. */
  generate(): string;
  /** The deterministic digest stored and looked up instead of the token. */
  hash(token: string): string;
}

/** Strong random passwords (the generated first admin's). */
export interface PasswordGenerator {
  generate(): string;
}

/** Who is trying to log in: the account (normalized e-mail, known or not) and the client address. */
export interface LoginAttemptKeys {
  account: string;
  ip?: string;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Slows down password guessing. Counters are kept per account and per IP address; a key with too
 * many recent failures is locked for a while. Implementations must be safe to call concurrently.
 */
export interface LoginThrottle {
  /** Whether an attempt may proceed now; a locked key answers how long until it may. */
  check(keys: LoginAttemptKeys, now: Date): Promise<ThrottleVerdict>;
  recordFailure(keys: LoginAttemptKeys, now: Date): Promise<void>;
  /** A successful login clears the account's failures (the IP's stay: one good account must not launder them). */
  recordSuccess(keys: LoginAttemptKeys, now: Date): Promise<void>;
}
