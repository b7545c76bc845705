import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobLock } from '../../src/application/ports/job-lock.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { caught } from './contract-helpers.js';

export interface JobLockFixture {
  lock: JobLock;
  /** Lets `ms` pass for the lock's clock (a fake clock, or real time for stores that expire keys themselves). */
  advance(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * What every JobLock adapter promises (src/application/ports/job-lock.ts). TTLs are a few hundred
 * ms so that adapters on real time (Redis) run the same suite.
 */
export function describeJobLockContract(name: string, make: () => Promise<JobLockFixture>): void {
  describe(`${name} JobLock contract`, () => {
    let f: JobLockFixture;
    const TTL = 400;

    beforeEach(async () => {
      f = await make();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('gives a free lock to its first taker and refuses it to others while it is valid', async () => {
      expect(await f.lock.tryAcquire('sla-watcher', 'node-a', TTL)).toBe(true);
      expect(await f.lock.tryAcquire('sla-watcher', 'node-b', TTL)).toBe(false);
      expect(await f.lock.tryAcquire('other-job', 'node-b', TTL)).toBe(true);
    });

    it('lets the holder renew its lock, which then outlives the first TTL', async () => {
      expect(await f.lock.tryAcquire('job', 'node-a', TTL)).toBe(true);
      await f.advance(TTL / 2);
      expect(await f.lock.tryAcquire('job', 'node-a', TTL)).toBe(true);
      await f.advance(TTL / 2 + 100);
      expect(await f.lock.tryAcquire('job', 'node-b', TTL)).toBe(false);
    });

    it('lets another holder take an expired lock over, after which the old holder cannot renew it', async () => {
      expect(await f.lock.tryAcquire('job', 'node-a', TTL)).toBe(true);
      await f.advance(TTL + 150);
      expect(await f.lock.tryAcquire('job', 'node-b', TTL)).toBe(true);
      expect(await f.lock.tryAcquire('job', 'node-a', TTL)).toBe(false);
    });

    it('release frees the lock for others, and only its holder can release it', async () => {
      expect(await f.lock.tryAcquire('job', 'node-a', TTL)).toBe(true);
      await f.lock.release('job', 'node-b');
      expect(await f.lock.tryAcquire('job', 'node-b', TTL)).toBe(false);
      await f.lock.release('job', 'node-a');
      expect(await f.lock.tryAcquire('job', 'node-b', TTL)).toBe(true);
      await f.lock.release('never-taken', 'node-a'); // nothing to release: no error
    });

    it('gives a lock to exactly one of many concurrent takers', async () => {
      const holders = Array.from({ length: 12 }, (_, i) => `node-${i}`);
      const results = await Promise.all(holders.map((h) => f.lock.tryAcquire('race', h, 5_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('gives an expired lock to exactly one of many concurrent takers', async () => {
      expect(await f.lock.tryAcquire('race', 'old', TTL)).toBe(true);
      await f.advance(TTL + 150);
      const holders = Array.from({ length: 12 }, (_, i) => `node-${i}`);
      const results = await Promise.all(holders.map((h) => f.lock.tryAcquire('race', h, 5_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('purgeExpired keeps valid locks', async () => {
      expect(await f.lock.tryAcquire('valid', 'node-a', 60_000)).toBe(true);
      expect(await f.lock.tryAcquire('short', 'node-a', TTL)).toBe(true);
      await f.advance(TTL + 150);
      const purged = await f.lock.purgeExpired();
      expect(purged).toBeGreaterThanOrEqual(0);
      expect(await f.lock.tryAcquire('valid', 'node-b', TTL)).toBe(false);
      expect(await f.lock.tryAcquire('short', 'node-b', TTL)).toBe(true);
    });

    it('refuses empty names or holders and a TTL that is not a positive whole number (ValidationError)', async () => {
      for (const call of [
        () => f.lock.tryAcquire('', 'node-a', TTL),
        () => f.lock.tryAcquire('job', '', TTL),
        () => f.lock.tryAcquire('job', 'node-a', 0),
        () => f.lock.tryAcquire('job', 'node-a', 1.5),
        () => f.lock.release('', 'node-a'),
      ]) {
        expect(await caught(call)).toBeInstanceOf(ValidationError);
      }
    });
  });
}
