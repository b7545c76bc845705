import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { actorId } from '../shared/actor.js';
import { authorize, requireTicket } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { authorizeOnTicket, requireTicketWorker, saveTicket, type TicketPorts } from './ticket-support.js';

export interface AssignTicketCommand extends UseCaseInput {
  ticketId: Id;
  /** Must be an active agent with `manage:tickets`. */
  agentId: Id;
}

/**
 * Gives a ticket to an agent. Tickets have a single permission (`manage:tickets`), so the scope
 * rule decides: a plain agent may take an unassigned ticket or hand over one of their own, but not
 * move another agent's ticket; supervisors and admins may assign any. Assigning to the current
 * assignee changes nothing (no save, no audit, no event).
 */
export class AssignTicket {
  constructor(private readonly ports: TicketPorts & Pick<Ports, 'conversations' | 'agents'>) {}

  async execute(input: AssignTicketCommand): Promise<TicketPrimitives> {
    authorize(input.actor, 'ticket.write');
    const before = await requireTicket(this.ports, input.ticketId);
    await authorizeOnTicket(this.ports, input.actor, 'ticket.write', before);
    await requireTicketWorker(this.ports, input.agentId);

    const ticket = Ticket.fromPrimitives(before);
    if (!ticket.assignTo(input.agentId, this.ports.clock.now(), actorId(input.actor))) return before;
    return saveTicket(this.ports, input.actor, input.meta, { before, ticket, action: 'assigned' });
  }
}
