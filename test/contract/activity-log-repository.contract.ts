import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityLogRepository } from '../../src/application/ports/repositories.js';
import type { ActivityLogPrimitives } from '../../src/domain/activity/activity.types.js';
import { activityRecord, fullActivityRecord, minutesAfterBase, newId } from '../support/records.js';
import {
  expectDuplicate,
  expectInvalidIdRefused,
  expectNoAbsentValues,
  itPagesByKeyset,
} from './contract-helpers.js';

/**
 * What every ActivityLogRepository adapter promises (src/application/ports/repositories.ts):
 * an append-only log listed per entity and per agent, newest first.
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeActivityLogRepositoryContract(
  name: string,
  make: () => Promise<{ repo: ActivityLogRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} ActivityLogRepository contract`, () => {
    let repo: ActivityLogRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const appended = async (overrides?: Partial<ActivityLogPrimitives>) => {
      const entry = activityRecord(overrides);
      await repo.append(entry);
      return entry;
    };

    describe('append', () => {
      it('stores the entry as given, with absent optional fields omitted (not null)', async () => {
        const entry = await appended();

        const { items } = await repo.listByEntity(entry.entityType, entry.entityId, { limit: 10 });

        expect(items).toEqual([entry]);
        expectNoAbsentValues(items[0]);
        expect(items[0]).not.toHaveProperty('performedBy');
      });

      it('appends several entries in one call (appendMany)', async () => {
        const a = activityRecord();
        const b = fullActivityRecord();

        await repo.appendMany([a, b]);
        await repo.appendMany([]);

        expect((await repo.listByEntity(a.entityType, a.entityId, { limit: 10 })).items).toEqual([a]);
        expect((await repo.listByEntity(b.entityType, b.entityId, { limit: 10 })).items).toEqual([b]);
      });

      it('round-trips an entry with every optional field set (before/after snapshots included)', async () => {
        const entry = fullActivityRecord();
        await repo.append(entry);

        expect((await repo.listByEntity(entry.entityType, entry.entityId, { limit: 10 })).items).toEqual([
          entry,
        ]);
        expect((await repo.listByAgent(entry.performedBy!, { limit: 10 })).items).toEqual([entry]);
      });

      it('refuses a reused id (ACTIVITY.DUPLICATE_ID)', async () => {
        const entry = await appended();

        await expectDuplicate(
          () => repo.append(activityRecord({ id: entry.id, entityId: entry.entityId })),
          'ACTIVITY.DUPLICATE_ID',
        );

        expect((await repo.listByEntity(entry.entityType, entry.entityId, { limit: 10 })).items).toEqual([
          entry,
        ]);
      });

      it('stores a copy: changing the appended or returned object does not change the stored entry', async () => {
        const entry = fullActivityRecord();
        await repo.append(entry);
        const expected = structuredClone(entry);

        entry.details.changes.push('mutated');
        const listed = (await repo.listByEntity(entry.entityType, entry.entityId, { limit: 10 })).items[0]!;
        listed.details.after!.status = 'mutated';

        expect((await repo.listByEntity(entry.entityType, entry.entityId, { limit: 10 })).items).toEqual([
          expected,
        ]);
      });
    });

    describe('listByEntity', () => {
      const entityId = newId();
      itPagesByKeyset(() => ({
        insertListed: (at) => appended({ entityType: 'ticket', entityId, timestamp: at }),
        // Same id, other entity type: must not be listed.
        insertUnlisted: (at) => appended({ entityType: 'conversation', entityId, timestamp: at }),
        list: (page) => repo.listByEntity('ticket', entityId, page),
        sortKey: (e) => e.timestamp,
      }));

      it('lists only the entries of that entity type and id, newest first', async () => {
        const ticketId = newId();
        const older = await appended({
          entityType: 'ticket',
          entityId: ticketId,
          timestamp: minutesAfterBase(1),
        });
        const newer = await appended({
          entityType: 'ticket',
          entityId: ticketId,
          timestamp: minutesAfterBase(2),
        });
        await appended({ entityType: 'customer', entityId: ticketId });
        await appended({ entityType: 'ticket', entityId: newId() });

        expect((await repo.listByEntity('ticket', ticketId, { limit: 10 })).items).toEqual([newer, older]);
      });
    });

    describe('listByAgent', () => {
      const agentId = newId();
      itPagesByKeyset(() => ({
        insertListed: (at) => appended({ performedBy: agentId, timestamp: at }),
        insertUnlisted: (at) => appended({ performedBy: newId(), timestamp: at }),
        list: (page) => repo.listByAgent(agentId, page),
        sortKey: (e) => e.timestamp,
      }));

      it('lists what the agent did (whatever the entity), newest first; system entries are not listed', async () => {
        const agent = newId();
        const onTicket = await appended({
          performedBy: agent,
          entityType: 'ticket',
          timestamp: minutesAfterBase(1),
        });
        const onCustomer = await appended({
          performedBy: agent,
          entityType: 'customer',
          timestamp: minutesAfterBase(5),
        });
        await appended({ timestamp: minutesAfterBase(9) }); // by the system
        await appended({ performedBy: newId() });

        expect((await repo.listByAgent(agent, { limit: 10 })).items).toEqual([onCustomer, onTicket]);
      });
    });

    describe('id validation', () => {
      it('refuses malformed ids with ValidationError (VALIDATION.INVALID_ID) in every method taking one', async () => {
        await expectInvalidIdRefused((id) => repo.append(activityRecord({ id })));
        await expectInvalidIdRefused((id) => repo.listByEntity('ticket', id, { limit: 10 }));
        await expectInvalidIdRefused((id) => repo.listByAgent(id, { limit: 10 }));
      });
    });
  });
}
