import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import { RunSlaWatcher } from '../../../../src/application/sla/run-sla-watcher.js';
import { ChangeTicketStatus } from '../../../../src/application/tickets/change-ticket-status.js';
import { CreateTicket } from '../../../../src/application/tickets/create-ticket.js';
import { minutesAgo, operationsFixture, setSetting } from './operations-fixture.js';

describe('RunSlaWatcher: conversations', () => {
  it('warns the assigned agent once when the first response is due within the lead time', async () => {
    const f = await operationsFixture();
    const conversation = await f.awaitingConversation(20); // urgent: 10 of 30 minutes left, lead 30

    const report = await new RunSlaWatcher(f.ports).execute();

    expect(report.warnings).toBe(1);
    expect(report.escalations).toBe(0);
    const [warning] = f.eventsOf('sla.warning');
    expect(warning?.payload).toMatchObject({
      subject: 'conversation',
      conversationId: conversation.id,
      customerId: conversation.customerId,
      assignedAgent: f.ana.record.id,
      clock: 'firstResponse',
      minutesLeft: 10,
    });
    expect(warning?.payload.dueAt).toEqual(
      new Date(conversation.awaitingResponseSince!.getTime() + 30 * 60_000),
    );

    // The same breach on the next pass, and on another node: no second warning.
    f.ports.clock.advanceMinutes(1);
    expect((await new RunSlaWatcher(f.ports).execute()).warnings).toBe(0);
    expect(f.eventsOf('sla.warning')).toHaveLength(1);
  });

  it('leaves a conversation whose clock is far from due alone', async () => {
    const f = await operationsFixture();
    await f.awaitingConversation(20, { priority: 'medium' }); // 220 of 240 minutes left

    const report = await new RunSlaWatcher(f.ports).execute();

    expect(report).toMatchObject({ conversations: 1, warnings: 0, escalations: 0, problems: [] });
    expect(f.eventsOf('sla.warning')).toEqual([]);
  });

  it("escalates a breached conversation to the agent's own supervisor, once, with the activity log and events", async () => {
    const f = await operationsFixture();
    const conversation = await f.awaitingConversation(55); // 25 business minutes late

    const report = await new RunSlaWatcher(f.ports).execute();

    expect(report.escalations).toBe(1);
    const stored = await f.ports.conversations.findById(conversation.id);
    expect(stored).toMatchObject({
      escalated: true,
      escalatedTo: f.supervisor.record.id,
      assignedAgent: f.ana.record.id,
    });
    expect(stored?.escalatedAt).toEqual(f.ports.clock.now());
    const log = await f.ports.activity.listByEntity('conversation', conversation.id, { limit: 10 });
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({
      action: 'escalated',
      details: { changes: expect.arrayContaining(['escalated']) },
    });
    expect(log.items[0]?.details.reason).toMatch(
      /^SLA breach: first response was due .* \(25 business minutes late\)$/,
    );
    expect(log.items[0]?.performedBy).toBeUndefined(); // the system
    const escalatedEvent = f.eventsOf('conversation.updated').find((e) => e.payload.escalatedTo);
    expect(escalatedEvent?.payload).toMatchObject({
      conversationId: conversation.id,
      escalatedTo: f.supervisor.record.id,
    });

    f.ports.clock.advanceMinutes(5);
    expect((await new RunSlaWatcher(f.ports).execute()).escalations).toBe(0);
    expect(
      (await f.ports.activity.listByEntity('conversation', conversation.id, { limit: 10 })).items,
    ).toHaveLength(1);
  });

  it('hands the conversation to the supervisor when escalation_reassign is on', async () => {
    const f = await operationsFixture();
    await setSetting(f.ports, 'escalation_reassign', true);
    const conversation = await f.awaitingConversation(55);

    await new RunSlaWatcher(f.ports).execute();

    const stored = await f.ports.conversations.findById(conversation.id);
    expect(stored).toMatchObject({
      escalatedTo: f.supervisor.record.id,
      assignedAgent: f.supervisor.record.id,
    });
    const actions = (
      await f.ports.activity.listByEntity('conversation', conversation.id, { limit: 10 })
    ).items.map((e) => e.action);
    expect(actions.sort()).toEqual(['escalated', 'transferred']);
    expect(
      (await f.ports.agents.findById(f.supervisor.record.id))?.statistics.currentActiveConversations,
    ).toBe(1);
  });

  it('escalates an unassigned breached conversation to an online supervisor', async () => {
    const f = await operationsFixture();
    const conversation = await f.awaitingConversation(55, { status: 'open', assignedAgent: undefined });

    await new RunSlaWatcher(f.ports).execute();

    const stored = await f.ports.conversations.findById(conversation.id);
    expect(stored?.escalated).toBe(true);
    expect([f.supervisor.record.id, f.otherSupervisor.record.id]).toContain(stored?.escalatedTo);
  });

  it('escalates a conversation whose outbound messages failed twice in a row', async () => {
    const f = await operationsFixture();
    const once = await f.awaitingConversation(0, { awaitingResponseSince: undefined, failedDeliveries: 1 });
    const twice = await f.awaitingConversation(0, { awaitingResponseSince: undefined, failedDeliveries: 2 });

    const report = await new RunSlaWatcher(f.ports).execute();

    expect(report.escalations).toBe(1);
    expect((await f.ports.conversations.findById(once.id))?.escalated).toBeUndefined();
    expect((await f.ports.conversations.findById(twice.id))?.escalatedTo).toBe(f.supervisor.record.id);
    const [entry] = (await f.ports.activity.listByEntity('conversation', twice.id, { limit: 5 })).items;
    expect(entry?.details.reason).toBe(
      'Delivery failures: the last 2 outbound messages could not be delivered',
    );
  });

  it('does nothing outside business hours (the clocks are stopped there)', async () => {
    const f = await operationsFixture();
    await f.awaitingConversation(55);
    f.ports.clock.set('2026-03-03T03:00:00Z'); // Monday 21:00 in Mexico City

    const report = await new RunSlaWatcher(f.ports).execute();

    expect(report.skipped).toBe('outside_business_hours');
    expect(f.eventsOf('sla.warning')).toEqual([]);
    expect(report.escalations).toBe(0);
  });

  it('reports a breach it cannot escalate (no supervisor or admin) without failing the pass', async () => {
    const f = await operationsFixture();
    for (const a of [f.admin, f.supervisor, f.otherSupervisor]) {
      await f.ports.agents.update({ ...(await f.ports.agents.findById(a.record.id))!, isActive: false });
    }
    const conversation = await f.awaitingConversation(55);

    const report = await new RunSlaWatcher(f.ports).execute();

    expect(report.escalations).toBe(0);
    expect(report.problems).toEqual([
      expect.objectContaining({
        subject: 'conversation',
        id: conversation.id,
        error: expect.stringMatching(/no active supervisor/),
      }),
    ]);
  });
});

