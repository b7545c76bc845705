import {
  assertDateRange,
  clampReportLimit,
  type Page,
  type PageRequest,
} from '../../application/ports/pagination.js';
import type {
  DateRange,
  ScanPage,
  TicketFilter,
  TicketRepository,
} from '../../application/ports/repositories.js';
import { ConcurrencyError, DuplicateError, NotFoundError } from '../../domain/shared/errors.js';
import { assertEnum } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import {
  TICKET_STATUSES,
  type TicketPrimitives,
  type TicketStatus,
} from '../../domain/ticket/ticket.types.js';
import { checkId, copy, ms, newestFirst, pageByKeyset, scanById } from './memory-support.js';

export class InMemoryTicketRepository implements TicketRepository {
  readonly #tickets = new Map<Id, TicketPrimitives>();
  // Indexes, like the MongoDB adapter's: the unique ticket number (number → id) and a conversation's
  // tickets (the inbound path asks for the tickets of the conversations it touched). Both kept in
  // step by #store / #unstore, the only writers.
  readonly #byTicketId = new Map<string, Id>();
  readonly #byConversation = new Map<Id, Set<Id>>();

  async insert(ticket: TicketPrimitives): Promise<void> {
    checkId(ticket.id);
    if (this.#tickets.has(ticket.id)) throw new DuplicateError('ticket', 'id');
    this.#assertTicketIdFree(ticket.ticketId, ticket.id);
    this.#store(copy(ticket));
  }

  async findById(id: Id): Promise<TicketPrimitives | null> {
    checkId(id);
    const ticket = this.#tickets.get(id);
    return ticket ? copy(ticket) : null;
  }

  async findByTicketId(ticketId: string): Promise<TicketPrimitives | null> {
    const id = this.#byTicketId.get(ticketId);
    const ticket = id === undefined ? undefined : this.#tickets.get(id);
    return ticket ? copy(ticket) : null;
  }

  async update(ticket: TicketPrimitives): Promise<TicketPrimitives> {
    checkId(ticket.id);
    const stored = this.#tickets.get(ticket.id);
    if (!stored) throw new NotFoundError('ticket', ticket.id);
    if (stored.version !== ticket.version) throw new ConcurrencyError('ticket', ticket.id);
    this.#assertTicketIdFree(ticket.ticketId, ticket.id);
    const next = copy({ ...ticket, version: ticket.version + 1 });
    this.#unindex(stored);
    this.#store(next);
    return copy(next);
  }

  async list(filter: TicketFilter, page: PageRequest): Promise<Page<TicketPrimitives>> {
    for (const id of [filter.assignedAgent, filter.customerId, filter.conversationId, filter.visibleTo]) {
      if (id !== undefined) checkId(id);
    }
    const matching = [...this.#tickets.values()].filter(
      (t) =>
        (!filter.status?.length || filter.status.includes(t.status)) &&
        (filter.priority === undefined || t.priority === filter.priority) &&
        (filter.category === undefined || t.category === filter.category) &&
        (filter.assignedAgent === undefined || t.assignedAgent === filter.assignedAgent) &&
        (filter.visibleTo === undefined ||
          t.assignedAgent === undefined ||
          t.assignedAgent === filter.visibleTo) &&
        (filter.customerId === undefined || t.customerId === filter.customerId) &&
        (filter.conversationId === undefined || t.conversationId === filter.conversationId) &&
        (!filter.tags?.length || filter.tags.some((tag) => t.tags.includes(tag))) &&
        (filter.escalated === undefined || t.escalated === filter.escalated),
    );
    return pageByKeyset(matching, (t) => ms(t.updatedAt), page);
  }

  async listAllByCustomer(customerId: Id): Promise<TicketPrimitives[]> {
    checkId(customerId);
    return [...this.#tickets.values()]
      .filter((t) => t.customerId === customerId)
      .sort(newestFirst((t) => ms(t.createdAt)))
      .map(copy);
  }

  async listByConversations(conversationIds: Id[], statuses: TicketStatus[]): Promise<TicketPrimitives[]> {
    for (const id of conversationIds) checkId(id);
    const found: TicketPrimitives[] = [];
    for (const conversationId of new Set(conversationIds)) {
      for (const id of this.#byConversation.get(conversationId) ?? []) {
        const ticket = this.#tickets.get(id)!;
        if (statuses.includes(ticket.status)) found.push(copy(ticket));
      }
    }
    return found;
  }

  async scanByStatus(statuses: TicketStatus[], page: ScanPage): Promise<TicketPrimitives[]> {
    const wanted = statuses.map((s, i) => assertEnum(`status.${i}`, s, TICKET_STATUSES));
    return scanById([...this.#tickets.values()], (t) => wanted.includes(t.status), page);
  }

  async listActiveBetween(range: DateRange, limit: number): Promise<TicketPrimitives[]> {
    const { from, to } = assertDateRange(range);
    return [...this.#tickets.values()]
      .filter((t) => ms(t.createdAt) < ms(to) && ms(t.updatedAt) >= ms(from))
      .sort(newestFirst((t) => ms(t.updatedAt)))
      .slice(0, clampReportLimit(limit))
      .map(copy);
  }

  #assertTicketIdFree(ticketId: string, ownerId: Id): void {
    const holder = this.#byTicketId.get(ticketId);
    if (holder !== undefined && holder !== ownerId) throw new DuplicateError('ticket', 'ticketId');
  }

  /** Stores (or replaces, keeping its place) a ticket and indexes it; `#unindex` the old one first. */
  #store(ticket: TicketPrimitives): void {
    this.#tickets.set(ticket.id, ticket);
    this.#byTicketId.set(ticket.ticketId, ticket.id);
    if (ticket.conversationId !== undefined) {
      let ids = this.#byConversation.get(ticket.conversationId);
      if (!ids) {
        ids = new Set();
        this.#byConversation.set(ticket.conversationId, ids);
      }
      ids.add(ticket.id);
    }
  }

  #unindex(ticket: TicketPrimitives): void {
    this.#byTicketId.delete(ticket.ticketId);
    if (ticket.conversationId === undefined) return;
    const ids = this.#byConversation.get(ticket.conversationId);
    ids?.delete(ticket.id);
    if (ids?.size === 0) this.#byConversation.delete(ticket.conversationId);
  }
}
