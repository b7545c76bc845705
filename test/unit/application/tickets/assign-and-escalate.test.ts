import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../../../../src/domain/shared/errors.js';
import { newId, settingRecord } from '../../../support/records.js';
import { seedAgent } from '../../../support/test-ports.js';
import { activityOf, clearPublished, publishedTypes, rejectionOf } from '../../../support/test-seeds.js';
import { type TicketFixture, ticketFixture } from './ticket-fixture.js';

describe('AssignTicket', () => {
  let fx: TicketFixture;
  beforeEach(async () => {
    fx = await ticketFixture();
  });

  it('assigns, audits as assigned and publishes to the new assignee', async () => {
    const ticket = await fx.openTicket();
    clearPublished(fx.ports);
    const saved = await fx.uc.assign.execute({
      actor: fx.supervisor.actor,
      ticketId: ticket.id,
      agentId: fx.ana.record.id,
    });

    expect(await fx.ports.tickets.findById(ticket.id)).toEqual(saved);
    expect(saved.assignedAgent).toBe(fx.ana.record.id);
    const [entry] = await activityOf(fx.ports, 'ticket', ticket.id);
    expect(entry).toMatchObject({ action: 'assigned', performedBy: fx.supervisor.actor.id });
    expect(entry?.details.changes).toContain('assignedAgent');
    expect(publishedTypes(fx.ports)).toEqual(['ticket.updated']);
    expect(fx.ports.published[0]?.payload).toMatchObject({
      assignedAgent: fx.ana.record.id,
      changes: ['assignedAgent'],
      by: fx.supervisor.actor.id,
    });
  });

  it('does nothing when the ticket already has that assignee', async () => {
    const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    clearPublished(fx.ports);
    await expect(
      fx.uc.assign.execute({ actor: fx.admin.actor, ticketId: ticket.id, agentId: fx.ana.record.id }),
    ).resolves.toEqual(ticket);
    expect(fx.ports.published).toEqual([]);
    expect(await activityOf(fx.ports, 'ticket', ticket.id)).toHaveLength(1);
  });

  it("lets a plain agent take an unassigned ticket, but not move another agent's", async () => {
    const queued = await fx.openTicket();
    await expect(
      fx.uc.assign.execute({ actor: fx.ana.actor, ticketId: queued.id, agentId: fx.ana.record.id }),
    ).resolves.toMatchObject({ assignedAgent: fx.ana.record.id });

    const bens = await fx.openTicket({ assignedAgent: fx.ben.record.id });
    const err = await rejectionOf(
      fx.uc.assign.execute({ actor: fx.ana.actor, ticketId: bens.id, agentId: fx.ana.record.id }),
    );
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((await fx.ports.tickets.findById(bens.id))?.assignedAgent).toBe(fx.ben.record.id);
  });

  it('refuses a missing ticket or agent, an inactive agent, an agent who cannot work tickets, a role without manage:tickets', async () => {
    const ticket = await fx.openTicket();
    const assign = (agentId: string, actor = fx.admin.actor, ticketId = ticket.id) =>
      fx.uc.assign.execute({ actor, ticketId, agentId });

    await expect(assign(fx.ana.record.id, fx.admin.actor, newId())).rejects.toMatchObject({
      code: 'TICKET.NOT_FOUND',
    });
    await expect(assign(newId())).rejects.toMatchObject({ code: 'AGENT.NOT_FOUND' });
    await fx.ports.agents.update({ ...fx.ben.record, isActive: false });
    await expect(assign(fx.ben.record.id)).rejects.toMatchObject({
      code: 'TICKET.ASSIGNEE_NOT_ELIGIBLE',
      details: { reason: 'inactive' },
    });
    await fx.ports.agents.update({ ...fx.ana.record, permissions: ['read:conversations'] });
    await expect(assign(fx.ana.record.id)).rejects.toMatchObject({
      code: 'TICKET.ASSIGNEE_NOT_ELIGIBLE',
      details: { reason: 'missing_permission' },
    });
    await expect(
      assign(fx.supervisor.record.id, fx.withOnly(fx.supervisor.actor, 'assign:conversations')),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await fx.ports.tickets.findById(ticket.id)).not.toHaveProperty('assignedAgent');
  });
});

