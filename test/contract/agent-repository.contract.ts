import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentRepository } from '../../src/application/ports/repositories.js';
import type { AgentPrimitives } from '../../src/domain/agent/agent.types.js';
import { ConcurrencyError } from '../../src/domain/shared/errors.js';
import { agentRecord, fullAgentRecord, minutesAfterBase, newId } from '../support/records.js';
import {
  expectDuplicate,
  expectInvalidIdRefused,
  expectNoAbsentValues,
  expectNotFound,
  expectStaleWrite,
  idSet,
  itPagesByKeyset,
  mirrored,
} from './contract-helpers.js';

/**
 * What every AgentRepository adapter promises (src/application/ports/repositories.ts).
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeAgentRepositoryContract(
  name: string,
  make: () => Promise<{ repo: AgentRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} AgentRepository contract`, () => {
    let repo: AgentRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const stored = async (overrides?: Partial<AgentPrimitives>) => {
      const agent = agentRecord(overrides);
      await repo.insert(agent);
      return agent;
    };

    describe('insert and find', () => {
      it('returns by id exactly what was inserted, with absent optional fields omitted (not null)', async () => {
        const agent = await stored();

        const found = await repo.findById(agent.id);

        expect(found).toEqual(agent);
        expectNoAbsentValues(found);
        expect(found).not.toHaveProperty('phone');
        expect(found).not.toHaveProperty('lastLogin');
      });

      it('stores an optional field given as undefined as absent (never null)', async () => {
        const record = { ...agentRecord(), phone: undefined, lastLogin: undefined };
        await repo.insert(record);

        const found = await repo.findById(record.id);

        expect(found).toEqual(record);
        expect(found).not.toHaveProperty('phone');
        expect(found).not.toHaveProperty('lastLogin');
        expectNoAbsentValues(found);
      });

      it('round-trips a record with every optional field set (Dates as Dates)', async () => {
        const agent = fullAgentRecord();
        await repo.insert(agent);

        const found = await repo.findById(agent.id);

        expect(found).toEqual(agent);
        expect(found?.lastLogin).toBeInstanceOf(Date);
        expectNoAbsentValues(found);
      });

      it('returns null for an unknown id or e-mail', async () => {
        await stored();
        expect(await repo.findById(newId())).toBeNull();
        expect(await repo.findByEmail('nobody@example.com')).toBeNull();
      });

      it('finds by e-mail, ignoring the case and surrounding spaces of the argument', async () => {
        const agent = await stored({ email: 'ana.torres@example.com' });
        await stored({ email: 'other@example.com' });

        expect(await repo.findByEmail('ana.torres@example.com')).toEqual(agent);
        expect(await repo.findByEmail('  Ana.Torres@EXAMPLE.com ')).toEqual(agent);
      });

      it('refuses a second agent with the same e-mail (AGENT.DUPLICATE_EMAIL) and keeps the first', async () => {
        const first = await stored({ email: 'dup@example.com' });

        await expectDuplicate(
          () => repo.insert(agentRecord({ email: 'dup@example.com' })),
          'AGENT.DUPLICATE_EMAIL',
        );

        expect(await repo.count()).toBe(1);
        expect(await repo.findByEmail('dup@example.com')).toEqual(first);
      });

      it('refuses a reused id (AGENT.DUPLICATE_ID)', async () => {
        const first = await stored();

        await expectDuplicate(() => repo.insert(agentRecord({ id: first.id })), 'AGENT.DUPLICATE_ID');

        expect(await repo.findById(first.id)).toEqual(first);
      });

      it('stores a copy: changing the inserted or returned object does not change the stored agent', async () => {
        const agent = await stored();
        const expected = structuredClone(agent);

        agent.firstName = 'Changed';
        agent.statistics.totalConversations = 99;
        const found = (await repo.findById(agent.id))!;
        found.preferences.notifications.email = false;
        found.permissions.push('system:admin');
        const listed = (await repo.list({}, { limit: 10 })).items[0]!;
        listed.lastName = 'Changed';

        expect(await repo.findById(agent.id)).toEqual(expected);
      });
    });

    describe('update (optimistic concurrency)', () => {
      it('stores the record with version + 1 and returns what it stored', async () => {
        const agent = await stored();

        const changed = {
          ...agent,
          firstName: 'Beatriz',
          status: 'online' as const,
          updatedAt: minutesAfterBase(5),
        };
        const returned = await repo.update(changed);

        expect(returned).toEqual({ ...changed, version: agent.version + 1 });
        expect(await repo.findById(agent.id)).toEqual(returned);
      });

      it('replaces the whole record: an optional field absent from the update is removed', async () => {
        const agent = fullAgentRecord();
        await repo.insert(agent);
        const { department: _department, supervisorId: _supervisorId, ...withoutSome } = agent;

        const returned = await repo.update(withoutSome);

        const found = await repo.findById(agent.id);
        expect(found).toEqual({ ...withoutSome, version: agent.version + 1 });
        expect(found).not.toHaveProperty('department');
        expect(found).not.toHaveProperty('supervisorId');
        expect(returned).not.toHaveProperty('department');
        expectNoAbsentValues(found);
      });

      it('accepts successive updates, each with the version the previous one returned', async () => {
        const agent = await stored();

        const v2 = await repo.update({ ...agent, firstName: 'B' });
        const v3 = await repo.update({ ...v2, firstName: 'C' });

        expect(v3.version).toBe(agent.version + 2);
        expect((await repo.findById(agent.id))?.firstName).toBe('C');
      });

      it('refuses a stale version with ConcurrencyError and changes nothing', async () => {
        const agent = await stored();
        const current = await repo.update({ ...agent, firstName: 'First writer' });

        await expectStaleWrite(() => repo.update({ ...agent, firstName: 'Second writer' }));
        await expectStaleWrite(() => repo.update({ ...agent, version: agent.version + 5 }));

        expect(await repo.findById(agent.id)).toEqual(current);
      });

      it('lets exactly one of two racing updates of the same version win', async () => {
        const agent = await stored();

        const results = await Promise.allSettled([
          repo.update({ ...agent, firstName: 'A' }),
          repo.update({ ...agent, firstName: 'B' }),
        ]);

        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.filter((r) => r.status === 'rejected');
        expect(rejected).toHaveLength(1);
        expect(rejected[0]?.reason).toBeInstanceOf(ConcurrencyError);
        expect((await repo.findById(agent.id))?.version).toBe(agent.version + 1);
      });

      it('throws NotFoundError (AGENT.NOT_FOUND) for an agent that does not exist', async () => {
        await expectNotFound(() => repo.update(agentRecord()), 'AGENT.NOT_FOUND');
        expect(await repo.count()).toBe(0);
      });

      it("refuses to take another agent's e-mail (AGENT.DUPLICATE_EMAIL) and changes nothing", async () => {
        await stored({ email: 'taken@example.com' });
        const agent = await stored({ email: 'mine@example.com' });

        await expectDuplicate(
          () => repo.update({ ...agent, email: 'taken@example.com' }),
          'AGENT.DUPLICATE_EMAIL',
        );

        expect(await repo.findById(agent.id)).toEqual(agent);
      });
    });

    describe('list', () => {
      itPagesByKeyset(() => ({
        insertListed: (at) => stored({ createdAt: at, updatedAt: mirrored(at) }),
        list: (page) => repo.list({}, page),
        sortKey: (a) => a.createdAt,
      }));

      it('filters by role, status and isActive (combined with AND)', async () => {
        const admin = await stored({ role: 'admin', status: 'online' });
        const supervisor = await stored({ role: 'supervisor', status: 'away' });
        const onlineAgent = await stored({ role: 'agent', status: 'online' });
        const inactive = await stored({ role: 'agent', status: 'online', isActive: false });
        const offline = await stored({ role: 'agent', status: 'offline' });
        const all = { limit: 200 };

        expect(idSet((await repo.list({ role: 'agent' }, all)).items)).toEqual(
          idSet([onlineAgent, inactive, offline]),
        );
        expect(idSet((await repo.list({ role: 'admin' }, all)).items)).toEqual(idSet([admin]));
        expect(idSet((await repo.list({ status: 'online' }, all)).items)).toEqual(
          idSet([admin, onlineAgent, inactive]),
        );
        expect(idSet((await repo.list({ isActive: false }, all)).items)).toEqual(idSet([inactive]));
        expect(idSet((await repo.list({ isActive: true }, all)).items)).toEqual(
          idSet([admin, supervisor, onlineAgent, offline]),
        );
        expect(
          idSet((await repo.list({ role: 'agent', status: 'online', isActive: true }, all)).items),
        ).toEqual(idSet([onlineAgent]));
        expect(idSet((await repo.list({}, all)).items)).toEqual(
          idSet([admin, supervisor, onlineAgent, inactive, offline]),
        );
        expect((await repo.list({ role: 'supervisor', status: 'online' }, all)).items).toEqual([]);
      });

      it('pages within a filter', async () => {
        const admins: AgentPrimitives[] = [];
        for (let i = 0; i < 7; i++) {
          admins.push(await stored({ role: 'admin', createdAt: minutesAfterBase(i) }));
          await stored({ role: 'agent', createdAt: minutesAfterBase(i) });
        }

        const first = await repo.list({ role: 'admin' }, { limit: 4 });
        const second = await repo.list({ role: 'admin' }, { limit: 4, cursor: first.nextCursor });

        expect([...first.items, ...second.items].map((a) => a.id)).toEqual(admins.reverse().map((a) => a.id));
        expect(second.nextCursor).toBeUndefined();
      });
    });

    describe('listOnline, listSupervisors, count', () => {
      it('listOnline returns the active agents whose status is online (any role)', async () => {
        const online = await stored({ status: 'online' });
        const onlineAdmin = await stored({ status: 'online', role: 'admin' });
        await stored({ status: 'online', isActive: false });
        await stored({ status: 'busy' });
        await stored({ status: 'away' });
        await stored({ status: 'offline' });

        const result = await repo.listOnline();

        expect(idSet(result)).toEqual(idSet([online, onlineAdmin]));
        expect(result.find((a) => a.id === online.id)).toEqual(online);
      });

      it('listSupervisors returns the active supervisors and admins, whatever their status', async () => {
        const supervisor = await stored({ role: 'supervisor', status: 'offline' });
        const admin = await stored({ role: 'admin', status: 'online' });
        await stored({ role: 'supervisor', isActive: false });
        await stored({ role: 'agent', status: 'online' });

        const result = await repo.listSupervisors();

        expect(idSet(result)).toEqual(idSet([supervisor, admin]));
        expect(result.find((a) => a.id === admin.id)).toEqual(admin);
      });

      it('both return [] when nobody qualifies', async () => {
        await stored({ role: 'agent', status: 'offline' });
        expect(await repo.listOnline()).toEqual([]);
        expect(await repo.listSupervisors()).toEqual([]);
      });

      it('count counts every agent, active or not', async () => {
        expect(await repo.count()).toBe(0);
        await stored();
        await stored({ isActive: false });
        await stored({ role: 'admin' });
        expect(await repo.count()).toBe(3);
      });
    });

    describe('statistics counters (atomic, outside optimistic concurrency)', () => {
      it('incrementStatistics adds each delta (negative too) and changes nothing else, not even version', async () => {
        const agent = await stored({
          statistics: {
            totalConversations: 3,
            resolvedConversations: 1,
            averageResponseTime: 2,
            currentActiveConversations: 2,
          },
        });

        await repo.incrementStatistics(agent.id, { totalConversations: 2, resolvedConversations: 1 });
        await repo.incrementStatistics(agent.id, { currentActiveConversations: -1, totalConversations: 1 });

        expect(await repo.findById(agent.id)).toEqual({
          ...agent,
          statistics: {
            totalConversations: 6,
            resolvedConversations: 2,
            averageResponseTime: 2,
            currentActiveConversations: 1,
          },
        });
      });

      it('loses no increment when many run concurrently', async () => {
        const agent = await stored();

        await Promise.all(
          Array.from({ length: 20 }, () => repo.incrementStatistics(agent.id, { totalConversations: 1 })),
        );

        expect((await repo.findById(agent.id))?.statistics.totalConversations).toBe(20);
      });

      it('an update based on the version read before an increment still succeeds and keeps the increment', async () => {
        const agent = await stored();
        await repo.incrementStatistics(agent.id, { totalConversations: 1 });

        const returned = await repo.update({ ...agent, firstName: 'Later' });

        expect(returned.version).toBe(agent.version + 1);
        expect(returned.statistics.totalConversations).toBe(agent.statistics.totalConversations + 1);
        expect((await repo.findById(agent.id))?.statistics.totalConversations).toBe(
          agent.statistics.totalConversations + 1,
        );
      });

      it('update never writes statistics: they belong to incrementStatistics and setStatistics', async () => {
        const agent = await stored();
        await repo.update({ ...agent, statistics: { ...agent.statistics, resolvedConversations: 999 } });
        expect((await repo.findById(agent.id))?.statistics).toEqual(agent.statistics);
      });

      it('setStatistics sets only the given fields, without bumping version', async () => {
        const agent = await stored();
        await repo.incrementStatistics(agent.id, { totalConversations: 2 });
        await repo.setStatistics(agent.id, { averageResponseTime: 12.5 });
        const found = await repo.findById(agent.id);
        expect(found?.statistics).toEqual({
          ...agent.statistics,
          totalConversations: agent.statistics.totalConversations + 2,
          averageResponseTime: 12.5,
        });
        expect(found?.version).toBe(agent.version);
        await expectNotFound(
          () => repo.setStatistics(newId(), { averageResponseTime: 1 }),
          'AGENT.NOT_FOUND',
        );
      });

      it('incrementStatistics throws NotFoundError (AGENT.NOT_FOUND) for a missing agent', async () => {
        await expectNotFound(
          () => repo.incrementStatistics(newId(), { totalConversations: 1 }),
          'AGENT.NOT_FOUND',
        );
      });
    });

    describe('conversation slots', () => {
      const withActive = (current: number) =>
        stored({
          statistics: {
            totalConversations: 0,
            resolvedConversations: 0,
            averageResponseTime: 0,
            currentActiveConversations: current,
          },
        });
      const active = async (id: string) => (await repo.findById(id))?.statistics.currentActiveConversations;

      it('reserveConversationSlot takes a slot while below max, then refuses and changes nothing', async () => {
        const agent = await withActive(1);

        expect(await repo.reserveConversationSlot(agent.id, 3)).toBe(true);
        expect(await repo.reserveConversationSlot(agent.id, 3)).toBe(true);
        expect(await active(agent.id)).toBe(3);

        expect(await repo.reserveConversationSlot(agent.id, 3)).toBe(false);
        expect(await repo.findById(agent.id)).toEqual({
          ...agent,
          statistics: { ...agent.statistics, currentActiveConversations: 3 },
        });
      });

      it('refuses when the agent is already over max, or max is 0', async () => {
        const agent = await withActive(5);

        expect(await repo.reserveConversationSlot(agent.id, 3)).toBe(false);
        expect(await repo.reserveConversationSlot(agent.id, 0)).toBe(false);
        expect(await active(agent.id)).toBe(5);
      });

      it('never lets racing reservations push an agent over max (10 racing for 3 slots)', async () => {
        const agent = await withActive(0);

        const results = await Promise.all(
          Array.from({ length: 10 }, () => repo.reserveConversationSlot(agent.id, 3)),
        );

        expect(results.filter((r) => r === true)).toHaveLength(3);
        expect(results.filter((r) => r === false)).toHaveLength(7);
        expect(await active(agent.id)).toBe(3);
      });

      it('releaseConversationSlot gives one slot back, never going below zero', async () => {
        const agent = await withActive(2);

        await repo.releaseConversationSlot(agent.id);
        expect(await active(agent.id)).toBe(1);
        await repo.releaseConversationSlot(agent.id);
        await repo.releaseConversationSlot(agent.id);
        await repo.releaseConversationSlot(agent.id);
        expect(await active(agent.id)).toBe(0);

        expect(await repo.reserveConversationSlot(agent.id, 1)).toBe(true);
        expect(await active(agent.id)).toBe(1);
      });

      it('racing releases never go below zero', async () => {
        const agent = await withActive(2);

        await Promise.all(Array.from({ length: 6 }, () => repo.releaseConversationSlot(agent.id)));

        expect(await active(agent.id)).toBe(0);
      });

      it('slot changes do not bump version: a later update with the read version succeeds', async () => {
        const agent = await withActive(0);
        await repo.reserveConversationSlot(agent.id, 2);
        await repo.releaseConversationSlot(agent.id);

        expect((await repo.findById(agent.id))?.version).toBe(agent.version);
        await expect(repo.update({ ...agent, firstName: 'X' })).resolves.toMatchObject({
          version: agent.version + 1,
        });
      });

      it('throw NotFoundError (AGENT.NOT_FOUND) for a missing agent', async () => {
        await expectNotFound(() => repo.reserveConversationSlot(newId(), 3), 'AGENT.NOT_FOUND');
        await expectNotFound(() => repo.releaseConversationSlot(newId()), 'AGENT.NOT_FOUND');
      });
    });

    describe('touch (presence, last writer wins)', () => {
      it('sets only the given fields, without a version check and without bumping version', async () => {
        const agent = await stored({ status: 'offline' });

        await repo.touch(agent.id, { status: 'online', lastLogin: minutesAfterBase(1) });
        expect(await repo.findById(agent.id)).toEqual({
          ...agent,
          status: 'online',
          lastLogin: minutesAfterBase(1),
        });

        await repo.touch(agent.id, { lastActivity: minutesAfterBase(2) });
        expect(await repo.findById(agent.id)).toEqual({
          ...agent,
          status: 'online',
          lastLogin: minutesAfterBase(1),
          lastActivity: minutesAfterBase(2),
        });
      });

      it('applies even when the caller holds an old version', async () => {
        const agent = await stored();
        await repo.update({ ...agent, firstName: 'Newer' });

        await repo.touch(agent.id, { status: 'away' });

        expect(await repo.findById(agent.id)).toMatchObject({
          status: 'away',
          firstName: 'Newer',
          version: 2,
        });
      });

      it('throws NotFoundError (AGENT.NOT_FOUND) for a missing agent', async () => {
        await expectNotFound(() => repo.touch(newId(), { status: 'online' }), 'AGENT.NOT_FOUND');
      });
    });

    describe('id validation', () => {
      it('refuses malformed ids with ValidationError (VALIDATION.INVALID_ID) in every method taking one', async () => {
        await expectInvalidIdRefused((id) => repo.findById(id));
        await expectInvalidIdRefused((id) => repo.insert(agentRecord({ id })));
        await expectInvalidIdRefused((id) => repo.update(agentRecord({ id })));
        await expectInvalidIdRefused((id) => repo.incrementStatistics(id, { totalConversations: 1 }));
        await expectInvalidIdRefused((id) => repo.reserveConversationSlot(id, 3));
        await expectInvalidIdRefused((id) => repo.releaseConversationSlot(id));
        await expectInvalidIdRefused((id) => repo.touch(id, { status: 'online' }));
        expect(await repo.count()).toBe(0);
      });
    });
  });
}
