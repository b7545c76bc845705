import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationFilter, ConversationRepository } from '../../src/application/ports/repositories.js';
import type { ConversationPrimitives } from '../../src/domain/conversation/conversation.types.js';
import { conversationRecord, fullConversationRecord, minutesAfterBase, newId } from '../support/records.js';
import {
  expectDuplicate,
  expectInvalidIdRefused,
  expectNoAbsentValues,
  expectNotFound,
  expectStaleWrite,
  idSet,
  itListsActiveBetween,
  itPagesByKeyset,
  mirrored,
  newestFirst,
} from './contract-helpers.js';

/**
 * What every ConversationRepository adapter promises (src/application/ports/repositories.ts).
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeConversationRepositoryContract(
  name: string,
  make: () => Promise<{ repo: ConversationRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} ConversationRepository contract`, () => {
    let repo: ConversationRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const stored = async (overrides?: Partial<ConversationPrimitives>) => {
      const conversation = conversationRecord(overrides);
      await repo.insert(conversation);
      return conversation;
    };
    const listIds = async (filter: ConversationFilter) =>
      idSet((await repo.list(filter, { limit: 200 })).items);

    describe('insert and find', () => {
      it('returns by id exactly what was inserted, with absent optional fields omitted (not null)', async () => {
        const conversation = await stored();

        const found = await repo.findById(conversation.id);

        expect(found).toEqual(conversation);
        expectNoAbsentValues(found);
        expect(found).not.toHaveProperty('assignedAgent');
        expect(found).not.toHaveProperty('lastMessage');
      });

      it('stores an optional field given as undefined as absent (never null)', async () => {
        const record = { ...conversationRecord(), assignedAgent: undefined, lastMessage: undefined };
        await repo.insert(record);

        const found = await repo.findById(record.id);

        expect(found).toEqual(record);
        expect(found).not.toHaveProperty('assignedAgent');
        expect(found).not.toHaveProperty('lastMessage');
        expectNoAbsentValues(found);
      });

      it('round-trips a record with every optional field set (nested Dates included)', async () => {
        const conversation = fullConversationRecord();
        await repo.insert(conversation);

        const found = await repo.findById(conversation.id);

        expect(found).toEqual(conversation);
        expect(found?.internalNotes[0]?.timestamp).toBeInstanceOf(Date);
        expect(found?.lastMessage?.timestamp).toBeInstanceOf(Date);
        expectNoAbsentValues(found);
      });

      it('returns null for an unknown id', async () => {
        await stored();
        expect(await repo.findById(newId())).toBeNull();
      });

      it('refuses a reused id (CONVERSATION.DUPLICATE_ID)', async () => {
        const first = await stored();

        await expectDuplicate(
          () => repo.insert(conversationRecord({ id: first.id })),
          'CONVERSATION.DUPLICATE_ID',
        );

        expect(await repo.findById(first.id)).toEqual(first);
      });

      it('stores a copy: changing the inserted or returned object does not change the stored one', async () => {
        const conversation = fullConversationRecord();
        await repo.insert(conversation);
        const expected = structuredClone(conversation);

        conversation.tags.push('mutated');
        conversation.internalNotes[0]!.content = 'mutated';
        const found = (await repo.findById(conversation.id))!;
        found.lastMessage!.content = 'mutated';
        found.lastMessage!.timestamp.setTime(0);
        const listed = (await repo.list({}, { limit: 10 })).items[0]!;
        listed.internalNotes.pop();
        const all = await repo.listAllByCustomer(conversation.customerId);
        all[0]!.status = 'closed';

        expect(await repo.findById(conversation.id)).toEqual(expected);
      });
    });

    describe('findLatestOpenByCustomer', () => {
      it("returns the customer's most recently created conversation that is not closed", async () => {
        const customerId = newId();
        await stored({
          customerId,
          status: 'assigned',
          createdAt: minutesAfterBase(1),
          updatedAt: minutesAfterBase(50),
        });
        const latest = await stored({ customerId, status: 'waiting', createdAt: minutesAfterBase(5) });
        await stored({ customerId, status: 'closed', createdAt: minutesAfterBase(10) });
        await stored({ status: 'open', createdAt: minutesAfterBase(20) }); // another customer

        expect(await repo.findLatestOpenByCustomer(customerId)).toEqual(latest);
      });

      it('counts a resolved conversation as not closed', async () => {
        const customerId = newId();
        const resolved = await stored({ customerId, status: 'resolved' });
        expect(await repo.findLatestOpenByCustomer(customerId)).toEqual(resolved);
      });

      it('returns null when every conversation of the customer is closed, or it has none', async () => {
        const customerId = newId();
        await stored({ customerId, status: 'closed' });
        expect(await repo.findLatestOpenByCustomer(customerId)).toBeNull();
        expect(await repo.findLatestOpenByCustomer(newId())).toBeNull();
      });
    });

    describe('findLatestOpenByCustomers', () => {
      it('returns, per customer, what findLatestOpenByCustomer returns (in one call)', async () => {
        const first = newId();
        const second = newId();
        const onlyClosed = newId();
        await stored({ customerId: first, status: 'assigned', createdAt: minutesAfterBase(1) });
        const latestOfFirst = await stored({
          customerId: first,
          status: 'waiting',
          createdAt: minutesAfterBase(5),
        });
        await stored({ customerId: first, status: 'closed', createdAt: minutesAfterBase(10) });
        const ofSecond = await stored({
          customerId: second,
          status: 'resolved',
          createdAt: minutesAfterBase(2),
        });
        await stored({ customerId: onlyClosed, status: 'closed' });
        await stored({ status: 'open' }); // another customer

        const found = await repo.findLatestOpenByCustomers([second, first, onlyClosed, newId()]);

        expect(found.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
          [latestOfFirst, ofSecond].sort((x, y) => x.id.localeCompare(y.id)),
        );
        expect(await repo.findLatestOpenByCustomers([])).toEqual([]);
      });

      it('refuses an invalid customer id', async () => {
        await expectInvalidIdRefused((id) => repo.findLatestOpenByCustomers([id]));
      });
    });

    describe('update (optimistic concurrency)', () => {
      it('stores the record with version + 1 and returns what it stored', async () => {
        const conversation = await stored();
        const agent = newId();

        const changed = {
          ...conversation,
          status: 'assigned' as const,
          assignedAgent: agent,
          assignedAt: minutesAfterBase(1),
          updatedAt: minutesAfterBase(1),
        };
        const returned = await repo.update(changed);

        expect(returned).toEqual({ ...changed, version: conversation.version + 1 });
        expect(await repo.findById(conversation.id)).toEqual(returned);
      });

      it('removes optional fields absent from the update (e.g. unassigning)', async () => {
        const conversation = await stored({
          status: 'assigned',
          assignedAgent: newId(),
          assignedAt: minutesAfterBase(1),
        });
        const { assignedAgent: _agent, assignedAt: _at, ...unassigned } = conversation;

        await repo.update({ ...unassigned, status: 'open' });

        const found = await repo.findById(conversation.id);
        expect(found).toEqual({ ...unassigned, status: 'open', version: conversation.version + 1 });
        expect(found).not.toHaveProperty('assignedAgent');
        expect(found).not.toHaveProperty('assignedAt');
        expect(await listIds({ unassigned: true })).toEqual([conversation.id]);
      });

      it('removes an optional field given as undefined in the update', async () => {
        const conversation = await stored({ status: 'assigned', assignedAgent: newId() });

        const returned = await repo.update({ ...conversation, status: 'open', assignedAgent: undefined });

        const found = await repo.findById(conversation.id);
        expect(found).not.toHaveProperty('assignedAgent');
        expect(returned).not.toHaveProperty('assignedAgent');
        expectNoAbsentValues(found);
        expectNoAbsentValues(returned);
      });

      it('refuses a stale version with ConcurrencyError and changes nothing', async () => {
        const conversation = await stored();
        const current = await repo.update({ ...conversation, priority: 'high' });

        await expectStaleWrite(() => repo.update({ ...conversation, priority: 'low' }));

        expect(await repo.findById(conversation.id)).toEqual(current);
      });

      it('lets exactly one of two racing updates of the same version win', async () => {
        const conversation = await stored();

        const results = await Promise.allSettled([
          repo.update({ ...conversation, assignedAgent: newId() }),
          repo.update({ ...conversation, assignedAgent: newId() }),
        ]);

        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect((await repo.findById(conversation.id))?.version).toBe(conversation.version + 1);
      });

      it('throws NotFoundError (CONVERSATION.NOT_FOUND) for a conversation that does not exist', async () => {
        await expectNotFound(() => repo.update(conversationRecord()), 'CONVERSATION.NOT_FOUND');
      });
    });

    describe('insertMany and updateMany (the batched inbound path)', () => {
      it('inserts several conversations in one call', async () => {
        const a = conversationRecord();
        const b = fullConversationRecord();

        await repo.insertMany([a, b]);

        expect(await repo.findById(a.id)).toEqual(a);
        expect(await repo.findById(b.id)).toEqual(b);
        await repo.insertMany([]);
      });

      it('stores each conversation whose version matches and reports the others as conflicts', async () => {
        const fresh = await stored();
        const stale = await stored();
        const current = await repo.update({ ...stale, priority: 'high' });
        const missing = conversationRecord();

        const result = await repo.updateMany([
          { ...fresh, status: 'assigned', assignedAgent: newId(), updatedAt: minutesAfterBase(2) },
          { ...stale, priority: 'low' },
          { ...missing, priority: 'low' },
        ]);

        const saved = await repo.findById(fresh.id);
        expect(saved).toMatchObject({ status: 'assigned', version: fresh.version + 1 });
        expect(result.updated).toEqual([saved]);
        expect(result.conflicts.sort()).toEqual([stale.id, missing.id].sort());
        expect(await repo.findById(stale.id)).toEqual(current);
        expect(await repo.findById(missing.id)).toBeNull();
        expect(await repo.updateMany([])).toEqual({ updated: [], conflicts: [] });
      });

      it('removes optional fields absent from a record of the batch', async () => {
        const conversation = await stored({ status: 'assigned', assignedAgent: newId() });
        const { assignedAgent: _agent, ...unassigned } = conversation;

        const { updated } = await repo.updateMany([{ ...unassigned, status: 'open' }]);

        const found = await repo.findById(conversation.id);
        expect(found).not.toHaveProperty('assignedAgent');
        expect(updated).toEqual([found]);
        expectNoAbsentValues(found);
      });

      it('lets exactly one of a batch and a racing single update of the same version win', async () => {
        const conversation = await stored();

        const [batch, single] = await Promise.allSettled([
          repo.updateMany([{ ...conversation, priority: 'high' }]),
          repo.update({ ...conversation, priority: 'low' }),
        ]);

        const batchWon = batch.status === 'fulfilled' && batch.value.updated.length === 1;
        const singleWon = single.status === 'fulfilled';
        expect(batchWon !== singleWon).toBe(true);
        const found = await repo.findById(conversation.id);
        expect(found?.version).toBe(conversation.version + 1);
        expect(found?.priority).toBe(batchWon ? 'high' : 'low');
      });
    });

    describe('list', () => {
      itPagesByKeyset(() => ({
        insertListed: (at) => stored({ updatedAt: at, createdAt: mirrored(at) }),
        list: (page) => repo.list({}, page),
        sortKey: (c) => c.updatedAt,
      }));

      describe('with a paged filter', () => {
        const customerId = newId();
        itPagesByKeyset(() => ({
          insertListed: (at) => stored({ customerId, status: 'waiting', updatedAt: at }),
          insertUnlisted: (at) => stored({ customerId, status: 'closed', updatedAt: at }),
          list: (page) => repo.list({ customerId, status: ['open', 'waiting'] }, page),
          sortKey: (c) => c.updatedAt,
        }));
      });

      describe('filters', () => {
        const ana = newId();
        const ben = newId();
        const customer = newId();
        let openQueued: ConversationPrimitives;
        let anaAssigned: ConversationPrimitives;
        let anaWaiting: ConversationPrimitives;
        let benAssigned: ConversationPrimitives;
        let resolvedQueued: ConversationPrimitives;

        beforeEach(async () => {
          openQueued = await stored({
            status: 'open',
            priority: 'urgent',
            category: 'sales',
            tags: ['promo'],
            customerId: customer,
          });
          anaAssigned = await stored({
            status: 'assigned',
            assignedAgent: ana,
            priority: 'high',
            tags: ['vip', 'promo'],
          });
          anaWaiting = await stored({
            status: 'waiting',
            assignedAgent: ana,
            category: 'billing',
            customerId: customer,
          });
          benAssigned = await stored({
            status: 'assigned',
            assignedAgent: ben,
            priority: 'high',
            category: 'billing',
            tags: ['vip'],
          });
          resolvedQueued = await stored({ status: 'resolved', category: 'sales', tags: [] });
        });

        it('status matches any of the given statuses', async () => {
          expect(await listIds({ status: ['assigned'] })).toEqual(idSet([anaAssigned, benAssigned]));
          expect(await listIds({ status: ['open', 'resolved'] })).toEqual(
            idSet([openQueued, resolvedQueued]),
          );
          expect(await listIds({ status: ['closed'] })).toEqual([]);
        });

        it('priority and category match exactly', async () => {
          expect(await listIds({ priority: 'high' })).toEqual(idSet([anaAssigned, benAssigned]));
          expect(await listIds({ priority: 'medium' })).toEqual(idSet([anaWaiting, resolvedQueued]));
          expect(await listIds({ category: 'billing' })).toEqual(idSet([anaWaiting, benAssigned]));
          expect(await listIds({ category: 'technical' })).toEqual([]);
        });

        it('assignedAgent matches conversations assigned to that agent', async () => {
          expect(await listIds({ assignedAgent: ana })).toEqual(idSet([anaAssigned, anaWaiting]));
          expect(await listIds({ assignedAgent: newId() })).toEqual([]);
        });

        it('unassigned: true is the queue (no agent); unassigned: false only assigned ones', async () => {
          expect(await listIds({ unassigned: true })).toEqual(idSet([openQueued, resolvedQueued]));
          expect(await listIds({ unassigned: false })).toEqual(idSet([anaAssigned, anaWaiting, benAssigned]));
        });

        it('visibleTo: assigned to that agent or unassigned', async () => {
          expect(await listIds({ visibleTo: ana })).toEqual(
            idSet([openQueued, resolvedQueued, anaAssigned, anaWaiting]),
          );
          expect(await listIds({ visibleTo: newId() })).toEqual(idSet([openQueued, resolvedQueued]));
        });

        it('tags match any of the given tags', async () => {
          expect(await listIds({ tags: ['promo'] })).toEqual(idSet([openQueued, anaAssigned]));
          expect(await listIds({ tags: ['promo', 'vip'] })).toEqual(
            idSet([openQueued, anaAssigned, benAssigned]),
          );
          expect(await listIds({ tags: ['none'] })).toEqual([]);
        });

        it('customerId matches that customer', async () => {
          expect(await listIds({ customerId: customer })).toEqual(idSet([openQueued, anaWaiting]));
        });

        it('empty status / tags arrays and an empty filter apply no restriction', async () => {
          const everything = idSet([openQueued, anaAssigned, anaWaiting, benAssigned, resolvedQueued]);
          expect(await listIds({})).toEqual(everything);
          expect(await listIds({ status: [], tags: [] })).toEqual(everything);
        });

        it('combines every given filter with AND', async () => {
          expect(await listIds({ visibleTo: ana, status: ['assigned', 'open'] })).toEqual(
            idSet([openQueued, anaAssigned]),
          );
          expect(await listIds({ visibleTo: ben, tags: ['vip'] })).toEqual(idSet([benAssigned]));
          expect(await listIds({ assignedAgent: ana, category: 'billing', customerId: customer })).toEqual(
            idSet([anaWaiting]),
          );
          expect(await listIds({ unassigned: true, category: 'sales', priority: 'urgent' })).toEqual(
            idSet([openQueued]),
          );
          expect(await listIds({ assignedAgent: ana, unassigned: true })).toEqual([]);
        });
      });
    });

    describe('listAllByCustomer', () => {
      it('returns every conversation of the customer (closed ones too), newest created first, unpaged', async () => {
        const customerId = newId();
        const made: ConversationPrimitives[] = [];
        for (let i = 0; i < 25; i++) {
          made.push(
            await stored({
              customerId,
              status: i % 2 ? 'closed' : 'open',
              createdAt: minutesAfterBase(i % 7),
              updatedAt: minutesAfterBase(-i),
            }),
          );
        }
        await stored();

        const all = await repo.listAllByCustomer(customerId);

        expect(all).toEqual(newestFirst(made, (c) => c.createdAt));
      });

      it('returns [] for a customer without conversations', async () => {
        await stored();
        expect(await repo.listAllByCustomer(newId())).toEqual([]);
      });
    });

    describe('listByStatus (background scans)', () => {
      it('returns the conversations whose status is one of the given ones, least recently updated first', async () => {
        const waiting = await stored({ status: 'waiting', updatedAt: minutesAfterBase(5) });
        const resolved = await stored({ status: 'resolved', updatedAt: minutesAfterBase(1) });
        const waitingOld = await stored({ status: 'waiting', updatedAt: minutesAfterBase(-10) });
        await stored({ status: 'open' });
        await stored({ status: 'closed' });

        const result = await repo.listByStatus(['waiting', 'resolved'], 10);

        expect(result).toEqual([waitingOld, resolved, waiting]);
      });

      it('returns at most `limit` conversations, the oldest ones', async () => {
        const made: ConversationPrimitives[] = [];
        for (let i = 0; i < 5; i++)
          made.push(await stored({ status: 'open', updatedAt: minutesAfterBase(i) }));

        const result = await repo.listByStatus(['open'], 2);

        expect(result.map((c) => c.id)).toEqual([made[0]!.id, made[1]!.id]);
      });

      it('returns [] for no statuses or no match', async () => {
        await stored({ status: 'open' });
        expect(await repo.listByStatus([], 10)).toEqual([]);
        expect(await repo.listByStatus(['closed'], 10)).toEqual([]);
      });
    });

    describe('countByStatus', () => {
      it('counts conversations per status, with every status present (zeros included)', async () => {
        await stored({ status: 'open' });
        await stored({ status: 'open' });
        await stored({ status: 'assigned' });
        await stored({ status: 'closed' });

        expect(await repo.countByStatus()).toEqual({
          open: 2,
          assigned: 1,
          waiting: 0,
          resolved: 0,
          closed: 1,
        });
      });

      it('returns all zeros when empty', async () => {
        expect(await repo.countByStatus()).toEqual({
          open: 0,
          assigned: 0,
          waiting: 0,
          resolved: 0,
          closed: 0,
        });
      });

      it('follows updates and deletes', async () => {
        const conversation = await stored({ status: 'open' });
        await repo.update({ ...conversation, status: 'resolved' });
        const other = await stored({ status: 'waiting' });
        await repo.delete(other.id);

        expect(await repo.countByStatus()).toEqual({
          open: 0,
          assigned: 0,
          waiting: 0,
          resolved: 1,
          closed: 0,
        });
      });
    });

    describe('listActiveBetween (reports)', () => {
      itListsActiveBetween(() => ({
        insert: (dates) => stored(dates),
        listActiveBetween: (range, limit) => repo.listActiveBetween(range, limit),
      }));
    });

    describe('delete', () => {
      it('removes only that conversation', async () => {
        const conversation = await stored();
        const other = await stored();

        await repo.delete(conversation.id);

        expect(await repo.findById(conversation.id)).toBeNull();
        expect(await repo.findById(other.id)).toEqual(other);
        expect((await repo.list({}, { limit: 10 })).items.map((c) => c.id)).toEqual([other.id]);
      });

      it('is idempotent: deleting a missing conversation does nothing', async () => {
        await expect(repo.delete(newId())).resolves.toBeUndefined();
      });
    });

    describe('id validation', () => {
      it('refuses malformed ids with ValidationError (VALIDATION.INVALID_ID) in every method taking one', async () => {
        await expectInvalidIdRefused((id) => repo.findById(id));
        await expectInvalidIdRefused((id) => repo.insert(conversationRecord({ id })));
        await expectInvalidIdRefused((id) => repo.update(conversationRecord({ id })));
        await expectInvalidIdRefused((id) => repo.findLatestOpenByCustomer(id));
        await expectInvalidIdRefused((id) => repo.listAllByCustomer(id));
        await expectInvalidIdRefused((id) => repo.delete(id));
        await expectInvalidIdRefused((id) => repo.list({ assignedAgent: id }, { limit: 10 }));
        await expectInvalidIdRefused((id) => repo.list({ visibleTo: id }, { limit: 10 }));
        await expectInvalidIdRefused((id) => repo.list({ customerId: id }, { limit: 10 }));
        expect((await repo.list({}, { limit: 10 })).items).toEqual([]);
      });
    });
  });
}
