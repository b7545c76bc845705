import { Customer } from '../../domain/customer/customer.js';
import { ConcurrencyError } from '../../domain/shared/errors.js';
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

const CUSTOMER_RETRIES = 3;

/**
 * Records the customer's rating of a resolved or closed ticket (typically the system actor
 * relaying a survey answer, or an agent typing it in). A new rating replaces the old one on the
 * ticket; only the ticket's FIRST rating is added to the customer's running satisfaction average,
 * so correcting a rating never counts twice. The customer's counter is updated after the ticket is
 * saved (retried on a concurrent customer change); an erased customer is left alone.
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

  async #addToCustomerAverage(customerId: Id, rating: number, now: Date): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.ports.customers.findById(customerId);
      if (!stored || stored.erasedAt !== undefined) return;
      const customer = Customer.fromPrimitives(stored);
      customer.recordSatisfaction(rating, now);
      try {
        await this.ports.customers.update(customer.toPrimitives());
      } catch (err) {
        if (err instanceof ConcurrencyError && attempt < CUSTOMER_RETRIES) continue;
        throw err;
      }
      await publish(this.ports, customer.pullEvents());
      return;
    }
  }
}
