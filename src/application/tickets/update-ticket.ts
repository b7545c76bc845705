import type { Id } from '../../domain/shared/ids.js';
import { Ticket, type UpdateTicketInput } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { actorId } from '../shared/actor.js';
import { authorize, requireTicket } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { authorizeOnTicket, saveTicket, type TicketPorts, ticketSla } from './ticket-support.js';

export interface UpdateTicketCommand extends UseCaseInput {
  ticketId: Id;
  /** subject, description, category, subcategory (`null` clears), priority, tags, labels. */
  changes: UpdateTicketInput;
}

/**
 * Edits a ticket's descriptive fields; a priority change moves the SLA estimate. Nothing saved,
 * audited or published when nothing actually changes.
 */
export class UpdateTicket {
  constructor(private readonly ports: TicketPorts & Pick<Ports, 'conversations' | 'settings'>) {}

  async execute(input: UpdateTicketCommand): Promise<TicketPrimitives> {
    authorize(input.actor, 'ticket.write');
    const before = await requireTicket(this.ports, input.ticketId);
    await authorizeOnTicket(this.ports, input.actor, 'ticket.write', before);

    const ticket = Ticket.fromPrimitives(before);
    const by = actorId(input.actor);
    const sla = ticketSla(await loadSettings(this.ports));
    const changed = ticket.update(input.changes, this.ports.clock.now(), { sla, ...(by ? { by } : {}) });
    if (!changed) return before;
    return saveTicket(this.ports, input.actor, input.meta, { before, ticket, action: 'updated' });
  }
}
