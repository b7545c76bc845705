/**
 * Claiming work across nodes. Every node runs the same background jobs; a job lock makes one of
 * them do a given piece of work at a time, and a lock that is never released (a long `ttlMs`) marks
 * a step as done once, however many nodes try it (see `claimOnce` in application/operations).
 */
export interface JobLock {
  /**
   * Takes the lock `name` for `holder` until `ttlMs` from now, or renews it when `holder` already
   * holds it. A lock held by someone else is taken over only once it has expired. Returns whether
   * `holder` holds the lock afterwards. Atomic across nodes: two callers never both get true for
   * one name while the lock is valid.
   */
  tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lock up when `holder` holds it (anything else: nothing happens). */
  release(name: string, holder: string): Promise<void>;
  /** Deletes expired locks (stores without automatic expiry); returns how many. */
  purgeExpired(): Promise<number>;
}
