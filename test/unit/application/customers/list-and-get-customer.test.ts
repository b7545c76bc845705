import { beforeEach, describe, expect, it } from 'vitest';
import { CreateTicket } from '../../../../src/application/tickets/create-ticket.js';
import { ForbiddenError, NotFoundError } from '../../../../src/domain/shared/errors.js';
import { newId } from '../../../support/records.js';
import { seedConversation, seedCustomer } from '../../../support/test-seeds.js';
import { type CustomerFixture, customerFixture } from './customer-fixture.js';

describe('ListCustomers', () => {
  let fx: CustomerFixture;
  beforeEach(async () => {
    fx = await customerFixture();
  });

  it('filters by tags, segment, status and search', async () => {
    const lucia = await seedCustomer(fx.ports, {
      firstName: 'Lucía',
      tags: ['vip', 'mayoreo'],
      segment: 'vip',
    });
    const pedro = await seedCustomer(fx.ports, { firstName: 'Pedro', tags: ['vip'] });
    const blocked = await fx.uc.block.execute({
      actor: fx.admin.actor,
      customerId: (await seedCustomer(fx.ports, { firstName: 'Spam' })).id,
      reason: 'Spam',
    });
    const ids = async (query: Parameters<typeof fx.uc.list.execute>[0]) =>
      (await fx.uc.list.execute(query)).items.map((c) => c.id).sort();

    expect(await ids({ actor: fx.ana.actor, tags: ['VIP'] })).toEqual([lucia.id, pedro.id].sort());
    expect(await ids({ actor: fx.ana.actor, tags: ['vip', 'mayoreo'] })).toEqual([lucia.id]);
    expect(await ids({ actor: fx.ana.actor, segment: 'vip' })).toEqual([lucia.id]);
    expect(await ids({ actor: fx.ana.actor, status: 'blocked' })).toEqual([blocked.id]);
    expect(await ids({ actor: fx.ana.actor, search: 'pedro' })).toEqual([pedro.id]);
    expect(await ids({ actor: fx.ana.actor })).toHaveLength(3);
  });

  it('refuses an actor who cannot read conversations', async () => {
    await expect(
      fx.uc.list.execute({ actor: fx.withOnly(fx.ana.actor, 'manage:tickets') }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('GetCustomer', () => {
  let fx: CustomerFixture;
  beforeEach(async () => {
    fx = await customerFixture();
  });

  it('returns the customer with the conversations and tickets the actor may see', async () => {
    const customer = await seedCustomer(fx.ports);
    const anas = await seedConversation(fx.ports, customer.id, {
      assignedAgent: fx.ana.record.id,
      status: 'assigned',
    });
    const bens = await seedConversation(fx.ports, customer.id, {
      assignedAgent: fx.ben.record.id,
      status: 'assigned',
    });
    const queued = await seedConversation(fx.ports, customer.id);
    await seedConversation(fx.ports, (await seedCustomer(fx.ports)).id);
    const create = new CreateTicket(fx.ports);
    const base = {
      actor: fx.admin.actor,
      customerId: customer.id,
      subject: 's',
      description: 'd',
      category: 'other' as const,
    };
    const anaTicket = await create.execute({ ...base, assignedAgent: fx.ana.record.id });
    const benTicket = await create.execute({ ...base, assignedAgent: fx.ben.record.id });
    const benTicketOnAnasConversation = await create.execute({
      ...base,
      conversationId: anas.id,
      assignedAgent: fx.ben.record.id,
    });
    const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();

    const forSupervisor = await fx.uc.get.execute({ actor: fx.supervisor.actor, customerId: customer.id });
    expect(forSupervisor.customer).toEqual(await fx.ports.customers.findById(customer.id));
    expect(ids(forSupervisor.conversations)).toEqual(ids([anas, bens, queued]));
    expect(ids(forSupervisor.tickets)).toEqual(ids([anaTicket, benTicket, benTicketOnAnasConversation]));

    const forAna = await fx.uc.get.execute({ actor: fx.ana.actor, customerId: customer.id });
    expect(ids(forAna.conversations)).toEqual(ids([anas, queued]));
    expect(ids(forAna.tickets)).toEqual(ids([anaTicket, benTicketOnAnasConversation]));

    const noTickets = await fx.uc.get.execute({
      actor: fx.withOnly(fx.supervisor.actor, 'read:conversations'),
      customerId: customer.id,
    });
    expect(noTickets.tickets).toEqual([]);
    expect(noTickets.conversations).toHaveLength(3);
  });

  it('refuses a missing customer and an actor who cannot read conversations', async () => {
    const customer = await seedCustomer(fx.ports);
    await expect(fx.uc.get.execute({ actor: fx.ana.actor, customerId: newId() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      fx.uc.get.execute({ actor: fx.withOnly(fx.ana.actor, 'manage:customers'), customerId: customer.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});
