import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationRepository, TicketRepository } from '../../src/application/ports/repositories.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { conversationRecord, ticketRecord } from '../support/records.js';
import { caught, expectInvalidIdRefused } from './contract-helpers.js';

type Make<R> = () => Promise<{ repo: R; cleanup(): Promise<void> }>;

const ascending = (ids: string[]) => [...ids].sort();

/**
 * `scanByStatus(statuses, { limit, afterId })` of ConversationRepository and TicketRepository
 * (ScanPage in src/application/ports/repositories.ts): the records in one of `statuses`, by id
 * ascending after `afterId`, at most `limit` (1..200); a walk visits each record exactly once even
 * when the records it visits are updated meanwhile.
 */
export function describeScanContract(
  name: string,
  makeConversations: Make<ConversationRepository>,
  makeTickets: Make<TicketRepository>,
): void {
  describe(`${name} ConversationRepository.scanByStatus contract`, () => {
    let repo: ConversationRepository;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ repo, cleanup } = await makeConversations());
    });
    afterEach(() => cleanup());

    it('walks every conversation of the statuses once, by id, page after page, while they are updated', async () => {
      const wanted = [];
      for (let i = 0; i < 7; i++) {
        const c = conversationRecord({ status: i % 2 === 0 ? 'open' : 'assigned', assignedAgent: undefined });
        await repo.insert(c);
        wanted.push(c.id);
      }
      for (const status of ['resolved', 'closed'] as const) await repo.insert(conversationRecord({ status }));

      const seen: string[] = [];
      let afterId: string | undefined;
      for (;;) {
        const page = await repo.scanByStatus(['open', 'assigned', 'waiting'], {
          limit: 3,
          ...(afterId ? { afterId } : {}),
        });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(3);
        for (const c of page) {
          seen.push(c.id);
          await repo.update({ ...c, updatedAt: new Date(c.updatedAt.getTime() + 60_000) }); // moves nothing
        }
        afterId = page.at(-1)!.id;
      }
      expect(seen).toEqual(ascending(wanted));
    });

    it('returns the records as stored, clamps the limit, and refuses a malformed afterId or status', async () => {
      const stored = conversationRecord({ status: 'waiting' });
      await repo.insert(stored);
      expect(await repo.scanByStatus(['waiting'], { limit: 0 })).toEqual([stored]);
      expect(await repo.scanByStatus(['open'], { limit: 10 })).toEqual([]);
      await expectInvalidIdRefused((bad) => repo.scanByStatus(['waiting'], { limit: 10, afterId: bad }));
      expect(await caught(() => repo.scanByStatus(['nope' as never], { limit: 10 }))).toBeInstanceOf(
        ValidationError,
      );
    });
  });

  describe(`${name} TicketRepository.scanByStatus contract`, () => {
    let repo: TicketRepository;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ repo, cleanup } = await makeTickets());
    });
    afterEach(() => cleanup());

    it('walks every ticket of the statuses once, by id, page after page', async () => {
      const wanted = [];
      for (const status of ['open', 'in_progress', 'waiting_customer', 'waiting_internal', 'open'] as const) {
        const t = ticketRecord({ status });
        await repo.insert(t);
        wanted.push(t.id);
      }
      await repo.insert(ticketRecord({ status: 'resolved' }));
      await repo.insert(ticketRecord({ status: 'closed' }));

      const statuses = ['open', 'in_progress', 'waiting_customer', 'waiting_internal'] as const;
      const first = await repo.scanByStatus([...statuses], { limit: 2 });
      const second = await repo.scanByStatus([...statuses], { limit: 2, afterId: first.at(-1)!.id });
      const third = await repo.scanByStatus([...statuses], { limit: 2, afterId: second.at(-1)!.id });
      const rest = await repo.scanByStatus([...statuses], { limit: 2, afterId: third.at(-1)!.id });
      expect([...first, ...second, ...third].map((t) => t.id)).toEqual(ascending(wanted));
      expect(rest).toEqual([]);
      expect(first[0]).toEqual(await repo.findById(first[0]!.id));
    });

    it('refuses a malformed afterId or status', async () => {
      await expectInvalidIdRefused((bad) => repo.scanByStatus(['open'], { limit: 10, afterId: bad }));
      expect(await caught(() => repo.scanByStatus(['nope' as never], { limit: 10 }))).toBeInstanceOf(
        ValidationError,
      );
    });
  });
}
