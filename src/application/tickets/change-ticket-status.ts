import type { ActivityAction } from '../../domain/activity/activity.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives, TicketStatus } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { actorId } from '../shared/actor.js';
import { authorize, requireTicket } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { authorizeOnTicket, saveTicket, type TicketPorts } from './ticket-support.js';

export interface ChangeTicketStatusCommand extends UseCaseInput {
  ticketId: Id;
  /** Any status but `resolved` (use ResolveTicket: TICKET.RESOLUTION_REQUIRED). */
  status: TicketStatus;
  /** Why (goes to the audit log). */
  reason?: string;
}

/**
 * Moves a ticket through its lifecycle (see TICKET_TRANSITIONS). The business calendar is always
 * passed so a waiting_customer pause is measured in business minutes. Audit action: `closed` for
 * closing, `reopened` for resolved → in_progress, `updated` otherwise.
 */
export class ChangeTicketStatus {
  constructor(private readonly ports: TicketPorts & Pick<Ports, 'conversations' | 'settings'>) {}

  async execute(input: ChangeTicketStatusCommand): Promise<TicketPrimitives> {
    authorize(input.actor, 'ticket.write');
    const before = await requireTicket(this.ports, input.ticketId);
    await authorizeOnTicket(this.ports, input.actor, 'ticket.write', before);

    const ticket = Ticket.fromPrimitives(before);
    const calendar = (await loadSettings(this.ports)).businessCalendar();
    ticket.changeStatus(input.status, actorId(input.actor), this.ports.clock.now(), calendar);

    let action: ActivityAction = 'updated';
    if (input.status === 'closed') action = 'closed';
    else if (before.status === 'resolved') action = 'reopened';
    return saveTicket(this.ports, input.actor, input.meta, {
      before,
      ticket,
      action,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
    });
  }
}