describe('RunSlaWatcher: the 24-hour window', () => {
  it('warns when the window of an unanswered question closes within the hour, then says a template is needed', async () => {
    const f = await operationsFixture();
    // Low priority: 480 business minutes to answer, so only the window matters here.
    const conversation = await f.awaitingConversation(23 * 60 + 30, { priority: 'low' });

    await new RunSlaWatcher(f.ports).execute();
    const [closing] = f.eventsOf('window.closing');
    expect(closing?.payload).toMatchObject({
      conversationId: conversation.id,
      assignedAgent: f.ana.record.id,
      minutesLeft: 30,
    });
    expect(closing?.payload.closesAt).toEqual(
      new Date(conversation.lastCustomerMessage!.getTime() + 24 * 3_600_000),
    );

    await new RunSlaWatcher(f.ports).execute(); // nothing new
    f.ports.clock.advanceMinutes(31);
    await new RunSlaWatcher(f.ports).execute();
    await new RunSlaWatcher(f.ports).execute();

    expect(f.eventsOf('window.closing')).toHaveLength(1);
    const closed = f.eventsOf('window.closed');
    expect(closed).toHaveLength(1);
    expect(closed[0]?.payload).toMatchObject({ conversationId: conversation.id, templateRequired: true });
  });

  it('says nothing about the window of a conversation nobody is waiting on', async () => {
    const f = await operationsFixture();
    await f.awaitingConversation(23 * 60 + 30, { priority: 'low', awaitingResponseSince: undefined });

    await new RunSlaWatcher(f.ports).execute();

    expect(f.eventsOf('window.closing')).toEqual([]);
  });
});

