import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CustomerRepository } from '../../src/application/ports/repositories.js';
import type { CustomerPrimitives } from '../../src/domain/customer/customer.types.js';
import { customerRecord, fullCustomerRecord, minutesAfterBase, newId } from '../support/records.js';
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

export interface CustomerContractOptions {
  /**
   * How the adapter implements `search` (see CustomerFilter.search): `'prefix'` (default; the
   * in-memory adapter, MongoDB without text indexes such as FerretDB) or `'text'` (a server text
   * index: whole words only). Whole-word, case-insensitive matches are checked for both; the prefix
   * of a word only for `'prefix'`.
   */
  search?: 'prefix' | 'text';
}

/**
 * What every CustomerRepository adapter promises (src/application/ports/repositories.ts).
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeCustomerRepositoryContract(
  name: string,
  make: () => Promise<{ repo: CustomerRepository; cleanup(): Promise<void> }>,
  options: CustomerContractOptions = {},
): void {
  describe(`${name} CustomerRepository contract`, () => {
    let repo: CustomerRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const stored = async (overrides?: Partial<CustomerPrimitives>) => {
      const customer = customerRecord(overrides);
      await repo.insert(customer);
      return customer;
    };
    const listIds = async (filter: Parameters<CustomerRepository['list']>[0]) =>
      idSet((await repo.list(filter, { limit: 200 })).items);

    describe('recordInteractions (the batched inbound path)', () => {
      it('moves the interaction times outward, adds the counters and bumps the version', async () => {
        const customer = await stored({
          firstContact: minutesAfterBase(10),
          lastInteraction: minutesAfterBase(20),
          lastMessageAt: minutesAfterBase(20),
          updatedAt: minutesAfterBase(20),
        });
        const other = await stored();

        await repo.recordInteractions([
          {
            id: customer.id,
            firstAt: minutesAfterBase(15),
            lastAt: minutesAfterBase(30),
            statistics: { totalMessages: 3, totalConversations: 1 },
          },
          { id: other.id, firstAt: minutesAfterBase(5), lastAt: minutesAfterBase(6), statistics: {} },
          { id: newId(), firstAt: minutesAfterBase(5), lastAt: minutesAfterBase(6), statistics: {} },
        ]);

        const found = await repo.findById(customer.id);
        expect(found).toEqual({
          ...customer,
          firstContact: minutesAfterBase(10),
          lastInteraction: minutesAfterBase(30),
          lastMessageAt: minutesAfterBase(30),
          updatedAt: minutesAfterBase(30),
          statistics: { ...customer.statistics, totalMessages: 3, totalConversations: 1 },
          version: customer.version + 1,
        });
        expect(await repo.findById(other.id)).toMatchObject({
          firstContact: minutesAfterBase(5),
          lastInteraction: minutesAfterBase(6),
          updatedAt: minutesAfterBase(6),
          version: other.version + 1,
        });
        await expectStaleWrite(() => repo.update({ ...customer, firstName: 'Stale' }));
        await repo.recordInteractions([]);
      });

      it('loses no count when batches and single increments of the same customers race', async () => {
        const a = await stored();
        const b = await stored();
        const entry = (id: string, n: number) => ({
          id,
          firstAt: minutesAfterBase(n),
          lastAt: minutesAfterBase(n),
          statistics: { totalMessages: 1 },
        });

        await Promise.all([
          repo.recordInteractions([entry(a.id, 1), entry(b.id, 1)]),
          repo.recordInteractions([entry(b.id, 2), entry(a.id, 2)]),
          repo.incrementStatistics(a.id, { totalMessages: 1 }),
          repo.recordInteractions([entry(a.id, 3)]),
        ]);

        expect((await repo.findById(a.id))?.statistics.totalMessages).toBe(4);
        expect((await repo.findById(b.id))?.statistics.totalMessages).toBe(2);
        expect((await repo.findById(a.id))?.lastInteraction).toEqual(minutesAfterBase(3));
        expect((await repo.findById(a.id))?.version).toBe(a.version + 3);
      });
    });

    describe('insert and find', () => {
      it('returns by id exactly what was inserted, with absent optional fields omitted (not null)', async () => {
        const customer = await stored();

        const found = await repo.findById(customer.id);

        expect(found).toEqual(customer);
        expectNoAbsentValues(found);
        expect(found).not.toHaveProperty('email');
        expect(found).not.toHaveProperty('address');
        expect(found?.statistics).not.toHaveProperty('satisfactionScore');
      });

      it('stores an optional field given as undefined as absent (never null)', async () => {
        const record = { ...customerRecord(), email: undefined, firstContact: undefined };
        await repo.insert(record);

        const found = await repo.findById(record.id);

        expect(found).toEqual(record);
        expect(found).not.toHaveProperty('email');
        expect(found).not.toHaveProperty('firstContact');
        expectNoAbsentValues(found);
      });

      it('round-trips a record with every optional field set', async () => {
        const customer = fullCustomerRecord();
        await repo.insert(customer);

        const found = await repo.findById(customer.id);

        expect(found).toEqual(customer);
        expect(found?.erasedAt).toBeInstanceOf(Date);
        expectNoAbsentValues(found);
      });

      it('finds by phone number (exact E.164)', async () => {
        const customer = await stored({ phoneNumber: '+5215512345678' });
        await stored({ phoneNumber: '+5215512345679' });

        expect(await repo.findByPhone('+5215512345678')).toEqual(customer);
        expect(await repo.findByPhone('+5215500000000')).toBeNull();
      });

      it('finds the customers of several phones in one call (findByPhones), skipping unknown ones', async () => {
        const a = await stored({ phoneNumber: '+5215511110001' });
        const b = await stored({ phoneNumber: '+5215511110002' });
        await stored({ phoneNumber: '+5215511110003' });

        const found = await repo.findByPhones(['+5215511110002', '+5215500000000', '+5215511110001']);

        expect(found.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
          [a, b].sort((x, y) => x.id.localeCompare(y.id)),
        );
        expect(await repo.findByPhones([])).toEqual([]);
      });

      it('inserts several customers in one call and reports the duplicates without storing them', async () => {
        const existing = await stored({ phoneNumber: '+5215511120001' });
        const a = customerRecord({ phoneNumber: '+5215511120002' });
        const samePhone = customerRecord({ phoneNumber: '+5215511120001' });
        const b = customerRecord({ phoneNumber: '+5215511120003' });
        const repeated = customerRecord({ phoneNumber: '+5215511120003' });
        const reusedId = customerRecord({ id: existing.id, phoneNumber: '+5215511120004' });

        const { duplicates } = await repo.insertMany([a, samePhone, b, repeated, reusedId]);

        expect(duplicates.sort()).toEqual([samePhone.id, repeated.id, reusedId.id].sort());
        expect(await repo.findById(a.id)).toEqual(a);
        expect(await repo.findById(b.id)).toEqual(b);
        expect(await repo.findByPhone('+5215511120001')).toEqual(existing);
        expect(await repo.findByPhone('+5215511120004')).toBeNull();
        expect(await repo.insertMany([])).toEqual({ duplicates: [] });
      });

      it('returns null for an unknown id', async () => {
        await stored();
        expect(await repo.findById(newId())).toBeNull();
      });

      it('refuses a second customer with the same phone (CUSTOMER.DUPLICATE_PHONENUMBER)', async () => {
        const first = await stored({ phoneNumber: '+5215512345678' });

        await expectDuplicate(
          () => repo.insert(customerRecord({ phoneNumber: '+5215512345678' })),
          'CUSTOMER.DUPLICATE_PHONENUMBER',
        );

        expect(await repo.findByPhone('+5215512345678')).toEqual(first);
        expect((await repo.list({}, { limit: 10 })).items).toHaveLength(1);
      });

      it('refuses a reused id (CUSTOMER.DUPLICATE_ID)', async () => {
        const first = await stored();

        await expectDuplicate(() => repo.insert(customerRecord({ id: first.id })), 'CUSTOMER.DUPLICATE_ID');

        expect(await repo.findById(first.id)).toEqual(first);
      });

      it('stores a copy: changing the inserted or returned object does not change the stored customer', async () => {
        const customer = fullCustomerRecord();
        await repo.insert(customer);
        const expected = structuredClone(customer);

        customer.tags.push('mutated');
        customer.address!.city = 'Mutated';
        const found = (await repo.findById(customer.id))!;
        found.customFields.plan = 'mutated';
        found.preferences.communicationHours.start = '00:00';
        const listed = (await repo.list({}, { limit: 10 })).items[0]!;
        listed.alternativePhones.pop();

        expect(await repo.findById(customer.id)).toEqual(expected);
      });
    });

    describe('update (optimistic concurrency)', () => {
      it('stores the record with version + 1 and returns what it stored', async () => {
        const customer = await stored();

        const changed = { ...customer, firstName: 'Rosa', tags: ['x'], updatedAt: minutesAfterBase(3) };
        const returned = await repo.update(changed);

        expect(returned).toEqual({ ...changed, version: customer.version + 1 });
        expect(await repo.findById(customer.id)).toEqual(returned);
      });

      it('replaces the whole record: optional fields absent from the update are removed', async () => {
        const customer = fullCustomerRecord();
        await repo.insert(customer);
        const { email: _email, address: _address, blockReason: _blockReason, ...rest } = customer;
        const erased = {
          ...rest,
          preferences: { language: 'es', communicationHours: rest.preferences.communicationHours },
        };

        await repo.update(erased);

        const found = await repo.findById(customer.id);
        expect(found).toEqual({ ...erased, version: customer.version + 1 });
        expect(found).not.toHaveProperty('email');
        expect(found).not.toHaveProperty('address');
        expect(found?.preferences).not.toHaveProperty('preferredAgent');
        expectNoAbsentValues(found);
      });

      it('refuses a stale version with ConcurrencyError and changes nothing', async () => {
        const customer = await stored();
        const current = await repo.update({ ...customer, notes: 'first' });

        await expectStaleWrite(() => repo.update({ ...customer, notes: 'second' }));

        expect(await repo.findById(customer.id)).toEqual(current);
      });

      it('throws NotFoundError (CUSTOMER.NOT_FOUND) for a customer that does not exist', async () => {
        await expectNotFound(() => repo.update(customerRecord()), 'CUSTOMER.NOT_FOUND');
        expect(await repo.findById(newId())).toBeNull();
      });

      it("refuses to take another customer's phone (CUSTOMER.DUPLICATE_PHONENUMBER)", async () => {
        await stored({ phoneNumber: '+5215511111111' });
        const customer = await stored({ phoneNumber: '+5215522222222' });

        await expectDuplicate(
          () => repo.update({ ...customer, phoneNumber: '+5215511111111' }),
          'CUSTOMER.DUPLICATE_PHONENUMBER',
        );

        expect(await repo.findById(customer.id)).toEqual(customer);
      });
    });

    describe('list', () => {
      itPagesByKeyset(() => ({
        insertListed: (at) => stored({ updatedAt: at, createdAt: mirrored(at) }),
        list: (page) => repo.list({}, page),
        sortKey: (c) => c.updatedAt,
      }));

      it('filters by tags (all of the given tags)', async () => {
        const both = await stored({ tags: ['vip', 'wholesale', 'mx'] });
        const vipOnly = await stored({ tags: ['vip'] });
        await stored({ tags: ['wholesale'] });
        await stored({ tags: [] });

        expect(await listIds({ tags: ['vip', 'wholesale'] })).toEqual(idSet([both]));
        expect(await listIds({ tags: ['vip'] })).toEqual(idSet([both, vipOnly]));
        expect(await listIds({ tags: ['unknown'] })).toEqual([]);
      });

      it('treats an empty tags array as no tag filter', async () => {
        const a = await stored({ tags: ['x'] });
        const b = await stored({ tags: [] });
        expect(await listIds({ tags: [] })).toEqual(idSet([a, b]));
      });

      it('filters by segment, status and isBlocked (true and false), combined with AND', async () => {
        const vip = await stored({ segment: 'vip', status: 'vip' });
        const regular = await stored({ segment: 'regular', status: 'active' });
        const blocked = await stored({ segment: 'regular', status: 'blocked', isBlocked: true });

        expect(await listIds({ segment: 'regular' })).toEqual(idSet([regular, blocked]));
        expect(await listIds({ status: 'vip' })).toEqual(idSet([vip]));
        expect(await listIds({ isBlocked: true })).toEqual(idSet([blocked]));
        expect(await listIds({ isBlocked: false })).toEqual(idSet([vip, regular]));
        expect(await listIds({ segment: 'regular', isBlocked: false })).toEqual(idSet([regular]));
        expect(await listIds({ segment: 'vip', status: 'active' })).toEqual([]);
      });

      describe('search', () => {
        let ana: CustomerPrimitives;
        let pedro: CustomerPrimitives;
        let nameless: CustomerPrimitives;

        beforeEach(async () => {
          ana = await stored({
            firstName: 'Ana',
            lastName: 'Gutierrez',
            email: 'ana.gutierrez@correo-uno.mx',
            phoneNumber: '+5215512340001',
          });
          pedro = await stored({
            firstName: 'Pedro',
            lastName: 'Salinas',
            email: 'psalinas@otro-dominio.com',
            phoneNumber: '+14155550199',
          });
          nameless = await stored({ phoneNumber: '+5215598760002' });
        });

        it('matches a whole first name, last name or e-mail, ignoring case', async () => {
          expect(await listIds({ search: 'Ana' })).toEqual(idSet([ana]));
          expect(await listIds({ search: 'pedro' })).toEqual(idSet([pedro]));
          expect(await listIds({ search: 'SALINAS' })).toEqual(idSet([pedro]));
          expect(await listIds({ search: 'ana.gutierrez@correo-uno.mx' })).toEqual(idSet([ana]));
        });

        it('matches the phone number with or without the leading +', async () => {
          expect(await listIds({ search: '+5215512340001' })).toEqual(idSet([ana]));
          expect(await listIds({ search: '5215512340001' })).toEqual(idSet([ana]));
          expect(await listIds({ search: '5215598760002' })).toEqual(idSet([nameless]));
        });

        it('returns nothing for a term no customer has, and takes regex characters literally', async () => {
          expect(await listIds({ search: 'Zacarias' })).toEqual([]);
          expect(await listIds({ search: '.*' })).toEqual([]);
          expect(await listIds({ search: 'a|p' })).toEqual([]);
          expect(await listIds({ search: '(' })).toEqual([]);
        });

        it('ignores a blank search', async () => {
          expect(await listIds({ search: '   ' })).toEqual(idSet([ana, pedro, nameless]));
        });

        it('combines with the other filters', async () => {
          await repo.update({ ...ana, segment: 'vip' });
          expect(await listIds({ search: 'ana', segment: 'vip' })).toEqual(idSet([ana]));
          expect(await listIds({ search: 'ana', segment: 'regular' })).toEqual([]);
        });

        if (options.search !== 'text') {
          it('matches the start of a name, e-mail or phone (anchored prefix), ignoring case', async () => {
            expect(await listIds({ search: 'gut' })).toEqual(idSet([ana]));
            expect(await listIds({ search: 'PED' })).toEqual(idSet([pedro]));
            expect(await listIds({ search: 'psal' })).toEqual(idSet([pedro]));
            expect(await listIds({ search: '+1415' })).toEqual(idSet([pedro]));
            expect(await listIds({ search: '1415' })).toEqual(idSet([pedro]));
            expect(await listIds({ search: '+52155' })).toEqual(idSet([ana, nameless]));
          });

          it('does not match in the middle of a value', async () => {
            expect(await listIds({ search: 'tierrez' })).toEqual([]);
            expect(await listIds({ search: 'correo-uno' })).toEqual([]);
            expect(await listIds({ search: '12340001' })).toEqual([]);
          });
        }
      });
    });

    describe('statistics counters', () => {
      it('incrementStatistics adds each delta and changes nothing else, not even version or updatedAt', async () => {
        const customer = await stored({
          statistics: { totalConversations: 1, totalMessages: 10, totalTickets: 0, averageResponseTime: 4 },
        });

        await repo.incrementStatistics(customer.id, { totalMessages: 3, totalTickets: 1 });
        await repo.incrementStatistics(customer.id, { totalMessages: -1, totalConversations: 1 });

        expect(await repo.findById(customer.id)).toEqual({
          ...customer,
          statistics: { totalConversations: 2, totalMessages: 12, totalTickets: 1, averageResponseTime: 4 },
        });
      });

      it('update never writes statistics, so a concurrent increment is never lost', async () => {
        const customer = await stored();
        await repo.incrementStatistics(customer.id, { totalMessages: 2 });
        await repo.update({
          ...customer,
          firstName: 'Later',
          statistics: { ...customer.statistics, totalMessages: 0 },
        });
        expect((await repo.findById(customer.id))?.statistics.totalMessages).toBe(
          customer.statistics.totalMessages + 2,
        );
      });

      it('setStatistics sets only the given fields, without bumping version', async () => {
        const customer = await stored();
        await repo.setStatistics(customer.id, { satisfactionScore: 4.5, satisfactionCount: 2 });
        const found = await repo.findById(customer.id);
        expect(found?.statistics).toEqual({
          ...customer.statistics,
          satisfactionScore: 4.5,
          satisfactionCount: 2,
        });
        expect(found?.version).toBe(customer.version);
      });

      it('starts an absent optional counter from zero', async () => {
        const customer = await stored();

        await repo.incrementStatistics(customer.id, { satisfactionCount: 1 });

        expect((await repo.findById(customer.id))?.statistics.satisfactionCount).toBe(1);
      });

      it('loses no increment when many run concurrently', async () => {
        const customer = await stored();

        await Promise.all(
          Array.from({ length: 20 }, () => repo.incrementStatistics(customer.id, { totalMessages: 1 })),
        );

        expect((await repo.findById(customer.id))?.statistics.totalMessages).toBe(20);
      });

      it('throws NotFoundError (CUSTOMER.NOT_FOUND) for a missing customer', async () => {
        await expectNotFound(
          () => repo.incrementStatistics(newId(), { totalMessages: 1 }),
          'CUSTOMER.NOT_FOUND',
        );
      });
    });

    describe('delete', () => {
      it('removes the customer and frees its phone number', async () => {
        const customer = await stored({ phoneNumber: '+5215512345678' });
        const other = await stored();

        await repo.delete(customer.id);

        expect(await repo.findById(customer.id)).toBeNull();
        expect(await repo.findByPhone('+5215512345678')).toBeNull();
        expect(await repo.findById(other.id)).toEqual(other);
        await expect(repo.insert(customerRecord({ phoneNumber: '+5215512345678' }))).resolves.toBeUndefined();
      });

      it('is idempotent: deleting a missing customer does nothing', async () => {
        const other = await stored();
        await expect(repo.delete(newId())).resolves.toBeUndefined();
        expect(await repo.findById(other.id)).toEqual(other);
      });
    });

    describe('id validation', () => {
      it('refuses malformed ids with ValidationError (VALIDATION.INVALID_ID) in every method taking one', async () => {
        await expectInvalidIdRefused((id) => repo.findById(id));
        await expectInvalidIdRefused((id) => repo.insert(customerRecord({ id })));
        await expectInvalidIdRefused((id) => repo.update(customerRecord({ id })));
        await expectInvalidIdRefused((id) => repo.incrementStatistics(id, { totalMessages: 1 }));
        await expectInvalidIdRefused((id) => repo.delete(id));
        expect((await repo.list({}, { limit: 10 })).items).toEqual([]);
      });
    });
  });
}
