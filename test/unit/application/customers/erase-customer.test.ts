import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MediaStore } from '../../../../src/application/ports/gateways.js';
import { AddTicketNote } from '../../../../src/application/tickets/add-ticket-note.js';
import { CreateTicket } from '../../../../src/application/tickets/create-ticket.js';
import { RecordTicketFeedback } from '../../../../src/application/tickets/record-ticket-feedback.js';
import { ResolveTicket } from '../../../../src/application/tickets/resolve-ticket.js';
import type { ConversationPrimitives } from '../../../../src/domain/conversation/conversation.types.js';
import type { CustomerPrimitives } from '../../../../src/domain/customer/customer.types.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../../src/domain/shared/errors.js';
import type { TicketPrimitives } from '../../../../src/domain/ticket/ticket.types.js';
import { newId } from '../../../support/records.js';
import {
  activityOf,
  clearPublished,
  publishedTypes,
  rejectionOf,
  seedConversation,
  seedCustomer,
  seedMessage,
  seedThread,
} from '../../../support/test-seeds.js';
import { type CustomerFixture, customerFixture } from './customer-fixture.js';

/** Records deleted public ids; deleting an id twice is fine (like Cloudinary's "not found" result). */
class FakeMediaStore implements MediaStore {
  deleted: string[] = [];
  async store(): Promise<never> {
    throw new Error('not used');
  }
  async delete(publicId: string): Promise<void> {
    this.deleted.push(publicId);
  }
}

