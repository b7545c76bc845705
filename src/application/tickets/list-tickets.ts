import type { Priority } from '../../domain/conversation/conversation.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { TicketCategory, TicketPrimitives, TicketStatus } from '../../domain/ticket/ticket.types.js';
import type { Page } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import type { TicketFilter } from '../ports/repositories.js';
import { authorize } from '../shared/guards.js';
import { type PageInput, toPageRequest, type UseCaseInput } from '../shared/use-case-input.js';

export interface ListTicketsQuery extends UseCaseInput, PageInput {
  status?: TicketStatus[];
  priority?: Priority;
  category?: TicketCategory;
  assignedAgent?: Id;
  customerId?: Id;
  conversationId?: Id;
  /** Any of. */
  tags?: string[];
  escalated?: boolean;
}

/**
 * Tickets, most recently updated first, by keyset cursor. A plain agent sees only tickets assigned
 * to them or unassigned (`TicketFilter.visibleTo`); supervisors and admins see all.
 */
export class ListTickets {
  constructor(private readonly ports: Pick<Ports, 'tickets'>) {}

  async execute(input: ListTicketsQuery): Promise<Page<TicketPrimitives>> {
    const { actor } = input;
    authorize(actor, 'ticket.read');
    const filter: TicketFilter = {
      ...(input.status === undefined ? {} : { status: input.status }),
      ...(input.priority === undefined ? {} : { priority: input.priority }),
      ...(input.category === undefined ? {} : { category: input.category }),
      ...(input.assignedAgent === undefined ? {} : { assignedAgent: input.assignedAgent }),
      ...(input.customerId === undefined ? {} : { customerId: input.customerId }),
      ...(input.conversationId === undefined ? {} : { conversationId: input.conversationId }),
      ...(input.tags === undefined ? {} : { tags: input.tags }),
      ...(input.escalated === undefined ? {} : { escalated: input.escalated }),
      ...(actor.kind === 'agent' && actor.role === 'agent' ? { visibleTo: actor.id } : {}),
    };
    return this.ports.tickets.list(filter, toPageRequest(input));
  }
}