describe('RunSlaWatcher: tickets', () => {
  async function ticketOf(f: Awaited<ReturnType<typeof operationsFixture>>, createdMinutesAgo: number) {
    const now = f.ports.clock.now();
    f.ports.clock.set(minutesAgo(f.ports, createdMinutesAgo));
    const ticket = await new CreateTicket(f.ports).execute({
      actor: f.admin.actor,
      customerId: f.customer.id,
      subject: 'Cobro duplicado',
      description: 'Me cobraron dos veces',
      category: 'billing',
      priority: 'urgent',
      assignedAgent: f.ana.record.id,
    });
    f.ports.clock.set(now);
    return ticket;
  }

  it('warns about a ticket close to its first-response target, then escalates it with EscalateTicket once breached', async () => {
    const f = await operationsFixture();
    const ticket = await ticketOf(f, 20);

    await new RunSlaWatcher(f.ports).execute();
    expect(f.eventsOf('sla.warning').map((e) => e.payload)).toEqual([
      expect.objectContaining({
        subject: 'ticket',
        id: ticket.id,
        ticketId: ticket.ticketId,
        assignedAgent: f.ana.record.id,
        clock: 'firstResponse',
      }),
    ]);

    f.ports.clock.advanceMinutes(15); // 5 minutes late
    const report = await new RunSlaWatcher(f.ports).execute();

    expect(report.escalations).toBe(1);
    const stored = await f.ports.tickets.findById(ticket.id);
    expect(stored).toMatchObject({ escalated: true, escalatedTo: f.supervisor.record.id });
    expect(stored?.escalationReason).toMatch(/^SLA breach: first response was due/);
    const actions = (await f.ports.activity.listByEntity('ticket', ticket.id, { limit: 10 })).items.map(
      (e) => e.action,
    );
    expect(actions).toContain('escalated');
    expect(f.eventsOf('ticket.escalated')).toHaveLength(1);

    f.ports.clock.advanceMinutes(5);
    expect((await new RunSlaWatcher(f.ports).execute()).escalations).toBe(0);
    expect(f.eventsOf('ticket.escalated')).toHaveLength(1);
  });

  it('does not escalate a ticket whose clock is paused while it waits on the customer', async () => {
    const f = await operationsFixture();
    const created = await ticketOf(f, 10);
    // Answered in time (the first-response clock stops), then parked waiting on the customer.
    const ticket = await f.ports.tickets.update({
      ...created,
      firstResponseAt: f.ports.clock.now(),
      firstResponseTime: 10,
    });
    await new ChangeTicketStatus(f.ports).execute({
      actor: SYSTEM,
      ticketId: ticket.id,
      status: 'waiting_customer',
    });
    f.ports.clock.advanceMinutes(300); // past the 240-minute resolution target, all of it paused

    const report = await new RunSlaWatcher(f.ports).execute();

    expect(report.escalations).toBe(0);
    expect((await f.ports.tickets.findById(ticket.id))?.escalated).toBe(false);
  });
});

describe('RunSlaWatcher on several nodes', () => {
  it('warns and escalates once when two watchers run the same pass side by side', async () => {
    const f = await operationsFixture();
    const breached = await f.awaitingConversation(55);
    await f.awaitingConversation(20);

    const [a, b] = await Promise.all([
      new RunSlaWatcher(f.ports).execute(),
      new RunSlaWatcher(f.ports).execute(),
    ]);

    expect(a.warnings + b.warnings).toBe(1);
    expect(a.escalations + b.escalations).toBe(1);
    expect(f.eventsOf('sla.warning')).toHaveLength(1);
    const log = await f.ports.activity.listByEntity('conversation', breached.id, { limit: 10 });
    expect(log.items.filter((e) => e.action === 'escalated')).toHaveLength(1);
  });
});
