import {
  assertDateRange,
  clampLimit,
  clampReportLimit,
  type Page,
  type PageRequest,
} from '../../application/ports/pagination.js';
import type {
  ConversationFilter,
  ConversationRepository,
  DateRange,
  ScanPage,
} from '../../application/ports/repositories.js';
import {
  CONVERSATION_STATUSES,
  type ConversationPrimitives,
  type ConversationStatus,
} from '../../domain/conversation/conversation.types.js';
import { ConcurrencyError, DuplicateError, NotFoundError } from '../../domain/shared/errors.js';
import { assertEnum } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, copy, ms, newestFirst, oldestFirst, pageByKeyset, scanById } from './memory-support.js';

const byCreatedAtDesc = newestFirst<ConversationPrimitives>((c) => ms(c.createdAt));

export class InMemoryConversationRepository implements ConversationRepository {
  readonly #conversations = new Map<Id, ConversationPrimitives>();
  // Secondary index, like the MongoDB one on `customerId`: customer → ids of their conversations, so
  // the per-customer reads (the inbound path looks up each sender's open conversation) touch only that
  // customer's conversations. Every write goes through #store / #unstore to keep it in step.
  readonly #byCustomer = new Map<Id, Set<Id>>();

  async insert(conversation: ConversationPrimitives): Promise<void> {
    checkId(conversation.id);
    if (this.#conversations.has(conversation.id)) throw new DuplicateError('conversation', 'id');
    this.#store(copy(conversation));
  }

  async findById(id: Id): Promise<ConversationPrimitives | null> {
    checkId(id);
    const conversation = this.#conversations.get(id);
    return conversation ? copy(conversation) : null;
  }

  async findLatestOpenByCustomer(customerId: Id): Promise<ConversationPrimitives | null> {
    checkId(customerId);
    const latest = this.#latestOpenOf(customerId);
    return latest ? copy(latest) : null;
  }

  /** At most one per customer (a customer asked twice counts once). */
  async findLatestOpenByCustomers(customerIds: Id[]): Promise<ConversationPrimitives[]> {
    for (const id of customerIds) checkId(id);
    const found: ConversationPrimitives[] = [];
    for (const customerId of new Set(customerIds)) {
      const latest = this.#latestOpenOf(customerId);
      if (latest) found.push(copy(latest));
    }
    return found;
  }

  async insertMany(conversations: ConversationPrimitives[]): Promise<void> {
    for (const c of conversations) {
      checkId(c.id);
      if (this.#conversations.has(c.id)) throw new DuplicateError('conversation', 'id');
    }
    if (new Set(conversations.map((c) => c.id)).size !== conversations.length)
      throw new DuplicateError('conversation', 'id');
    for (const c of conversations) this.#store(copy(c));
  }

  async updateMany(
    conversations: ConversationPrimitives[],
  ): Promise<{ updated: ConversationPrimitives[]; conflicts: Id[] }> {
    const updated: ConversationPrimitives[] = [];
    const conflicts: Id[] = [];
    for (const conversation of conversations) {
      try {
        updated.push(await this.update(conversation));
      } catch (error) {
        if (!(error instanceof ConcurrencyError || error instanceof NotFoundError)) throw error;
        conflicts.push(conversation.id);
      }
    }
    return { updated, conflicts };
  }

  async update(conversation: ConversationPrimitives): Promise<ConversationPrimitives> {
    checkId(conversation.id);
    const stored = this.#conversations.get(conversation.id);
    if (!stored) throw new NotFoundError('conversation', conversation.id);
    if (stored.version !== conversation.version) throw new ConcurrencyError('conversation', conversation.id);
    const next = copy({ ...conversation, version: conversation.version + 1 });
    if (next.customerId !== stored.customerId) this.#unstore(stored);
    this.#store(next);
    return copy(next);
  }

  async list(filter: ConversationFilter, page: PageRequest): Promise<Page<ConversationPrimitives>> {
    for (const id of [filter.assignedAgent, filter.visibleTo, filter.customerId]) {
      if (id !== undefined) checkId(id);
    }
    const matching = [...this.#conversations.values()].filter((c) => matches(c, filter));
    return pageByKeyset(matching, (c) => ms(c.updatedAt), page);
  }

  async listAllByCustomer(customerId: Id): Promise<ConversationPrimitives[]> {
    checkId(customerId);
    return this.#ofCustomer(customerId).sort(byCreatedAtDesc).map(copy);
  }

  async listByStatus(statuses: ConversationStatus[], limit: number): Promise<ConversationPrimitives[]> {
    return [...this.#conversations.values()]
      .filter((c) => statuses.includes(c.status))
      .sort(oldestFirst((c) => ms(c.updatedAt)))
      .slice(0, clampLimit(limit))
      .map(copy);
  }

  async scanByStatus(statuses: ConversationStatus[], page: ScanPage): Promise<ConversationPrimitives[]> {
    const wanted = statuses.map((s, i) => assertEnum(`status.${i}`, s, CONVERSATION_STATUSES));
    return scanById([...this.#conversations.values()], (c) => wanted.includes(c.status), page);
  }

  async countByStatus(): Promise<Record<ConversationStatus, number>> {
    const counts = Object.fromEntries(CONVERSATION_STATUSES.map((s) => [s, 0])) as Record<
      ConversationStatus,
      number
    >;
    for (const c of this.#conversations.values()) counts[c.status] += 1;
    return counts;
  }

  async listActiveBetween(range: DateRange, limit: number): Promise<ConversationPrimitives[]> {
    const { from, to } = assertDateRange(range);
    return [...this.#conversations.values()]
      .filter((c) => ms(c.createdAt) < ms(to) && ms(c.updatedAt) >= ms(from))
      .sort(newestFirst((c) => ms(c.updatedAt)))
      .slice(0, clampReportLimit(limit))
      .map(copy);
  }

  async delete(id: Id): Promise<void> {
    checkId(id);
    const stored = this.#conversations.get(id);
    if (stored) this.#unstore(stored);
  }

  #store(conversation: ConversationPrimitives): void {
    this.#conversations.set(conversation.id, conversation);
    let ids = this.#byCustomer.get(conversation.customerId);
    if (!ids) {
      ids = new Set();
      this.#byCustomer.set(conversation.customerId, ids);
    }
    ids.add(conversation.id);
  }

  #unstore(conversation: ConversationPrimitives): void {
    this.#conversations.delete(conversation.id);
    const ids = this.#byCustomer.get(conversation.customerId);
    ids?.delete(conversation.id);
    if (ids?.size === 0) this.#byCustomer.delete(conversation.customerId);
  }

  /** The customer's stored conversations (not copies), in no particular order. */
  #ofCustomer(customerId: Id): ConversationPrimitives[] {
    const ids = this.#byCustomer.get(customerId);
    return ids ? [...ids].map((id) => this.#conversations.get(id)!) : [];
  }

  /** The customer's newest (createdAt, then id) conversation that is not closed; not a copy. */
  #latestOpenOf(customerId: Id): ConversationPrimitives | undefined {
    let latest: ConversationPrimitives | undefined;
    for (const id of this.#byCustomer.get(customerId) ?? []) {
      const c = this.#conversations.get(id)!;
      if (c.status !== 'closed' && (latest === undefined || byCreatedAtDesc(c, latest) < 0)) latest = c;
    }
    return latest;
  }
}

function matches(c: ConversationPrimitives, f: ConversationFilter): boolean {
  return (
    (!f.status?.length || f.status.includes(c.status)) &&
    (f.priority === undefined || c.priority === f.priority) &&
    (f.category === undefined || c.category === f.category) &&
    (f.assignedAgent === undefined || c.assignedAgent === f.assignedAgent) &&
    (f.unassigned === undefined || (c.assignedAgent === undefined) === f.unassigned) &&
    (f.visibleTo === undefined || c.assignedAgent === undefined || c.assignedAgent === f.visibleTo) &&
    (!f.tags?.length || f.tags.some((tag) => c.tags.includes(tag))) &&
    (f.customerId === undefined || c.customerId === f.customerId)
  );
}
