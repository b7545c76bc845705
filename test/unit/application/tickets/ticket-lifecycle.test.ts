import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import {
  BusinessRuleError,
  ConcurrencyError,
  ForbiddenError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from '../../../../src/domain/shared/errors.js';
import { newId } from '../../../support/records.js';
import { activityOf, clearPublished, publishedTypes, rejectionOf } from '../../../support/test-seeds.js';
import { type TicketFixture, ticketFixture } from './ticket-fixture.js';

describe('ticket lifecycle use cases', () => {
  let fx: TicketFixture;
  beforeEach(async () => {
    fx = await ticketFixture();
  });

  describe('UpdateTicket', () => {
    it('edits fields, moves the SLA estimate with the priority, audits and publishes', async () => {
      const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
      clearPublished(fx.ports);
      fx.ports.clock.advanceMinutes(5);

      const saved = await fx.uc.update.execute({
        actor: fx.ana.actor,
        ticketId: ticket.id,
        changes: { priority: 'high', subject: 'Cobro duplicado urgente', subcategory: 'cards' },
      });

      expect(await fx.ports.tickets.findById(ticket.id)).toEqual(saved);
      expect(saved).toMatchObject({
        priority: 'high',
        subject: 'Cobro duplicado urgente',
        subcategory: 'cards',
        version: ticket.version + 1,
        updatedAt: fx.ports.clock.now(),
      });
      // Created Monday 10:00 local; high = 480 business minutes → Monday 18:00 local.
      expect(saved.estimatedResolution).toEqual(new Date('2026-03-03T00:00:00.000Z'));

      const [entry] = await activityOf(fx.ports, 'ticket', ticket.id);
      expect(entry).toMatchObject({ action: 'updated', performedBy: fx.ana.actor.id });
      expect(entry?.details.changes).toEqual([
        'estimatedResolution',
        'lastActivityAt',
        'priority',
        'subcategory',
        'subject',
      ]);
      expect(entry?.details.before).toMatchObject({ priority: 'medium' });
      expect(publishedTypes(fx.ports)).toEqual(['ticket.updated']);
      expect(fx.ports.published[0]?.payload).toMatchObject({
        previousPriority: 'medium',
        priority: 'high',
        assignedAgent: fx.ana.record.id,
      });
    });

    it('changes nothing (no save, no audit, no event) when nothing differs', async () => {
      const ticket = await fx.openTicket();
      clearPublished(fx.ports);
      const result = await fx.uc.update.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        changes: { subject: ticket.subject },
      });
      expect(result).toEqual(ticket);
      expect(await activityOf(fx.ports, 'ticket', ticket.id)).toHaveLength(1);
      expect(fx.ports.published).toEqual([]);
    });

    it("refuses an agent on someone else's ticket, but allows them when the ticket's conversation is theirs", async () => {
      const bens = await fx.openTicket({ assignedAgent: fx.ben.record.id });
      const err = await rejectionOf(
        fx.uc.update.execute({ actor: fx.ana.actor, ticketId: bens.id, changes: { priority: 'low' } }),
      );
      expect(err).toBeInstanceOf(ForbiddenError);
      expect(err).toMatchObject({ reason: 'out_of_scope' });
      expect((await fx.ports.tickets.findById(bens.id))?.priority).toBe('medium');

      const fromAnasConversation = await fx.openTicket({
        assignedAgent: fx.ben.record.id,
        conversationId: fx.conversation.id,
      });
      await expect(
        fx.uc.update.execute({
          actor: fx.ana.actor,
          ticketId: fromAnasConversation.id,
          changes: { priority: 'low' },
        }),
      ).resolves.toMatchObject({ priority: 'low' });
    });

    it('refuses a role without manage:tickets, a missing ticket, and a stale write', async () => {
      const ticket = await fx.openTicket();
      const noTickets = fx.withOnly(fx.supervisor.actor, 'read:conversations');
      await expect(
        fx.uc.update.execute({ actor: noTickets, ticketId: ticket.id, changes: { priority: 'low' } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        fx.uc.update.execute({ actor: fx.admin.actor, ticketId: newId(), changes: { priority: 'low' } }),
      ).rejects.toMatchObject({ code: 'TICKET.NOT_FOUND' });

      // Someone saves in between our read and our write.
      const stale = structuredClone(ticket);
      await fx.ports.tickets.update({ ...ticket, tags: ['other-edit'] });
      vi.spyOn(fx.ports.tickets, 'findById').mockResolvedValueOnce(stale);
      clearPublished(fx.ports);
      await expect(
        fx.uc.update.execute({ actor: fx.admin.actor, ticketId: ticket.id, changes: { priority: 'low' } }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await fx.ports.tickets.findById(ticket.id)).toMatchObject({
        priority: 'medium',
        tags: ['other-edit'],
      });
      expect(await activityOf(fx.ports, 'ticket', ticket.id)).toHaveLength(1);
      expect(fx.ports.published).toEqual([]);
    });
  });

  describe('ChangeTicketStatus', () => {
    it('pauses the SLA while waiting on the customer, measured in business minutes of the settings calendar', async () => {
      const ticket = await fx.openTicket();
      const estimated = ticket.estimatedResolution!;
      fx.ports.clock.set('2026-03-02T23:30:00.000Z'); // Monday 17:30 local
      await fx.uc.changeStatus.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        status: 'waiting_customer',
      });
      fx.ports.clock.set('2026-03-03T15:30:00.000Z'); // Tuesday 09:30 local: 16 h later, 60 business minutes
      const resumed = await fx.uc.changeStatus.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        status: 'in_progress',
        reason: 'customer sent the receipt',
      });

      expect(resumed.status).toBe('in_progress');
      expect(resumed.slaPausedMinutes).toBe(60);
      expect(resumed.estimatedResolution).toEqual(new Date(estimated.getTime() + 60 * 60_000));
      const [entry] = await activityOf(fx.ports, 'ticket', ticket.id);
      expect(entry).toMatchObject({
        action: 'updated',
        details: { reason: 'customer sent the receipt', changes: expect.arrayContaining(['status']) },
      });
      expect(publishedTypes(fx.ports).slice(-2)).toEqual(['ticket.status_changed', 'ticket.status_changed']);
    });

    it("audits closing as 'closed' and reopening a resolved ticket as 'reopened'", async () => {
      const ticket = await fx.openTicket();
      await fx.uc.resolve.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        summary: 'Reembolso',
        resolutionCategory: 'solved',
      });
      const reopened = await fx.uc.changeStatus.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        status: 'in_progress',
      });
      expect(reopened).not.toHaveProperty('resolution');
      expect((await activityOf(fx.ports, 'ticket', ticket.id))[0]?.action).toBe('reopened');

      const closed = await fx.uc.changeStatus.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        status: 'closed',
      });
      expect(closed).toMatchObject({ status: 'closed', closedAt: fx.ports.clock.now() });
      expect((await activityOf(fx.ports, 'ticket', ticket.id))[0]?.action).toBe('closed');
      expect(fx.ports.published.at(-1)?.payload).toMatchObject({ from: 'in_progress', to: 'closed' });
    });

    it('refuses moving to resolved without a resolution, and illegal moves', async () => {
      const ticket = await fx.openTicket();
      await expect(
        fx.uc.changeStatus.execute({ actor: fx.admin.actor, ticketId: ticket.id, status: 'resolved' }),
      ).rejects.toMatchObject({ code: 'TICKET.RESOLUTION_REQUIRED' });
      await fx.uc.changeStatus.execute({ actor: fx.admin.actor, ticketId: ticket.id, status: 'closed' });
      await expect(
        fx.uc.changeStatus.execute({ actor: fx.admin.actor, ticketId: ticket.id, status: 'in_progress' }),
      ).rejects.toBeInstanceOf(IllegalTransitionError);
    });

    it("refuses an agent on someone else's ticket", async () => {
      const ticket = await fx.openTicket({ assignedAgent: fx.ben.record.id });
      await expect(
        fx.uc.changeStatus.execute({ actor: fx.ana.actor, ticketId: ticket.id, status: 'closed' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      expect((await fx.ports.tickets.findById(ticket.id))?.status).toBe('open');
    });
  });

  describe('ResolveTicket', () => {
    it('resolves as the acting agent, audits and publishes', async () => {
      const ticket = await fx.openTicket({ assignedAgent: fx.ana.record.id });
      fx.ports.clock.advanceMinutes(90);
      clearPublished(fx.ports);

      const resolved = await fx.uc.resolve.execute({
        actor: fx.ana.actor,
        ticketId: ticket.id,
        summary: 'Se reembolsó el cargo',
        steps: ['Verificar cargo', 'Reembolsar'],
        resolutionCategory: 'solved',
      });

      expect(await fx.ports.tickets.findById(ticket.id)).toEqual(resolved);
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolutionTime: 90,
        resolution: {
          summary: 'Se reembolsó el cargo',
          steps: ['Verificar cargo', 'Reembolsar'],
          resolvedBy: fx.ana.actor.id,
          resolvedAt: fx.ports.clock.now(),
          resolutionCategory: 'solved',
        },
      });
      expect((await activityOf(fx.ports, 'ticket', ticket.id))[0]).toMatchObject({
        action: 'resolved',
        performedBy: fx.ana.actor.id,
      });
      expect(publishedTypes(fx.ports)).toEqual(['ticket.status_changed']);
      expect(fx.ports.published[0]?.payload).toMatchObject({
        to: 'resolved',
        assignedAgent: fx.ana.record.id,
      });
    });

    it('lets the system resolve only on behalf of an existing agent', async () => {
      const ticket = await fx.openTicket();
      const input = {
        actor: SYSTEM,
        ticketId: ticket.id,
        summary: 'Auto',
        resolutionCategory: 'duplicate' as const,
      };
      await expect(fx.uc.resolve.execute(input)).rejects.toMatchObject({ field: 'resolvedBy' });
      await expect(fx.uc.resolve.execute({ ...input, resolvedBy: newId() })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      const resolved = await fx.uc.resolve.execute({ ...input, resolvedBy: fx.supervisor.record.id });
      expect(resolved.resolution?.resolvedBy).toBe(fx.supervisor.record.id);
      expect((await activityOf(fx.ports, 'ticket', ticket.id))[0]).not.toHaveProperty('performedBy');
    });

    it("refuses an agent on someone else's ticket", async () => {
      const ticket = await fx.openTicket({ assignedAgent: fx.ben.record.id });
      await expect(
        fx.uc.resolve.execute({
          actor: fx.ana.actor,
          ticketId: ticket.id,
          summary: 'x',
          resolutionCategory: 'solved',
        }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    });
  });

  describe('RecordTicketFeedback', () => {
    it('is refused before the ticket is resolved', async () => {
      const ticket = await fx.openTicket();
      const err = await rejectionOf(
        fx.uc.feedback.execute({ actor: SYSTEM, ticketId: ticket.id, rating: 5 }),
      );
      expect(err).toBeInstanceOf(BusinessRuleError);
      expect(err).toMatchObject({ code: 'TICKET.FEEDBACK_BEFORE_RESOLUTION' });
    });

    it("stores the rating, counts only the ticket's first rating in the customer's average", async () => {
      const ticket = await fx.openTicket();
      await fx.uc.resolve.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        summary: 'ok',
        resolutionCategory: 'solved',
      });
      clearPublished(fx.ports);

      const rated = await fx.uc.feedback.execute({
        actor: SYSTEM,
        ticketId: ticket.id,
        rating: 4,
        comment: 'Rápido',
        followUpNeeded: true,
      });
      expect(rated.customerFeedback).toEqual({
        rating: 4,
        comment: 'Rápido',
        followUpNeeded: true,
        submittedAt: fx.ports.clock.now(),
      });
      expect((await fx.ports.customers.findById(fx.customer.id))?.statistics).toMatchObject({
        satisfactionScore: 4,
        satisfactionCount: 1,
      });
      expect((await activityOf(fx.ports, 'ticket', ticket.id))[0]).toMatchObject({
        action: 'updated',
        details: { changes: expect.arrayContaining(['customerFeedback']) },
      });
      expect(publishedTypes(fx.ports)).toEqual(['ticket.updated', 'customer.updated']);

      const corrected = await fx.uc.feedback.execute({ actor: SYSTEM, ticketId: ticket.id, rating: 2 });
      expect(corrected.customerFeedback?.rating).toBe(2);
      expect((await fx.ports.customers.findById(fx.customer.id))?.statistics).toMatchObject({
        satisfactionScore: 4,
        satisfactionCount: 1,
      });
    });

    it('refuses an invalid rating and a missing ticket', async () => {
      const ticket = await fx.openTicket();
      await fx.uc.resolve.execute({
        actor: fx.admin.actor,
        ticketId: ticket.id,
        summary: 'ok',
        resolutionCategory: 'solved',
      });
      await expect(
        fx.uc.feedback.execute({ actor: SYSTEM, ticketId: ticket.id, rating: 6 }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        fx.uc.feedback.execute({ actor: SYSTEM, ticketId: newId(), rating: 5 }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