describe('EscalateTicket', () => {
  let fx: TicketFixture;
  beforeEach(async () => {
    fx = await ticketFixture();
  });

  it('escalates to the chosen target: raises the priority, audits with the reason, publishes', async () => {
    const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    clearPublished(fx.ports);
    fx.ports.clock.advanceMinutes(10);

    const saved = await fx.uc.escalate.execute({
      actor: fx.ana.actor,
      ticketId: ticket.id,
      reason: 'El cliente amenaza con cancelar',
    });

    expect(await fx.ports.tickets.findById(ticket.id)).toEqual(saved);
    expect(saved).toMatchObject({
      escalated: true,
      escalatedTo: fx.supervisor.record.id, // an online supervisor before any admin
      escalatedAt: fx.ports.clock.now(),
      escalationReason: 'El cliente amenaza con cancelar',
      priority: 'high',
      assignedAgent: fx.ana.record.id, // escalation_reassign is off by default
    });
    // The estimate follows the raised priority: high = 480 business minutes from Monday 10:00 local.
    expect(saved.estimatedResolution).toEqual(new Date('2026-03-03T00:00:00.000Z'));
    expect((await activityOf(fx.ports, 'ticket', ticket.id))[0]).toMatchObject({
      action: 'escalated',
      performedBy: fx.ana.actor.id,
      details: { reason: 'El cliente amenaza con cancelar' },
    });
    expect(publishedTypes(fx.ports)).toEqual(['ticket.escalated']);
    expect(fx.ports.published[0]?.payload).toMatchObject({
      escalatedTo: fx.supervisor.record.id,
      previousPriority: 'medium',
      priority: 'high',
      assignedAgent: fx.ana.record.id,
    });
  });

  it("prefers the assignee's own supervisor", async () => {
    const own = await seedAgent(fx.ports, 'supervisor', { status: 'offline' });
    await fx.ports.agents.update({ ...fx.ana.record, supervisorId: own.record.id });
    const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    const saved = await fx.uc.escalate.execute({
      actor: fx.ana.actor,
      ticketId: ticket.id,
      reason: 'Complejo',
    });
    expect(saved.escalatedTo).toBe(own.record.id);
  });

  it('reassigns to the target when escalation_reassign is on', async () => {
    await fx.ports.settings.put(settingRecord({ key: 'escalation_reassign', value: true }));
    const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
    clearPublished(fx.ports);
    const saved = await fx.uc.escalate.execute({
      actor: fx.ana.actor,
      ticketId: ticket.id,
      reason: 'Complejo',
    });
    expect(saved.assignedAgent).toBe(fx.supervisor.record.id);
    expect(fx.ports.published[0]?.payload).toMatchObject({
      assignedAgent: fx.supervisor.record.id,
      previousAgent: fx.ana.record.id,
    });
  });

  it('takes an explicit target, which must exist', async () => {
    const ticket = await fx.openTicket();
    await expect(
      fx.uc.escalate.execute({ actor: fx.admin.actor, ticketId: ticket.id, reason: 'x', to: newId() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const saved = await fx.uc.escalate.execute({
      actor: fx.supervisor.actor,
      ticketId: ticket.id,
      reason: 'Legal',
      to: fx.admin.record.id,
    });
    expect(saved.escalatedTo).toBe(fx.admin.record.id);
  });

  it('refuses a second escalation', async () => {
    const ticket = await fx.openTicket();
    await fx.uc.escalate.execute({ actor: fx.admin.actor, ticketId: ticket.id, reason: 'Primera' });
    clearPublished(fx.ports);
    await expect(
      fx.uc.escalate.execute({ actor: fx.admin.actor, ticketId: ticket.id, reason: 'Segunda' }),
    ).rejects.toMatchObject({ code: 'TICKET.ALREADY_ESCALATED' });
    expect((await fx.ports.tickets.findById(ticket.id))?.escalationReason).toBe('Primera');
    expect(fx.ports.published).toEqual([]);
  });

  it('refuses when there is nobody to escalate to', async () => {
    await fx.ports.agents.update({ ...fx.supervisor.record, isActive: false });
    await fx.ports.agents.update({ ...fx.admin.record, isActive: false });
    const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id }, fx.ana.actor);
    await expect(
      fx.uc.escalate.execute({ actor: fx.ana.actor, ticketId: ticket.id, reason: 'Ayuda' }),
    ).rejects.toMatchObject({ code: 'TICKET.NO_ESCALATION_TARGET' });
    expect((await fx.ports.tickets.findById(ticket.id))?.escalated).toBe(false);
  });

  it("refuses an agent on someone else's ticket and a role without manage:tickets", async () => {
    const bens = await fx.openTicket({ assignedAgent: fx.ben.record.id });
    await expect(
      fx.uc.escalate.execute({ actor: fx.ana.actor, ticketId: bens.id, reason: 'x' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      fx.uc.escalate.execute({
        actor: fx.withOnly(fx.ben.actor, 'read:conversations'),
        ticketId: bens.id,
        reason: 'x',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await fx.ports.tickets.findById(bens.id))?.escalated).toBe(false);
  });
});
