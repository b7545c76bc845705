import { ForbiddenError, ValidationError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { authorize, requireTicket } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { authorizeOnTicket, saveTicket, type TicketPorts } from './ticket-support.js';

export interface AddTicketNoteCommand extends UseCaseInput {
  ticketId: Id;
  content: string;
  /** Default true (only agents see it). */
  isInternal?: boolean;
  /** http(s) URLs of files already uploaded. */
  attachments?: string[];
}

const HTTP_URL = /^https?:\/\/\S+$/i;

/**
 * Adds a note written by the acting agent (the system cannot author notes).
 *
 * First response: a note that is NOT internal is what the customer hears from us, so the first
 * such note records the ticket's first response (firstResponseAt / firstResponseTime) unless one
 * was already recorded. Internal notes never count: the customer has heard nothing yet. Notes on
 * closed tickets are allowed but never set the first response (a closed ticket's timing is final).
 */
export class AddTicketNote {
  constructor(private readonly ports: TicketPorts & Pick<Ports, 'conversations'>) {}

  async execute(input: AddTicketNoteCommand): Promise<TicketPrimitives> {
    const { actor } = input;
    if (actor.kind !== 'agent') throw new ForbiddenError('Ticket notes are written by an agent');
    authorize(actor, 'ticket.write');
    const attachments = (input.attachments ?? []).map((url, i) => {
      const trimmed = typeof url === 'string' ? url.trim() : '';
      if (!HTTP_URL.test(trimmed)) {
        throw new ValidationError(`attachments.${i}`, 'must be an http(s) URL', 'VALIDATION.INVALID_URL');
      }
      return trimmed;
    });
    const before = await requireTicket(this.ports, input.ticketId);
    await authorizeOnTicket(this.ports, actor, 'ticket.write', before);

    const ticket = Ticket.fromPrimitives(before);
    const now = this.ports.clock.now();
    const isInternal = input.isInternal ?? true;
    ticket.addNote(
      { id: this.ports.ids.next(), agent: actor.id, content: input.content, isInternal, attachments },
      now,
    );
    if (!isInternal && !ticket.isClosed) ticket.recordFirstResponse(now);
    return saveTicket(this.ports, actor, input.meta, { before, ticket, action: 'commented' });
  }
}
