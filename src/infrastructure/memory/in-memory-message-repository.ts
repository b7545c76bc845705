import { clampLimit, type Page, type PageRequest } from '../../application/ports/pagination.js';
import type { MessageRepository } from '../../application/ports/repositories.js';
import type { MessagePrimitives, MessageStatus } from '../../domain/message/message.types.js';
import { DuplicateError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, copy, mergeFields, ms, oldestFirst, pageByKeyset } from './memory-support.js';

type StatusFields = Parameters<MessageRepository['advanceStatus']>[3];

const scopeOf = (m: Pick<MessagePrimitives, 'agentId' | 'idempotencyKey'>): string | undefined =>
  m.agentId !== undefined && m.idempotencyKey !== undefined
    ? `${m.agentId}\u0000${m.idempotencyKey}`
    : undefined;

export class InMemoryMessageRepository implements MessageRepository {
  readonly #messages = new Map<Id, MessagePrimitives>();
  // Indexes, like the MongoDB adapter's: lookups by WhatsApp id and idempotency key, and a
  // conversation's messages, without scanning every message.
  readonly #byWhatsappId = new Map<string, Id>();
  readonly #byScope = new Map<string, Id>();
  readonly #byConversation = new Map<Id, Set<Id>>();

  async insert(message: MessagePrimitives): Promise<void> {
    checkId(message.id);
    if (this.#messages.has(message.id)) throw new DuplicateError('message', 'id');
    this.#assertUniqueKeysFree(message);
    this.#store(copy(message));
  }

  async findById(id: Id): Promise<MessagePrimitives | null> {
    checkId(id);
    const message = this.#messages.get(id);
    return message ? copy(message) : null;
  }

  async findByWhatsappId(whatsappMessageId: string): Promise<MessagePrimitives | null> {
    const id = this.#byWhatsappId.get(whatsappMessageId);
    const message = id === undefined ? undefined : this.#messages.get(id);
    return message ? copy(message) : null;
  }

  async findByWhatsappIds(whatsappMessageIds: string[]): Promise<MessagePrimitives[]> {
    const found: MessagePrimitives[] = [];
    for (const whatsappId of new Set(whatsappMessageIds)) {
      const id = this.#byWhatsappId.get(whatsappId);
      const message = id === undefined ? undefined : this.#messages.get(id);
      if (message) found.push(copy(message));
    }
    return found;
  }

  async insertMany(messages: MessagePrimitives[]): Promise<{ duplicates: Id[] }> {
    for (const message of messages) checkId(message.id);
    const duplicates: Id[] = [];
    for (const message of messages) {
      try {
        await this.insert(message);
      } catch (error) {
        if (!(error instanceof DuplicateError)) throw error;
        duplicates.push(message.id);
      }
    }
    return { duplicates };
  }

  async findByIdempotencyKey(agentId: Id, key: string): Promise<MessagePrimitives | null> {
    checkId(agentId);
    const id = this.#byScope.get(scopeOf({ agentId, idempotencyKey: key })!);
    const message = id === undefined ? undefined : this.#messages.get(id);
    return message ? copy(message) : null;
  }

  async listByConversation(conversationId: Id, page: PageRequest): Promise<Page<MessagePrimitives>> {
    checkId(conversationId);
    return pageByKeyset(this.#ofConversation(conversationId), (m) => ms(m.timestamp), page);
  }

  async patch(id: Id, fields: Partial<Omit<MessagePrimitives, 'id'>>): Promise<MessagePrimitives | null> {
    checkId(id);
    const stored = this.#messages.get(id);
    if (!stored) return null;
    return this.#apply(stored, fields);
  }

  async advanceStatus(
    id: Id,
    from: MessageStatus[],
    to: MessageStatus,
    fields: StatusFields,
  ): Promise<MessagePrimitives | null> {
    checkId(id);
    const stored = this.#messages.get(id);
    if (!stored || !from.includes(stored.status)) return null;
    return this.#apply(stored, { ...fields, status: to });
  }

  async claimOutbound(now: Date, leaseUntil: Date, limit: number): Promise<MessagePrimitives[]> {
    return this.#claim((m) => m.direction === 'outbound' && m.status === 'pending', now, leaseUntil, limit);
  }

  async claimPendingMedia(now: Date, leaseUntil: Date, limit: number): Promise<MessagePrimitives[]> {
    return this.#claim(
      (m) => m.direction === 'inbound' && m.attachments.some((a) => a.storage === 'pending'),
      now,
      leaseUntil,
      limit,
    );
  }

  #claim(
    selector: (m: MessagePrimitives) => boolean,
    now: Date,
    leaseUntil: Date,
    limit: number,
  ): MessagePrimitives[] {
    // Selection and lease happen synchronously (no await in between): atomic in a single JS thread.
    const at = ms(now);
    const claimed = [...this.#messages.values()]
      .filter(
        (m) =>
          selector(m) &&
          (m.nextAttemptAt === undefined || ms(m.nextAttemptAt) <= at) &&
          (m.leaseUntil === undefined || ms(m.leaseUntil) <= at),
      )
      .sort(oldestFirst((m) => ms(m.timestamp)))
      .slice(0, clampLimit(limit));
    for (const message of claimed) message.leaseUntil = new Date(leaseUntil);
    return claimed.map(copy);
  }

  async claimForAi(id: Id): Promise<boolean> {
    checkId(id);
    // Check and set without an await in between: atomic in a single JS thread.
    const stored = this.#messages.get(id);
    if (!stored || stored.aiProcessed) return false;
    stored.aiProcessed = true;
    return true;
  }

  async countByConversation(conversationId: Id): Promise<number> {
    checkId(conversationId);
    return this.#byConversation.get(conversationId)?.size ?? 0;
  }

  async deleteByConversation(conversationId: Id): Promise<number> {
    checkId(conversationId);
    const messages = this.#ofConversation(conversationId);
    for (const message of messages) this.#unindex(message);
    for (const message of messages) this.#messages.delete(message.id);
    return messages.length;
  }

  /** Applies `fields` to a copy first so a duplicate key leaves the stored message untouched. */
  #apply(stored: MessagePrimitives, fields: Partial<MessagePrimitives>): MessagePrimitives {
    const next = copy(stored);
    mergeFields(next, fields);
    this.#assertUniqueKeysFree(next);
    this.#unindex(stored);
    this.#store(next);
    return copy(next);
  }

