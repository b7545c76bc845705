import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationThreadRepository } from '../../src/application/ports/repositories.js';
import type { ConversationThreadPrimitives } from '../../src/domain/thread/conversation-thread.types.js';
import { fullThreadRecord, minutesAfterBase, newId, threadRecord } from '../support/records.js';
import {
  expectDuplicate,
  expectInvalidIdRefused,
  expectNoAbsentValues,
  expectNotFound,
} from './contract-helpers.js';

/**
 * What every ConversationThreadRepository adapter promises (src/application/ports/repositories.ts):
 * the AI assistant's thread per conversation.
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeConversationThreadRepositoryContract(
  name: string,
  make: () => Promise<{ repo: ConversationThreadRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} ConversationThreadRepository contract`, () => {
    let repo: ConversationThreadRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const stored = async (overrides?: Partial<ConversationThreadPrimitives>) => {
      const thread = threadRecord(overrides);
      await repo.insert(thread);
      return thread;
    };

    describe('insert and findActiveByConversation', () => {
      it('returns the active thread exactly as inserted, with absent optional fields omitted (not null)', async () => {
        const thread = await stored();

        const found = await repo.findActiveByConversation(thread.conversationId);

        expect(found).toEqual(thread);
        expectNoAbsentValues(found);
        expect(found).not.toHaveProperty('lastInteraction');
      });

      it('round-trips a thread with every optional field set', async () => {
        const thread = fullThreadRecord();
        await repo.insert(thread);

        expect(await repo.findActiveByConversation(thread.conversationId)).toEqual(thread);
      });

      it('ignores inactive threads', async () => {
        const conversationId = newId();
        await stored({ conversationId, isActive: false });

        expect(await repo.findActiveByConversation(conversationId)).toBeNull();

        const active = await stored({ conversationId, isActive: true, createdAt: minutesAfterBase(-5) });
        await stored({ conversationId, isActive: false, createdAt: minutesAfterBase(5) });
        expect(await repo.findActiveByConversation(conversationId)).toEqual(active);
      });

      it('returns the most recently created one when several are active', async () => {
        const conversationId = newId();
        await stored({ conversationId, createdAt: minutesAfterBase(1) });
        const newest = await stored({ conversationId, createdAt: minutesAfterBase(2) });

        expect(await repo.findActiveByConversation(conversationId)).toEqual(newest);
      });

      it('returns null for a conversation without threads', async () => {
        await stored();
        expect(await repo.findActiveByConversation(newId())).toBeNull();
      });

      it('refuses a reused id (THREAD.DUPLICATE_ID)', async () => {
        const thread = await stored();

        await expectDuplicate(() => repo.insert(threadRecord({ id: thread.id })), 'THREAD.DUPLICATE_ID');

        expect(await repo.findActiveByConversation(thread.conversationId)).toEqual(thread);
      });

      it('stores a copy: changing the inserted or returned object does not change the stored thread', async () => {
        const thread = await stored();
        const expected = structuredClone(thread);

        thread.messageCount = 99;
        const found = (await repo.findActiveByConversation(thread.conversationId))!;
        found.threadId = 'mutated';
        found.createdAt.setTime(0);

        expect(await repo.findActiveByConversation(thread.conversationId)).toEqual(expected);
      });
    });

    describe('update', () => {
      it('replaces the stored thread (optional fields absent from the update are removed)', async () => {
        const thread = fullThreadRecord();
        await repo.insert(thread);
        const { lastCleanup: _cleanup, ...rest } = thread;

        const changed = {
          ...rest,
          messageCount: 18,
          lastInteraction: minutesAfterBase(40),
          updatedAt: minutesAfterBase(40),
        };
        await repo.update(changed);

        const found = await repo.findActiveByConversation(thread.conversationId);
        expect(found).toEqual(changed);
        expect(found).not.toHaveProperty('lastCleanup');
      });

      it('deactivating a thread hides it from findActiveByConversation', async () => {
        const thread = await stored();

        await repo.update({ ...thread, isActive: false });

        expect(await repo.findActiveByConversation(thread.conversationId)).toBeNull();
      });

      it('throws NotFoundError (THREAD.NOT_FOUND) for a thread that does not exist', async () => {
        const thread = threadRecord();
        await expectNotFound(() => repo.update(thread), 'THREAD.NOT_FOUND');
        expect(await repo.findActiveByConversation(thread.conversationId)).toBeNull();
      });
    });

    describe('deleteByCustomer', () => {
      it('deletes every thread of the customer (active or not) and returns how many', async () => {
        const customerId = newId();
        const a = await stored({ customerId });
        const b = await stored({ customerId, isActive: false });
        const other = await stored();

        expect(await repo.deleteByCustomer(customerId)).toBe(2);

        expect(await repo.findActiveByConversation(a.conversationId)).toBeNull();
        expect(await repo.findActiveByConversation(other.conversationId)).toEqual(other);
        await expectNotFound(() => repo.update(b), 'THREAD.NOT_FOUND');
        expect(await repo.deleteByCustomer(customerId)).toBe(0);
      });
    });

    describe('id validation', () => {
      it('refuses malformed ids with ValidationError (VALIDATION.INVALID_ID) in every method taking one', async () => {
        await expectInvalidIdRefused((id) => repo.insert(threadRecord({ id })));
        await expectInvalidIdRefused((id) => repo.update(threadRecord({ id })));
        await expectInvalidIdRefused((id) => repo.findActiveByConversation(id));
        await expectInvalidIdRefused((id) => repo.deleteByCustomer(id));
      });
    });
  });
}
