import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../../../../src/domain/shared/errors.js';
import { newId } from '../../../support/records.js';
import { type TicketFixture, ticketFixture } from './ticket-fixture.js';

describe('ListTickets', () => {
  let fx: TicketFixture;
  beforeEach(async () => {
    fx = await ticketFixture();
  });

  const ids = (items: { id: string }[]) => items.map((t) => t.id).sort();

  it('shows a plain agent only their tickets and the unassigned ones; supervisors see all', async () => {
    const anas = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    const bens = await fx.openTicket({ assignedAgent: fx.ben.record.id });
    const queued = await fx.openTicket();

    expect(ids((await fx.uc.list.execute({ actor: fx.ana.actor })).items)).toEqual(ids([anas, queued]));
    expect(ids((await fx.uc.list.execute({ actor: fx.ben.actor })).items)).toEqual(ids([bens, queued]));
    expect(ids((await fx.uc.list.execute({ actor: fx.supervisor.actor })).items)).toEqual(
      ids([anas, bens, queued]),
    );
    // Asking for another agent's tickets does not widen a plain agent's view.
    expect(
      (await fx.uc.list.execute({ actor: fx.ana.actor, assignedAgent: fx.ben.record.id })).items,
    ).toEqual([]);
  });

  it('applies filters and pages by cursor, most recently updated first', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) {
      made.push(await fx.openTicket({ priority: 'high' }));
      fx.ports.clock.advanceMinutes(1);
    }
    await fx.openTicket({ priority: 'low' });

    const first = await fx.uc.list.execute({ actor: fx.admin.actor, priority: 'high', limit: 2 });
    expect(first.items.map((t) => t.id)).toEqual([made[2]!.id, made[1]!.id]);
    const second = await fx.uc.list.execute({
      actor: fx.admin.actor,
      priority: 'high',
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((t) => t.id)).toEqual([made[0]!.id]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('refuses a role without manage:tickets', async () => {
    await expect(
      fx.uc.list.execute({ actor: fx.withOnly(fx.supervisor.actor, 'read:conversations') }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('GetTicket', () => {
  let fx: TicketFixture;
  beforeEach(async () => {
    fx = await ticketFixture();
  });

  it('finds a ticket by id or by number', async () => {
    const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    await expect(fx.uc.get.execute({ actor: fx.ana.actor, ticketId: ticket.id })).resolves.toEqual(ticket);
    await expect(
      fx.uc.get.execute({ actor: fx.ana.actor, ticketId: ' ticket-2026-000001 ' }),
    ).resolves.toEqual(ticket);
  });

  it("refuses an agent on someone else's ticket, a role without manage:tickets, unknown tickets", async () => {
    const bens = await fx.openTicket({ assignedAgent: fx.ben.record.id });
    await expect(fx.uc.get.execute({ actor: fx.ana.actor, ticketId: bens.id })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      fx.uc.get.execute({ actor: fx.withOnly(fx.ben.actor, 'read:conversations'), ticketId: bens.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(fx.uc.get.execute({ actor: fx.admin.actor, ticketId: newId() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      fx.uc.get.execute({ actor: fx.admin.actor, ticketId: 'TICKET-2026-000099' }),
    ).rejects.toMatchObject({ code: 'TICKET.NOT_FOUND' });
  });
});
