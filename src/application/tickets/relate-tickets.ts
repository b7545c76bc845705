import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { authorize, requireTicket } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { parentCycle } from './ticket-errors.js';
import { authorizeOnTicket, saveTicket, type TicketPorts } from './ticket-support.js';

export interface RelateTicketsCommand extends UseCaseInput {
  ticketId: Id;
  otherTicketId: Id;
  /**
   * `related`: a two-way link, recorded on both tickets (both need ticket.write).
   * `parent`: `otherTicketId` becomes the parent of `ticketId` (the parent is only read).
   */
  relation: 'related' | 'parent';
}

export interface RelateTicketsResult {
  ticket: TicketPrimitives;
  other: TicketPrimitives;
}

/** How far up a parent chain is followed when looking for a cycle (chains are short in practice). */
const MAX_ANCESTRY = 100;

/**
 * Links two existing tickets (NotFound for either). Itself → TICKET.SELF_REFERENCE; a parent that
 * descends from the ticket → TICKET.PARENT_CYCLE. An existing link changes nothing (no save).
 */
export class RelateTickets {
  constructor(private readonly ports: TicketPorts & Pick<Ports, 'conversations'>) {}

  async execute(input: RelateTicketsCommand): Promise<RelateTicketsResult> {
    const { actor } = input;
    authorize(actor, 'ticket.write');
    const first = await requireTicket(this.ports, input.ticketId);
    const second = await requireTicket(this.ports, input.otherTicketId);
    await authorizeOnTicket(this.ports, actor, 'ticket.write', first);
    const now = this.ports.clock.now();

    if (input.relation === 'parent') {
      await authorizeOnTicket(this.ports, actor, 'ticket.read', second);
      const child = Ticket.fromPrimitives(first);
      if (!child.setParent(second.id, now)) return { ticket: first, other: second };
      await this.#assertNotAncestor(first.id, second);
      const saved = await saveTicket(this.ports, actor, input.meta, {
        before: first,
        ticket: child,
        action: 'updated',
      });
      return { ticket: saved, other: second };
    }

    await authorizeOnTicket(this.ports, actor, 'ticket.write', second);
    const ticket = await this.#link(actor, input.meta, first, second.id, now);
    const other = await this.#link(actor, input.meta, second, first.id, now);
    return { ticket, other };
  }

  async #link(
    actor: Actor,
    meta: RequestMeta | undefined,
    before: TicketPrimitives,
    to: Id,
    now: Date,
  ): Promise<TicketPrimitives> {
    const ticket = Ticket.fromPrimitives(before);
    if (!ticket.relateTo(to, now)) return before;
    return saveTicket(this.ports, actor, meta, { before, ticket, action: 'updated' });
  }

  /** Refuses when `childId` is among the ancestors of `parent` (or the chain is suspiciously long). */
  async #assertNotAncestor(childId: Id, parent: TicketPrimitives): Promise<void> {
    let current: TicketPrimitives | null = parent;
    for (let depth = 0; current?.parentTicket !== undefined; depth++) {
      if (current.parentTicket === childId || depth >= MAX_ANCESTRY) throw parentCycle(childId, parent.id);
      current = await this.ports.tickets.findById(current.parentTicket);
    }
  }
}
