import type { Priority } from '../../domain/conversation/conversation.types.js';
import { customerErased } from '../../domain/customer/customer.errors.js';
import { ValidationError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { slaLevelForSegment } from '../../domain/sla/sla-status.js';
import {
  Ticket,
  type TicketAttachmentInput,
  type TicketLabel,
  type TicketLocationInput,
} from '../../domain/ticket/ticket.js';
import type { SlaLevel, TicketCategory, TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import { formatTicketId, ticketSequenceKey, ticketYear } from '../../domain/ticket/ticket-id.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { actorId } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireConversation, requireCustomer } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { requireTicketWorker, ticketSla } from './ticket-support.js';

export interface CreateTicketCommand extends UseCaseInput {
  /** Opened from a conversation: the customer is the conversation's. */
  conversationId?: Id;
  /** Opened on its own for a customer (or, with conversationId, must match its customer). */
  customerId?: Id;
  subject: string;
  description: string;
  category: TicketCategory;
  subcategory?: string;
  priority?: Priority;
  /** Default: `vip` for customers of the vip segment, else `standard`. */
  slaLevel?: SlaLevel;
  assignedAgent?: Id;
  tags?: string[];
  labels?: TicketLabel[];
  location?: TicketLocationInput;
  /** `uploadedBy` defaults to the acting agent. */
  attachments?: TicketAttachmentInput[];
  externalId?: string;
  externalUrl?: string;
}

type CreateTicketPorts = Pick<
  Ports,
  | 'tickets'
  | 'customers'
  | 'conversations'
  | 'agents'
  | 'sequences'
  | 'settings'
  | 'activity'
  | 'events'
  | 'clock'
  | 'ids'
>;

/**
 * Opens a ticket numbered `TICKET-YYYY-NNNNNN` (year of the business time zone), with its SLA
 * estimate from the settings, and counts it in the customer's statistics.
 *
 * The input is validated on a dry run before a number is drawn, so a refused input leaves no gap
 * in the year's sequence. Erased customers get no new tickets (CUSTOMER.ERASED).
 */
export class CreateTicket {
  constructor(private readonly ports: CreateTicketPorts) {}

  async execute(input: CreateTicketCommand): Promise<TicketPrimitives> {
    const { actor } = input;
    authorize(actor, 'ticket.write');

    const conversation =
      input.conversationId === undefined
        ? undefined
        : await requireConversation(this.ports, input.conversationId);
    if (conversation) {
      // Opening a ticket from a conversation needs the right to see that conversation.
      authorize(actor, 'conversation.read', {
        kind: 'conversation',
        ...(conversation.assignedAgent === undefined ? {} : { assignedAgent: conversation.assignedAgent }),
      });
      if (input.customerId !== undefined && input.customerId !== conversation.customerId) {
        throw new ValidationError('customerId', "does not match the conversation's customer");
      }
    }
    const customerId = conversation?.customerId ?? input.customerId;
    if (customerId === undefined) {
      throw new ValidationError(
        'customerId',
        'is required when the ticket has no conversation',
        'VALIDATION.REQUIRED',
      );
    }
    const customer = await requireCustomer(this.ports, customerId);
    if (customer.erasedAt !== undefined) throw customerErased(customer.id);

    authorize(actor, 'ticket.write', {
      kind: 'ticket',
      ...(input.assignedAgent === undefined ? {} : { assignedAgent: input.assignedAgent }),
      ...(conversation?.assignedAgent === undefined
        ? {}
        : { conversationAssignedAgent: conversation.assignedAgent }),
    });
    if (input.assignedAgent !== undefined) await requireTicketWorker(this.ports, input.assignedAgent);

    const settings = await loadSettings(this.ports);
    const sla = ticketSla(settings);
    const now = this.ports.clock.now();
    const year = ticketYear(now, sla.zone);
    const by = actorId(actor);
    const ticketInput = {
      customerId,
      ...(conversation ? { conversationId: conversation.id } : {}),
      ...(input.assignedAgent === undefined ? {} : { assignedAgent: input.assignedAgent }),
      subject: input.subject,
      description: input.description,
      category: input.category,
      ...(input.subcategory === undefined ? {} : { subcategory: input.subcategory }),
      ...(input.priority === undefined ? {} : { priority: input.priority }),
      slaLevel: input.slaLevel ?? slaLevelForSegment(customer.segment),
      ...(input.tags === undefined ? {} : { tags: input.tags }),
      ...(input.labels === undefined ? {} : { labels: input.labels }),
      ...(input.location === undefined ? {} : { location: input.location }),
      ...(input.attachments === undefined
        ? {}
        : {
            attachments: input.attachments.map((a) =>
              a.uploadedBy === undefined && by !== undefined ? { ...a, uploadedBy: by } : a,
            ),
          }),
      ...(input.externalId === undefined ? {} : { externalId: input.externalId }),
      ...(input.externalUrl === undefined ? {} : { externalUrl: input.externalUrl }),
    };

    const id = this.ports.ids.next();
    // Dry run: refuses a bad input before a ticket number is consumed.
    Ticket.create({ ...ticketInput, ticketId: formatTicketId(year, 1) }, { id, now, sla });

    const seq = await this.ports.sequences.next(ticketSequenceKey(year));
    const ticket = Ticket.create({ ...ticketInput, ticketId: formatTicketId(year, seq) }, { id, now, sla });
    const created = ticket.toPrimitives();
    await this.ports.tickets.insert(created);
    await this.ports.customers.incrementStatistics(customerId, { totalTickets: 1 });
    await recordActivity(this.ports, actor, input.meta ?? {}, {
      entityType: 'ticket',
      entityId: created.id,
      action: 'created',
      after: created,
    });
    await publish(this.ports, ticket.pullEvents());
    return created;
  }
}
