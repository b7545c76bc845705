import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord, SessionRepository } from '../../src/application/ports/repositories.js';
import { fullSessionRecord, newId, sessionRecord } from '../support/records.js';
import { expectDuplicate, expectInvalidIdRefused, expectNoAbsentValues } from './contract-helpers.js';

/**
 * What every SessionRepository adapter promises (src/application/ports/repositories.ts):
 * login sessions keyed by the hash of their token.
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeSessionRepositoryContract(
  name: string,
  make: () => Promise<{ repo: SessionRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} SessionRepository contract`, () => {
    let repo: SessionRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const stored = async (overrides?: Partial<SessionRecord>) => {
      const session = sessionRecord(overrides);
      await repo.insert(session);
      return session;
    };

    it('returns by token hash exactly what was inserted, with absent optional fields omitted (not null)', async () => {
      const session = await stored();

      const found = await repo.findByTokenHash(session.tokenHash);

      expect(found).toEqual(session);
      expectNoAbsentValues(found);
      expect(found).not.toHaveProperty('ipAddress');
    });

    it('round-trips a session with every optional field set', async () => {
      const session = fullSessionRecord();
      await repo.insert(session);

      expect(await repo.findByTokenHash(session.tokenHash)).toEqual(session);
    });

    it('returns null for an unknown token hash', async () => {
      await stored();
      expect(await repo.findByTokenHash('0'.repeat(64))).toBeNull();
    });

    it('refuses a second session with the same token hash (SESSION.DUPLICATE_TOKENHASH)', async () => {
      const first = await stored();

      await expectDuplicate(
        () => repo.insert(sessionRecord({ tokenHash: first.tokenHash })),
        'SESSION.DUPLICATE_TOKENHASH',
      );

      expect(await repo.findByTokenHash(first.tokenHash)).toEqual(first);
    });

    it('stores a copy: changing the inserted or returned object does not change the stored session', async () => {
      const session = await stored();
      const expected = structuredClone(session);

      session.expiresAt.setTime(0);
      const found = (await repo.findByTokenHash(session.tokenHash))!;
      found.agentId = newId();

      expect(await repo.findByTokenHash(expected.tokenHash)).toEqual(expected);
    });

    it('delete removes one session; deleting an unknown one does nothing', async () => {
      const session = await stored();
      const other = await stored({ agentId: session.agentId });

      await repo.delete(session.tokenHash);
      await repo.delete(session.tokenHash);
      await repo.delete('f'.repeat(64));

      expect(await repo.findByTokenHash(session.tokenHash)).toBeNull();
      expect(await repo.findByTokenHash(other.tokenHash)).toEqual(other);
    });

    it('deleteByAgent removes every session of that agent only and returns how many', async () => {
      const agentId = newId();
      const a = await stored({ agentId });
      const b = await stored({ agentId });
      const other = await stored();

      expect(await repo.deleteByAgent(agentId)).toBe(2);

      expect(await repo.findByTokenHash(a.tokenHash)).toBeNull();
      expect(await repo.findByTokenHash(b.tokenHash)).toBeNull();
      expect(await repo.findByTokenHash(other.tokenHash)).toEqual(other);
      expect(await repo.deleteByAgent(agentId)).toBe(0);
    });

    it('refuses malformed agent ids with ValidationError (VALIDATION.INVALID_ID)', async () => {
      await expectInvalidIdRefused((id) => repo.insert(sessionRecord({ agentId: id })));
      await expectInvalidIdRefused((id) => repo.deleteByAgent(id));
    });
  });
}
