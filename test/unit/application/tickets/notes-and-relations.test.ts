import { beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { newId } from '../../../support/records.js';
import { activityOf, clearPublished, publishedTypes, rejectionOf } from '../../../support/test-seeds.js';
import { type TicketFixture, ticketFixture } from './ticket-fixture.js';

describe('AddTicketNote', () => {
  let fx: TicketFixture;
  beforeEach(async () => {
    fx = await ticketFixture();
  });

  it('adds an internal note with attachments; an internal note is not a first response', async () => {
    const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    clearPublished(fx.ports);
    const saved = await fx.uc.addNote.execute({
      actor: fx.ana.actor,
      ticketId: ticket.id,
      content: 'Llamé al banco',
      attachments: ['https://cdn.example.com/recibo.pdf'],
    });

    expect(await fx.ports.tickets.findById(ticket.id)).toEqual(saved);
    expect(saved.notes).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        agent: fx.ana.actor.id,
        content: 'Llamé al banco',
        isInternal: true,
        timestamp: fx.ports.clock.now(),
        attachments: ['https://cdn.example.com/recibo.pdf'],
      },
    ]);
    expect(saved).not.toHaveProperty('firstResponseAt');
    const [entry] = await activityOf(fx.ports, 'ticket', ticket.id);
    expect(entry).toMatchObject({ action: 'commented', performedBy: fx.ana.actor.id });
    expect(entry?.details.changes).toContain('notes');
    expect(publishedTypes(fx.ports)).toEqual(['ticket.updated']);
    expect(fx.ports.published[0]?.payload).toMatchObject({ changes: ['notes'], isInternal: true });
  });

  it('counts the first note visible to the customer as the first response, once', async () => {
    const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    fx.ports.clock.advanceMinutes(25);
    const first = await fx.uc.addNote.execute({
      actor: fx.ana.actor,
      ticketId: ticket.id,
      content: 'Ya estamos revisando',
      isInternal: false,
    });
    expect(first).toMatchObject({ firstResponseAt: fx.ports.clock.now(), firstResponseTime: 25 });

    fx.ports.clock.advanceMinutes(30);
    const second = await fx.uc.addNote.execute({
      actor: fx.ana.actor,
      ticketId: ticket.id,
      content: 'Listo',
      isInternal: false,
    });
    expect(second).toMatchObject({ firstResponseAt: first.firstResponseAt, firstResponseTime: 25 });
    expect(second.notes).toHaveLength(2);
  });

  it('allows notes on a closed ticket without touching its timing', async () => {
    const ticket = await fx.openTicket();
    await fx.uc.changeStatus.execute({ actor: fx.admin.actor, ticketId: ticket.id, status: 'closed' });
    const saved = await fx.uc.addNote.execute({
      actor: fx.admin.actor,
      ticketId: ticket.id,
      content: 'Nota posterior',
      isInternal: false,
    });
    expect(saved.notes).toHaveLength(1);
    expect(saved).not.toHaveProperty('firstResponseAt');
  });

  it('refuses attachments that are not http(s) URLs, the system actor, a missing ticket', async () => {
    const ticket = await fx.openTicket();
    const err = await rejectionOf(
      fx.uc.addNote.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        content: 'x',
        attachments: ['https://ok.example.com/a', 'javascript:alert(1)'],
      }),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: 'attachments.1' });
    await expect(
      fx.uc.addNote.execute({ actor: SYSTEM, ticketId: ticket.id, content: 'x' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      fx.uc.addNote.execute({ actor: fx.admin.actor, ticketId: newId(), content: 'x' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await fx.ports.tickets.findById(ticket.id))?.notes).toEqual([]);
  });

  it("refuses an agent on someone else's ticket and a role without manage:tickets", async () => {
    const bens = await fx.openTicket({ assignedAgent: fx.ben.record.id });
    await expect(
      fx.uc.addNote.execute({ actor: fx.ana.actor, ticketId: bens.id, content: 'x' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      fx.uc.addNote.execute({
        actor: fx.withOnly(fx.ben.actor, 'write:messages'),
        ticketId: bens.id,
        content: 'x',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('RelateTickets', () => {
  let fx: TicketFixture;
  beforeEach(async () => {
    fx = await ticketFixture();
  });

  it('relates two tickets both ways, auditing and publishing each change', async () => {
    const a = await fx.openTicket();
    const b = await fx.openTicket();
    clearPublished(fx.ports);

    const result = await fx.uc.relate.execute({
      actor: fx.supervisor.actor,
      ticketId: a.id,
      otherTicketId: b.id,
      relation: 'related',
    });

    expect(result.ticket.relatedTickets).toEqual([b.id]);
    expect(result.other.relatedTickets).toEqual([a.id]);
    expect(await fx.ports.tickets.findById(a.id)).toEqual(result.ticket);
    expect(await fx.ports.tickets.findById(b.id)).toEqual(result.other);
    for (const id of [a.id, b.id]) {
      expect((await activityOf(fx.ports, 'ticket', id))[0]).toMatchObject({
        action: 'updated',
        details: { changes: expect.arrayContaining(['relatedTickets']) },
      });
    }
    expect(publishedTypes(fx.ports)).toEqual(['ticket.updated', 'ticket.updated']);

    // Again: nothing to do.
    clearPublished(fx.ports);
    await fx.uc.relate.execute({
      actor: fx.supervisor.actor,
      ticketId: b.id,
      otherTicketId: a.id,
      relation: 'related',
    });
    expect(fx.ports.published).toEqual([]);
  });

  it('sets a parent, leaving the parent unchanged, and refuses cycles and self references', async () => {
    const parent = await fx.openTicket();
    const child = await fx.openTicket();
    const result = await fx.uc.relate.execute({
      actor: fx.admin.actor,
      ticketId: child.id,
      otherTicketId: parent.id,
      relation: 'parent',
    });
    expect(result.ticket.parentTicket).toBe(parent.id);
    expect(await fx.ports.tickets.findById(parent.id)).toEqual(parent);

    await expect(
      fx.uc.relate.execute({
        actor: fx.admin.actor,
        ticketId: parent.id,
        otherTicketId: child.id,
        relation: 'parent',
      }),
    ).rejects.toMatchObject({ code: 'TICKET.PARENT_CYCLE' });
    expect(await fx.ports.tickets.findById(parent.id)).toEqual(parent);
    await expect(
      fx.uc.relate.execute({
        actor: fx.admin.actor,
        ticketId: child.id,
        otherTicketId: child.id,
        relation: 'related',
      }),
    ).rejects.toMatchObject({ code: 'TICKET.SELF_REFERENCE' });
  });

  it('refuses a ticket that does not exist', async () => {
    const a = await fx.openTicket();
    for (const relation of ['related', 'parent'] as const) {
      await expect(
        fx.uc.relate.execute({ actor: fx.admin.actor, ticketId: a.id, otherTicketId: newId(), relation }),
      ).rejects.toMatchObject({ code: 'TICKET.NOT_FOUND' });
    }
    expect(await fx.ports.tickets.findById(a.id)).toEqual(a);
  });

  it("refuses an agent linking to another agent's ticket, changing neither", async () => {
    const anas = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    const bens = await fx.openTicket({ assignedAgent: fx.ben.record.id });
    await expect(
      fx.uc.relate.execute({
        actor: fx.ana.actor,
        ticketId: anas.id,
        otherTicketId: bens.id,
        relation: 'related',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await fx.ports.tickets.findById(anas.id)).toEqual(anas);
    expect(await fx.ports.tickets.findById(bens.id)).toEqual(bens);
  });
});
