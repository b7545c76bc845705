import { Customer } from '../../domain/customer/customer.js';
import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { publish } from '../shared/events.js';
import { authorize, requireTicket } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { authorizeOnTicket, saveTicket, type TicketPorts } from './ticket-support.js';

export interface RecordTicketFeedbackCommand extends UseCaseInput {
  ticketId: Id;
  /** 1..5 */
  rating: number;
  comment?: string;
  followUpNeeded?: boolean;
}

/**
 * Records the customer's rating of a resolved or closed ticket (typically the system actor
 * relaying a survey answer, or an agent typing it in). A new rating replaces the old one on the
 * ticket; only the ticket's FIRST rating is added to the customer's running satisfaction average,
 * so correcting a rating never counts twice. The average is updated after the ticket is saved; an
 * erased customer is left alone.
 */
export class RecordTicketFeedback {
  constructor(private readonly ports: TicketPorts & Pick<Ports, 'conversations' | 'customers'>) {}

  async execute(input: RecordTicketFeedbackCommand): Promise<TicketPrimitives> {
    authorize(input.actor, 'ticket.write');
    const before = await requireTicket(this.ports, input.ticketId);
    await authorizeOnTicket(this.ports, input.actor, 'ticket.write', before);

    const ticket = Ticket.fromPrimitives(before);
    const now = this.ports.clock.now();
    ticket.recordFeedback(
      {
        rating: input.rating,
        ...(input.comment === undefined ? {} : { comment: input.comment }),
        ...(input.followUpNeeded === undefined ? {} : { followUpNeeded: input.followUpNeeded }),
      },
      now,
    );
    const saved = await saveTicket(this.ports, input.actor, input.meta, {
      before,
      ticket,
      action: 'updated',
    });
    if (before.customerFeedback === undefined)
      await this.#addToCustomerAverage(saved.customerId, input.rating, now);
    return saved;
  }

  /**
   * Read-modify-write of the average through `setStatistics` (profile saves never touch
   * statistics). Two ratings landing at the same instant may lose one from the average; the
   * ratings themselves are safe on their tickets.
   */
  async #addToCustomerAverage(customerId: Id, rating: number, now: Date): Promise<void> {
    const stored = await this.ports.customers.findById(customerId);
    if (!stored || stored.erasedAt !== undefined) return;
    const customer = Customer.fromPrimitives(stored);
    customer.recordSatisfaction(rating, now);
    const { satisfactionScore, satisfactionCount } = customer.statistics;
    await this.ports.customers.setStatistics(customerId, {
      ...(satisfactionScore === undefined ? {} : { satisfactionScore }),
      ...(satisfactionCount === undefined ? {} : { satisfactionCount }),
    });
    await publish(this.ports, customer.pullEvents());
  }
}
