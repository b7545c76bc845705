import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SequenceRepository } from '../../src/application/ports/repositories.js';

/**
 * What every SequenceRepository adapter promises (src/application/ports/repositories.ts):
 * gap-free counters per key, starting at 1.
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeSequenceRepositoryContract(
  name: string,
  make: () => Promise<{ repo: SequenceRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} SequenceRepository contract`, () => {
    let repo: SequenceRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('counts 1, 2, 3 for a key', async () => {
      expect(await repo.next('ticket:2025')).toBe(1);
      expect(await repo.next('ticket:2025')).toBe(2);
      expect(await repo.next('ticket:2025')).toBe(3);
    });

    it('keeps one independent counter per key', async () => {
      expect(await repo.next('ticket:2025')).toBe(1);
      expect(await repo.next('ticket:2025')).toBe(2);
      expect(await repo.next('ticket:2026')).toBe(1);
      expect(await repo.next('ticket:2025')).toBe(3);
      expect(await repo.next('other')).toBe(1);
      expect(await repo.next('ticket:2026')).toBe(2);
    });

    it('gives concurrent callers distinct consecutive values, with no gap', async () => {
      const values = await Promise.all(Array.from({ length: 25 }, () => repo.next('ticket:2025')));

      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(await repo.next('ticket:2025')).toBe(26);
    });

    it('gives concurrent first calls of a brand-new key 1 and 2 (the counter is created once)', async () => {
      const values = await Promise.all([repo.next('fresh'), repo.next('fresh')]);
      expect([...values].sort()).toEqual([1, 2]);
    });
  });
}
