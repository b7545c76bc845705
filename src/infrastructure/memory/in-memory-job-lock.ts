import type { Clock } from '../../application/ports/gateways.js';
import type { JobLock } from '../../application/ports/job-lock.js';
import { checkLockArguments } from '../locks/lock-arguments.js';

const systemClock: Clock = { now: () => new Date() };

/** Job locks of one process (tests, single node on in-memory data). */
export class InMemoryJobLock implements JobLock {
  readonly #locks = new Map<string, { holder: string; expiresAt: number }>();

  constructor(private readonly clock: Clock = systemClock) {}

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    checkLockArguments(name, holder, ttlMs);
    const now = this.clock.now().getTime();
    const held = this.#locks.get(name);
    if (held && held.holder !== holder && held.expiresAt > now) return false;
    this.#locks.set(name, { holder, expiresAt: now + ttlMs });
    return true;
  }

  async release(name: string, holder: string): Promise<void> {
    checkLockArguments(name, holder, 1);
    if (this.#locks.get(name)?.holder === holder) this.#locks.delete(name);
  }

  async purgeExpired(): Promise<number> {
    const now = this.clock.now().getTime();
    let purged = 0;
    for (const [name, lock] of this.#locks) {
      if (lock.expiresAt <= now) {
        this.#locks.delete(name);
        purged += 1;
      }
    }
    return purged;
  }
}
