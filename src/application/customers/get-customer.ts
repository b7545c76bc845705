import { type Action, authorize as decide, type Resource } from '../../domain/authorization/authorize.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from '../shared/actor.js';
import { authorize, requireCustomer } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';

export interface GetCustomerQuery extends UseCaseInput {
  customerId: Id;
}

export interface CustomerDetails {
  customer: CustomerPrimitives;
  /** Newest first; only those the actor may read (a plain agent: theirs and the unassigned queue). */
  conversations: ConversationPrimitives[];
  /** Newest first; empty without `manage:tickets`; a plain agent sees theirs, unassigned ones and those of their conversations. */
  tickets: TicketPrimitives[];
  /** Closed conversations moved to the archive (read-only), newest first, filtered like `conversations`. */
  archivedConversations: ConversationPrimitives[];
}

/** A customer with their conversations and tickets, filtered to what the actor may see. */
export class GetCustomer {
  constructor(private readonly ports: Pick<Ports, 'customers' | 'conversations' | 'tickets' | 'archive'>) {}

  async execute(input: GetCustomerQuery): Promise<CustomerDetails> {
    const { actor } = input;
    authorize(actor, 'customer.read');
    const customer = await requireCustomer(this.ports, input.customerId);
    authorize(actor, 'customer.read', { kind: 'customer', id: customer.id });

    const live = await this.ports.conversations.listAllByCustomer(customer.id);
    const archived = await this.ports.archive.listArchivedConversationsByCustomer(customer.id);
    const all = [...live, ...archived];
    const readable = (c: ConversationPrimitives) =>
      can(actor, 'conversation.read', {
        kind: 'conversation',
        ...(c.assignedAgent === undefined ? {} : { assignedAgent: c.assignedAgent }),
      });
    const conversations = live.filter(readable);
    const archivedConversations = archived.filter(readable);
    const tickets = can(actor, 'ticket.read')
      ? (await this.ports.tickets.listAllByCustomer(customer.id)).filter((t) => {
          const conversationAssignedAgent = all.find((c) => c.id === t.conversationId)?.assignedAgent;
          return can(actor, 'ticket.read', {
            kind: 'ticket',
            ...(t.assignedAgent === undefined ? {} : { assignedAgent: t.assignedAgent }),
            ...(conversationAssignedAgent === undefined ? {} : { conversationAssignedAgent }),
          });
        })
      : [];
    return { customer, conversations, tickets, archivedConversations };
  }
}

/** Filtering, not refusing: whether the actor may see one item of the profile. */
const can = (actor: Actor, action: Action, resource?: Resource): boolean =>
  actor.kind === 'system' || decide(actor, action, resource).allowed;
