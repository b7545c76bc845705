import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { DEFAULT_SLA_TARGETS } from '../../../../src/domain/sla/sla-targets.js';
import { newId, settingRecord } from '../../../support/records.js';
import { activityOf, publishedTypes, rejectionOf, seedCustomer } from '../../../support/test-seeds.js';
import { type TicketFixture, ticketFixture } from './ticket-fixture.js';

describe('CreateTicket', () => {
  let fx: TicketFixture;
  beforeEach(async () => {
    fx = await ticketFixture();
  });

  it('opens a ticket from a conversation: customer taken from it, numbered, SLA estimated, audited, published', async () => {
    const { ports, ana, conversation, customer } = fx;
    const ticket = await fx.uc.create.execute({
      actor: ana.actor,
      meta: { ipAddress: '10.0.0.7', userAgent: 'vitest' },
      conversationId: conversation.id,
      subject: 'Cobro duplicado',
      description: 'Me cobraron dos veces',
      category: 'billing',
      tags: ['refund'],
    });

    const stored = await ports.tickets.findById(ticket.id);
    expect(stored).toEqual(ticket);
    expect(stored).toMatchObject({
      ticketId: 'TICKET-2026-000001',
      customerId: customer.id,
      conversationId: conversation.id,
      status: 'open',
      priority: 'medium',
      slaLevel: 'standard',
      tags: ['refund'],
      createdAt: ports.clock.now(),
    });
    // Monday 10:00 Mexico City + 1440 business minutes (Mon–Fri 09–18) = Wednesday 16:00 local.
    expect(stored?.estimatedResolution).toEqual(new Date('2026-03-04T22:00:00.000Z'));
    expect((await ports.customers.findById(customer.id))?.statistics.totalTickets).toBe(1);

    const [entry, ...more] = await activityOf(ports, 'ticket', ticket.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      action: 'created',
      performedBy: ana.actor.id,
      ipAddress: '10.0.0.7',
      userAgent: 'vitest',
      details: { after: expect.objectContaining({ ticketId: 'TICKET-2026-000001' }) },
    });
    expect(entry?.details.changes).toEqual(expect.arrayContaining(['ticketId', 'subject', 'status']));

    expect(publishedTypes(ports)).toEqual(['ticket.created']);
    expect(ports.published[0]?.payload).toMatchObject({
      id: ticket.id,
      ticketId: 'TICKET-2026-000001',
      customerId: customer.id,
      conversationId: conversation.id,
    });
  });

  it('numbers tickets sequentially per business-time-zone year, without gaps for refused inputs', async () => {
    const first = await fx.openTicket();
    await expect(fx.openTicket({ subject: '   ' })).rejects.toBeInstanceOf(ValidationError);
    const second = await fx.openTicket();
    expect([first.ticketId, second.ticketId]).toEqual(['TICKET-2026-000001', 'TICKET-2026-000002']);

    fx.ports.clock.set('2027-01-01T03:00:00.000Z'); // still 31 Dec 2026 in Mexico City
    expect((await fx.openTicket()).ticketId).toBe('TICKET-2026-000003');
    fx.ports.clock.set('2027-01-01T07:00:00.000Z');
    expect((await fx.openTicket()).ticketId).toBe('TICKET-2027-000001');
  });

  it('takes the SLA targets from the settings', async () => {
    const targets = structuredClone(DEFAULT_SLA_TARGETS);
    targets.standard.medium = { firstResponse: 30, resolution: 60 };
    await fx.ports.settings.put(settingRecord({ key: 'sla_targets', value: targets, category: 'business' }));

    const ticket = await fx.openTicket();
    expect(ticket.estimatedResolution).toEqual(new Date('2026-03-02T17:00:00.000Z'));
  });

  it("gives a vip customer's ticket the vip SLA level unless one is given", async () => {
    const vip = await seedCustomer(fx.ports, { segment: 'vip' });
    expect((await fx.openTicket({ customerId: vip.id })).slaLevel).toBe('vip');
    expect((await fx.openTicket({ customerId: vip.id, slaLevel: 'priority' })).slaLevel).toBe('priority');
    expect((await fx.openTicket()).slaLevel).toBe('standard');
  });

  it('sets the acting agent as uploader of attachments', async () => {
    const ticket = await fx.openTicket({
      attachments: [{ type: 'image', url: 'https://cdn.example.com/a.png' }],
    });
    expect(ticket.attachments).toEqual([
      expect.objectContaining({ url: 'https://cdn.example.com/a.png', uploadedBy: fx.admin.actor.id }),
    ]);
  });

  it('refuses references that do not exist, and a customer that does not match the conversation', async () => {
    await expect(fx.openTicket({ customerId: newId() })).rejects.toMatchObject({
      code: 'CUSTOMER.NOT_FOUND',
    });
    await expect(fx.openTicket({ customerId: undefined, conversationId: newId() })).rejects.toMatchObject({
      code: 'CONVERSATION.NOT_FOUND',
    });
    await expect(fx.openTicket({ assignedAgent: newId() })).rejects.toBeInstanceOf(NotFoundError);

    const other = await seedCustomer(fx.ports);
    const mismatch = await rejectionOf(
      fx.openTicket({ customerId: other.id, conversationId: fx.conversation.id }),
    );
    expect(mismatch).toBeInstanceOf(ValidationError);
    expect(mismatch).toMatchObject({ field: 'customerId' });
    await expect(fx.openTicket({ customerId: undefined })).rejects.toMatchObject({ field: 'customerId' });

    expect((await fx.ports.tickets.list({}, { limit: 10 })).items).toEqual([]);
    expect((await fx.ports.customers.findById(fx.customer.id))?.statistics.totalTickets).toBe(0);
  });

  it('refuses an assignee who is deactivated', async () => {
    await fx.ports.agents.update({ ...fx.ben.record, isActive: false });
    await expect(fx.openTicket({ assignedAgent: fx.ben.record.id })).rejects.toMatchObject({
      code: 'TICKET.ASSIGNEE_NOT_ELIGIBLE',
    });
  });

  it('refuses an erased customer', async () => {
    const customer = (await fx.ports.customers.findById(fx.customer.id))!;
    await fx.ports.customers.update({
      ...customer,
      phoneNumber: `erased:${customer.id}`,
      erasedAt: fx.ports.clock.now(),
    });
    await expect(fx.openTicket()).rejects.toMatchObject({ code: 'CUSTOMER.ERASED' });
  });

  it("refuses an agent without manage:tickets, and an agent opening it from another agent's conversation", async () => {
    const noTickets = fx.withOnly(fx.ana.actor, 'read:conversations', 'write:messages');
    await expect(fx.openTicket({}, noTickets)).rejects.toBeInstanceOf(ForbiddenError);

    const err = await rejectionOf(
      fx.uc.create.execute({
        actor: fx.ben.actor,
        conversationId: fx.conversation.id,
        subject: 'x',
        description: 'y',
        category: 'other',
      }),
    );
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ reason: 'out_of_scope' });
    expect(fx.ports.published).toEqual([]);
  });
});