describe('EraseCustomer', () => {
  let fx: CustomerFixture;
  let media: FakeMediaStore;
  let customer: CustomerPrimitives;
  let bystander: CustomerPrimitives;
  let assigned: ConversationPrimitives;
  let queued: ConversationPrimitives;
  let bystanderConversation: ConversationPrimitives;
  let ticket: TicketPrimitives;
  let plainTicket: TicketPrimitives;

  beforeEach(async () => {
    media = new FakeMediaStore();
    fx = await customerFixture({ media });
    const { ports } = fx;
    customer = await seedCustomer(ports, {
      firstName: 'Lucía',
      lastName: 'Ramírez',
      email: 'lucia@example.com',
    });
    bystander = await seedCustomer(ports, { firstName: 'Pedro' });

    assigned = await seedConversation(ports, customer.id, {
      assignedAgent: fx.ana.record.id,
      status: 'assigned',
    });
    await ports.agents.reserveConversationSlot(fx.ana.record.id, 10);
    queued = await seedConversation(ports, customer.id, { status: 'closed' });
    for (const [conversation, n] of [
      [assigned, 3],
      [queued, 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        await seedMessage(ports, conversation, {
          content: `mensaje ${i}`,
          attachments:
            i === 0 ? [{ type: 'image', url: 'https://cdn/x', publicId: `crm/${conversation.id}-${i}` }] : [],
        });
      }
      await seedThread(ports, conversation);
    }
    bystanderConversation = await seedConversation(ports, bystander.id);
    await seedMessage(ports, bystanderConversation, {
      attachments: [{ type: 'image', url: 'https://cdn/y', publicId: 'crm/bystander' }],
    });
    await seedThread(ports, bystanderConversation);

    const create = new CreateTicket(ports);
    ticket = await create.execute({
      actor: fx.admin.actor,
      conversationId: assigned.id,
      subject: 'Reembolso para Lucía Ramírez',
      description: 'Vive en Av. Reforma 222',
      category: 'billing',
      location: { latitude: 19.43, longitude: -99.13, address: 'Av. Reforma 222' },
      attachments: [{ type: 'document', url: 'https://cdn/t.pdf', publicId: 'crm/ticket-doc' }],
    });
    await new AddTicketNote(ports).execute({
      actor: fx.admin.actor,
      ticketId: ticket.id,
      content: 'Su tarjeta termina en 4242',
      attachments: ['https://cdn/n.png'],
    });
    await new ResolveTicket(ports).execute({
      actor: fx.admin.actor,
      ticketId: ticket.id,
      summary: 'Reembolso a Lucía',
      steps: ['Llamar a Lucía'],
      resolutionCategory: 'solved',
    });
    await new RecordTicketFeedback(ports).execute({
      actor: fx.admin.actor,
      ticketId: ticket.id,
      rating: 5,
      comment: 'Gracias, soy Lucía',
    });
    ticket = (await ports.tickets.findById(ticket.id))!;
    plainTicket = await create.execute({
      actor: fx.admin.actor,
      customerId: customer.id,
      subject: 'Otro',
      description: 'Otro problema',
      category: 'other',
    });
    customer = (await ports.customers.findById(customer.id))!;
    clearPublished(ports);
  });

  const erase = (confirm: string, actor = fx.admin.actor) =>
    fx.uc.erase.execute({ actor, customerId: customer.id, confirm, reason: 'Solicitud ARCO #12' });

  async function expectFullyErased(): Promise<void> {
    const { ports } = fx;
    const stored = (await ports.customers.findById(customer.id))!;
    expect(stored).toMatchObject({
      phoneNumber: `erased:${customer.id}`,
      status: 'inactive',
      erasedAt: expect.any(Date),
      statistics: customer.statistics,
    });
    for (const field of ['firstName', 'lastName', 'email']) expect(stored).not.toHaveProperty(field);

    expect(await ports.conversations.listAllByCustomer(customer.id)).toEqual([]);
    for (const c of [assigned, queued]) expect(await ports.messages.countByConversation(c.id)).toBe(0);
    expect(await ports.threads.deleteByCustomer(customer.id)).toBe(0);
    expect(new Set(media.deleted)).toEqual(
      new Set([`crm/${assigned.id}-0`, `crm/${queued.id}-0`, 'crm/ticket-doc']),
    );
    expect((await ports.agents.findById(fx.ana.record.id))?.statistics.currentActiveConversations).toBe(0);

    const tickets = await ports.tickets.listAllByCustomer(customer.id);
    expect(tickets.map((t) => t.id).sort()).toEqual([ticket.id, plainTicket.id].sort());
    const scrubbed = tickets.find((t) => t.id === ticket.id)!;
    expect(scrubbed).toMatchObject({
      ticketId: ticket.ticketId,
      customerId: customer.id,
      category: 'billing',
      status: 'resolved',
      subject: '[erased]',
      description: '[erased]',
      attachments: [],
      notes: [expect.objectContaining({ content: '[erased]', attachments: [] })],
      resolution: expect.objectContaining({ summary: '[erased]', steps: [], resolutionCategory: 'solved' }),
      customerFeedback: expect.objectContaining({ rating: 5 }),
      resolutionTime: ticket.resolutionTime,
    });
    expect(scrubbed).not.toHaveProperty('location');
    expect(scrubbed.customerFeedback).not.toHaveProperty('comment');
    expect(JSON.stringify(tickets)).not.toMatch(/Lucía|Reforma|4242/);

    // Someone else's data is untouched.
    expect(await ports.customers.findById(bystander.id)).toEqual(bystander);
    expect(await ports.conversations.findById(bystanderConversation.id)).toEqual(bystanderConversation);
    expect(await ports.messages.countByConversation(bystanderConversation.id)).toBe(1);
    expect(media.deleted).not.toContain('crm/bystander');

    const deletions = (await activityOf(ports, 'customer', customer.id)).filter(
      (e) => e.action === 'deleted',
    );
    expect(deletions).toHaveLength(1);
    expect(deletions[0]).toMatchObject({
      performedBy: fx.admin.actor.id,
      details: { reason: 'Solicitud ARCO #12', after: expect.objectContaining({ erased: true }) },
    });
    expect(JSON.stringify(deletions[0])).not.toContain(customer.phoneNumber);
  }

  it('erases everything personal and reports what it removed', async () => {
    const result = await erase(customer.phoneNumber);

    expect(result).toEqual({
      customerId: customer.id,
      erasedAt: fx.ports.clock.now(),
      conversationsDeleted: 2,
      messagesDeleted: 5,
      threadsDeleted: 2,
      archivedConversationsDeleted: 0,
      archivedMessagesDeleted: 0,
      mediaDeleted: 3,
      ticketsAnonymised: 2,
    });
    await expectFullyErased();
    expect(publishedTypes(fx.ports)).toEqual(['customer.updated', 'ticket.updated', 'ticket.updated']);
    expect(fx.ports.published[0]?.payload).toMatchObject({ customerId: customer.id, erased: true });
  });

  it('accepts the phone number in any form that normalises to it', async () => {
    const national = customer.phoneNumber.replace(/^\+52/, '').replace(/(\d{2})(\d{4})(\d{4})/, '$1 $2 $3');
    await expect(erase(national)).resolves.toMatchObject({ conversationsDeleted: 2 });
  });

  it('finishes an erasure interrupted half-way when run again, and a third run changes nothing', async () => {
    const realDelete = fx.ports.messages.deleteByConversation.bind(fx.ports.messages);
    const spy = vi
      .spyOn(fx.ports.messages, 'deleteByConversation')
      .mockImplementationOnce(realDelete)
      .mockRejectedValueOnce(new Error('connection reset'));

    await expect(erase(customer.phoneNumber)).rejects.toThrow('connection reset');
    // Half-way: the customer is already anonymised, one conversation is gone, one is left.
    expect((await fx.ports.customers.findById(customer.id))?.erasedAt).toBeInstanceOf(Date);
    expect(await fx.ports.conversations.listAllByCustomer(customer.id)).toHaveLength(1);
    expect((await activityOf(fx.ports, 'customer', customer.id)).some((e) => e.action === 'deleted')).toBe(
      false,
    );

    // The number is gone now: the re-run is confirmed with the placeholder.
    await expect(erase(customer.phoneNumber)).rejects.toMatchObject({ field: 'confirm' });
    spy.mockRestore();
    const rerun = await erase(`erased:${customer.id}`);
    expect(rerun).toMatchObject({ conversationsDeleted: 1, threadsDeleted: 2, ticketsAnonymised: 2 });
    await expectFullyErased();

    const third = await erase(`erased:${customer.id}`);
    expect(third).toMatchObject({
      conversationsDeleted: 0,
      messagesDeleted: 0,
      threadsDeleted: 0,
      mediaDeleted: 0,
      ticketsAnonymised: 0,
    });
    await expectFullyErased();
  });

  it('never loses a stored file when deleting media fails: files go before the messages that name them', async () => {
    const realDelete = media.delete.bind(media);
    vi.spyOn(media, 'delete')
      .mockImplementationOnce(realDelete)
      .mockRejectedValueOnce(new Error('cloudinary 500'))
      .mockImplementation(realDelete);

    await expect(erase(customer.phoneNumber)).rejects.toThrow('cloudinary 500');
    // The conversation whose file failed still has its messages, so the re-run finds the file again.
    const [left, ...none] = await fx.ports.conversations.listAllByCustomer(customer.id);
    expect(none).toEqual([]);
    expect(await fx.ports.messages.countByConversation(left!.id)).toBeGreaterThan(0);

    await erase(`erased:${customer.id}`);
    await expectFullyErased();
  });

  it('refuses without the right confirmation, changing nothing', async () => {
    for (const confirm of ['', '+525500000000', `erased:${customer.id}`]) {
      const err = await rejectionOf(erase(confirm));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ field: 'confirm', code: 'CUSTOMER.ERASE_NOT_CONFIRMED' });
    }
    expect(await fx.ports.customers.findById(customer.id)).toEqual(customer);
    expect(await fx.ports.conversations.listAllByCustomer(customer.id)).toHaveLength(2);
    expect(media.deleted).toEqual([]);
    expect(fx.ports.published).toEqual([]);
  });

  it('refuses anyone without system:admin, and a customer that does not exist', async () => {
    await expect(erase(customer.phoneNumber, fx.supervisor.actor)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(erase(customer.phoneNumber, fx.ana.actor)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await fx.ports.customers.findById(customer.id)).toEqual(customer);
    await expect(
      fx.uc.erase.execute({ actor: fx.admin.actor, customerId: newId(), confirm: customer.phoneNumber }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
