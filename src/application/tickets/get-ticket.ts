import { NotFoundError } from '../../domain/shared/errors.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import { isTicketId, parseTicketId } from '../../domain/ticket/ticket-id.js';
import type { Ports } from '../ports/ports.js';
import { authorize, requireTicket } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { authorizeOnTicket } from './ticket-support.js';

export interface GetTicketQuery extends UseCaseInput {
  /** The ticket's id (24-hex) or its number (`TICKET-2026-000042`, case-insensitive). */
  ticketId: string;
}

/** One ticket, if the actor may read it (a plain agent: theirs, unassigned, or of their conversation). */
export class GetTicket {
  constructor(private readonly ports: Pick<Ports, 'tickets' | 'conversations'>) {}

  async execute(input: GetTicketQuery): Promise<TicketPrimitives> {
    authorize(input.actor, 'ticket.read');
    const ticket = await this.#find(input.ticketId);
    await authorizeOnTicket(this.ports, input.actor, 'ticket.read', ticket);
    return ticket;
  }

  async #find(ref: string): Promise<TicketPrimitives> {
    const number = typeof ref === 'string' ? ref.trim().toUpperCase() : ref;
    if (typeof number === 'string' && parseTicketId(number) !== undefined && isTicketId(number)) {
      const found = await this.ports.tickets.findByTicketId(number);
      if (!found) throw new NotFoundError('ticket', number);
      return found;
    }
    return requireTicket(this.ports, ref);
  }
}
