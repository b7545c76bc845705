import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TicketFilter, TicketRepository } from '../../src/application/ports/repositories.js';
import type { TicketPrimitives } from '../../src/domain/ticket/ticket.types.js';
import { fullTicketRecord, minutesAfterBase, newId, ticketRecord } from '../support/records.js';
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
 * What every TicketRepository adapter promises (src/application/ports/repositories.ts).
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeTicketRepositoryContract(
  name: string,
  make: () => Promise<{ repo: TicketRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} TicketRepository contract`, () => {
    let repo: TicketRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const stored = async (overrides?: Partial<TicketPrimitives>) => {
      const ticket = ticketRecord(overrides);
      await repo.insert(ticket);
      return ticket;
    };
    const listIds = async (filter: TicketFilter) => idSet((await repo.list(filter, { limit: 200 })).items);

    describe('insert and find', () => {
      it('returns by id exactly what was inserted, with absent optional fields omitted (not null)', async () => {
        const ticket = await stored();

        const found = await repo.findById(ticket.id);

        expect(found).toEqual(ticket);
        expectNoAbsentValues(found);
        expect(found).not.toHaveProperty('assignedAgent');
        expect(found).not.toHaveProperty('resolution');
      });

      it('stores an optional field given as undefined as absent (never null)', async () => {
        const record = { ...ticketRecord(), assignedAgent: undefined, closedAt: undefined };
        await repo.insert(record);

        const found = await repo.findById(record.id);

        expect(found).toEqual(record);
        expect(found).not.toHaveProperty('assignedAgent');
        expect(found).not.toHaveProperty('closedAt');
        expectNoAbsentValues(found);
      });

      it('round-trips a record with every optional field set', async () => {
        const ticket = fullTicketRecord();
        await repo.insert(ticket);

        const found = await repo.findById(ticket.id);

        expect(found).toEqual(ticket);
        expect(found?.resolution?.resolvedAt).toBeInstanceOf(Date);
        expectNoAbsentValues(found);
      });

      it('finds by ticket number', async () => {
        const ticket = await stored({ ticketId: 'TICKET-2025-000042' });
        await stored({ ticketId: 'TICKET-2025-000043' });

        expect(await repo.findByTicketId('TICKET-2025-000042')).toEqual(ticket);
        expect(await repo.findByTicketId('TICKET-2025-999999')).toBeNull();
        expect(await repo.findById(newId())).toBeNull();
      });

      it('refuses a second ticket with the same ticket number (TICKET.DUPLICATE_TICKETID)', async () => {
        const first = await stored({ ticketId: 'TICKET-2025-000001' });

        await expectDuplicate(
          () => repo.insert(ticketRecord({ ticketId: 'TICKET-2025-000001' })),
          'TICKET.DUPLICATE_TICKETID',
        );

        expect(await repo.findByTicketId('TICKET-2025-000001')).toEqual(first);
        expect((await repo.list({}, { limit: 10 })).items).toHaveLength(1);
      });

      it('refuses a reused id (TICKET.DUPLICATE_ID)', async () => {
        const first = await stored();

        await expectDuplicate(() => repo.insert(ticketRecord({ id: first.id })), 'TICKET.DUPLICATE_ID');

        expect(await repo.findById(first.id)).toEqual(first);
      });

      it('stores a copy: changing the inserted or returned object does not change the stored ticket', async () => {
        const ticket = fullTicketRecord();
        await repo.insert(ticket);
        const expected = structuredClone(ticket);

        ticket.notes[0]!.content = 'mutated';
        const found = (await repo.findById(ticket.id))!;
        found.labels.push({ name: 'x', color: '#000' });
        found.resolution!.steps.pop();
        const listed = (await repo.list({}, { limit: 10 })).items[0]!;
        listed.tags.length = 0;
        const all = await repo.listAllByCustomer(ticket.customerId);
        all[0]!.relatedTickets.pop();

        expect(await repo.findById(ticket.id)).toEqual(expected);
      });
    });

    describe('update (optimistic concurrency)', () => {
      it('stores the record with version + 1 and returns what it stored', async () => {
        const ticket = await stored();

        const changed = {
          ...ticket,
          status: 'in_progress' as const,
          assignedAgent: newId(),
          updatedAt: minutesAfterBase(9),
          lastActivityAt: minutesAfterBase(9),
        };
        const returned = await repo.update(changed);

        expect(returned).toEqual({ ...changed, version: ticket.version + 1 });
        expect(await repo.findById(ticket.id)).toEqual(returned);
      });

      it('removes optional fields absent from the update', async () => {
        const ticket = fullTicketRecord();
        await repo.insert(ticket);
        const { resolution: _r, closedAt: _c, waitingCustomerSince: _w, ...reopened } = ticket;

        await repo.update({ ...reopened, status: 'open' });

        const found = await repo.findById(ticket.id);
        expect(found).toEqual({ ...reopened, status: 'open', version: ticket.version + 1 });
        expect(found).not.toHaveProperty('resolution');
        expect(found).not.toHaveProperty('closedAt');
        expectNoAbsentValues(found);
      });

      it('removes an optional field given as undefined in the update', async () => {
        const ticket = await stored({ assignedAgent: newId() });

        const returned = await repo.update({ ...ticket, assignedAgent: undefined });

        expect(await repo.findById(ticket.id)).not.toHaveProperty('assignedAgent');
        expect(returned).not.toHaveProperty('assignedAgent');
        expectNoAbsentValues(returned);
      });

      it('refuses a stale version with ConcurrencyError and changes nothing', async () => {
        const ticket = await stored();
        const current = await repo.update({ ...ticket, priority: 'high' });

        await expectStaleWrite(() => repo.update({ ...ticket, priority: 'low' }));

        expect(await repo.findById(ticket.id)).toEqual(current);
      });

      it('throws NotFoundError (TICKET.NOT_FOUND) for a ticket that does not exist', async () => {
        await expectNotFound(() => repo.update(ticketRecord()), 'TICKET.NOT_FOUND');
      });

      it("refuses to take another ticket's number (TICKET.DUPLICATE_TICKETID)", async () => {
        await stored({ ticketId: 'TICKET-2025-000007' });
        const ticket = await stored({ ticketId: 'TICKET-2025-000008' });

        await expectDuplicate(
          () => repo.update({ ...ticket, ticketId: 'TICKET-2025-000007' }),
          'TICKET.DUPLICATE_TICKETID',
        );

        expect(await repo.findById(ticket.id)).toEqual(ticket);
      });
    });

    describe('list', () => {
      itPagesByKeyset(() => ({
        insertListed: (at) =>
          stored({ updatedAt: at, createdAt: mirrored(at), lastActivityAt: mirrored(at) }),
        list: (page) => repo.list({}, page),
        sortKey: (t) => t.updatedAt,
      }));

      describe('with a paged filter', () => {
        const assignedAgent = newId();
        itPagesByKeyset(() => ({
          insertListed: (at) => stored({ assignedAgent, status: 'in_progress', updatedAt: at }),
          insertUnlisted: (at) => stored({ assignedAgent, status: 'closed', updatedAt: at }),
          list: (page) => repo.list({ assignedAgent, status: ['open', 'in_progress'] }, page),
          sortKey: (t) => t.updatedAt,
        }));
      });

      describe('filters', () => {
        const ana = newId();
        const customer = newId();
        const conversation = newId();
        let openBilling: TicketPrimitives;
        let anaUrgent: TicketPrimitives;
        let anaWaiting: TicketPrimitives;
        let escalatedBug: TicketPrimitives;

        beforeEach(async () => {
          openBilling = await stored({
            category: 'billing',
            tags: ['refund'],
            customerId: customer,
            conversationId: conversation,
          });
          anaUrgent = await stored({
            assignedAgent: ana,
            status: 'in_progress',
            priority: 'urgent',
            tags: ['refund', 'card'],
          });
          anaWaiting = await stored({
            assignedAgent: ana,
            status: 'waiting_customer',
            category: 'billing',
            customerId: customer,
          });
          escalatedBug = await stored({
            status: 'resolved',
            category: 'bug_report',
            escalated: true,
            priority: 'urgent',
            tags: ['app'],
          });
        });

        it('status matches any of the given statuses', async () => {
          expect(await listIds({ status: ['in_progress', 'waiting_customer'] })).toEqual(
            idSet([anaUrgent, anaWaiting]),
          );
          expect(await listIds({ status: ['open'] })).toEqual(idSet([openBilling]));
          expect(await listIds({ status: ['closed'] })).toEqual([]);
        });

        it('priority and category match exactly', async () => {
          expect(await listIds({ priority: 'urgent' })).toEqual(idSet([anaUrgent, escalatedBug]));
          expect(await listIds({ category: 'billing' })).toEqual(idSet([openBilling, anaWaiting]));
          expect(await listIds({ category: 'other' })).toEqual([]);
        });

        it('assignedAgent, customerId and conversationId match exactly', async () => {
          expect(await listIds({ assignedAgent: ana })).toEqual(idSet([anaUrgent, anaWaiting]));
          expect(await listIds({ customerId: customer })).toEqual(idSet([openBilling, anaWaiting]));
          expect(await listIds({ conversationId: conversation })).toEqual(idSet([openBilling]));
          expect(await listIds({ assignedAgent: newId() })).toEqual([]);
        });

        it('visibleTo: assigned to that agent or unassigned', async () => {
          expect(await listIds({ visibleTo: ana })).toEqual(
            idSet([openBilling, anaUrgent, anaWaiting, escalatedBug]),
          );
          expect(await listIds({ visibleTo: newId() })).toEqual(idSet([openBilling, escalatedBug]));
          expect(await listIds({ visibleTo: ana, status: ['open', 'in_progress'] })).toEqual(
            idSet([openBilling, anaUrgent]),
          );
        });

        it('tags match any of the given tags', async () => {
          expect(await listIds({ tags: ['refund'] })).toEqual(idSet([openBilling, anaUrgent]));
          expect(await listIds({ tags: ['card', 'app'] })).toEqual(idSet([anaUrgent, escalatedBug]));
          expect(await listIds({ tags: ['none'] })).toEqual([]);
        });

        it('escalated: true and false', async () => {
          expect(await listIds({ escalated: true })).toEqual(idSet([escalatedBug]));
          expect(await listIds({ escalated: false })).toEqual(idSet([openBilling, anaUrgent, anaWaiting]));
        });

        it('empty status / tags arrays apply no restriction; filters combine with AND', async () => {
          expect(await listIds({ status: [], tags: [] })).toEqual(
            idSet([openBilling, anaUrgent, anaWaiting, escalatedBug]),
          );
          expect(await listIds({ assignedAgent: ana, category: 'billing', customerId: customer })).toEqual(
            idSet([anaWaiting]),
          );
          expect(await listIds({ priority: 'urgent', escalated: false, tags: ['card'] })).toEqual(
            idSet([anaUrgent]),
          );
          expect(await listIds({ priority: 'urgent', status: ['open'] })).toEqual([]);
        });
      });
    });

    describe('listByConversations', () => {
      it('returns the tickets of any of the conversations in one of the statuses', async () => {
        const c1 = newId();
        const c2 = newId();
        const a = await stored({ conversationId: c1, status: 'waiting_customer' });
        const b = await stored({ conversationId: c2, status: 'waiting_customer' });
        await stored({ conversationId: c1, status: 'open' });
        await stored({ conversationId: newId(), status: 'waiting_customer' });

        const found = await repo.listByConversations([c1, c2, newId()], ['waiting_customer']);

        expect(idSet(found)).toEqual(idSet([a, b]));
        expect(await repo.listByConversations([], ['waiting_customer'])).toEqual([]);
        await expect(repo.listByConversations(['nope'], ['open'])).rejects.toMatchObject({
          code: 'VALIDATION.INVALID_ID',
        });
      });
    });

    describe('listAllByCustomer', () => {
      it('returns every ticket of the customer, newest created first, unpaged', async () => {
        const customerId = newId();
        const made: TicketPrimitives[] = [];
        for (let i = 0; i < 23; i++) {
          made.push(
            await stored({
              customerId,
              status: i % 3 ? 'open' : 'closed',
              createdAt: minutesAfterBase(i % 5),
              updatedAt: minutesAfterBase(-i),
            }),
          );
        }
        await stored();

        expect(await repo.listAllByCustomer(customerId)).toEqual(newestFirst(made, (t) => t.createdAt));
        expect(await repo.listAllByCustomer(newId())).toEqual([]);
      });
    });

    describe('listActiveBetween (reports)', () => {
      itListsActiveBetween(() => ({
        insert: (dates) => stored({ ...dates, lastActivityAt: dates.updatedAt }),
        listActiveBetween: (range, limit) => repo.listActiveBetween(range, limit),
      }));
    });

    describe('id validation', () => {
      it('refuses malformed ids with ValidationError (VALIDATION.INVALID_ID) in every method taking one', async () => {
        await expectInvalidIdRefused((id) => repo.findById(id));
        await expectInvalidIdRefused((id) => repo.insert(ticketRecord({ id })));
        await expectInvalidIdRefused((id) => repo.update(ticketRecord({ id })));
        await expectInvalidIdRefused((id) => repo.listAllByCustomer(id));
        await expectInvalidIdRefused((id) => repo.list({ assignedAgent: id }, { limit: 10 }));
        await expectInvalidIdRefused((id) => repo.list({ visibleTo: id }, { limit: 10 }));
        await expectInvalidIdRefused((id) => repo.list({ customerId: id }, { limit: 10 }));
        await expectInvalidIdRefused((id) => repo.list({ conversationId: id }, { limit: 10 }));
        expect((await repo.list({}, { limit: 10 })).items).toEqual([]);
      });
    });
  });
}