  #store(message: MessagePrimitives): void {
    this.#messages.set(message.id, message);
    if (message.whatsappMessageId !== undefined)
      this.#byWhatsappId.set(message.whatsappMessageId, message.id);
    const scope = scopeOf(message);
    if (scope !== undefined) this.#byScope.set(scope, message.id);
    let ids = this.#byConversation.get(message.conversationId);
    if (!ids) {
      ids = new Set();
      this.#byConversation.set(message.conversationId, ids);
    }
    ids.add(message.id);
  }

  #unindex(message: MessagePrimitives): void {
    if (message.whatsappMessageId !== undefined) this.#byWhatsappId.delete(message.whatsappMessageId);
    const scope = scopeOf(message);
    if (scope !== undefined) this.#byScope.delete(scope);
    const ids = this.#byConversation.get(message.conversationId);
    ids?.delete(message.id);
    if (ids?.size === 0) this.#byConversation.delete(message.conversationId);
  }

  #ofConversation(conversationId: Id): MessagePrimitives[] {
    const ids = this.#byConversation.get(conversationId);
    return ids ? [...ids].map((id) => this.#messages.get(id)!) : [];
  }

  #assertUniqueKeysFree(message: MessagePrimitives): void {
    const sameWamid =
      message.whatsappMessageId === undefined ? undefined : this.#byWhatsappId.get(message.whatsappMessageId);
    if (sameWamid !== undefined && sameWamid !== message.id)
      throw new DuplicateError('message', 'whatsappMessageId');
    const scope = scopeOf(message);
    const sameScope = scope === undefined ? undefined : this.#byScope.get(scope);
    if (sameScope !== undefined && sameScope !== message.id)
      throw new DuplicateError('message', 'idempotencyKey');
  }
}
