import { clampLimit, type Page, type PageRequest } from '../../application/ports/pagination.js';
import type { MessageRepository } from '../../application/ports/repositories.js';
import type { MessagePrimitives, MessageStatus } from '../../domain/message/message.types.js';
import { DuplicateError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, copy, mergeFields, ms, oldestFirst, pageByKeyset } from './memory-support.js';

type StatusFields = Parameters<MessageRepository['advanceStatus']>[3];

export class InMemoryMessageRepository implements MessageRepository {
  readonly #messages = new Map<Id, MessagePrimitives>();

  async insert(message: MessagePrimitives): Promise<void> {
    checkId(message.id);
    if (this.#messages.has(message.id)) throw new DuplicateError('message', 'id');
    this.#assertUniqueKeysFree(message);
    this.#messages.set(message.id, copy(message));
  }

  async findById(id: Id): Promise<MessagePrimitives | null> {
    checkId(id);
    const message = this.#messages.get(id);
    return message ? copy(message) : null;
  }

  async findByWhatsappId(whatsappMessageId: string): Promise<MessagePrimitives | null> {
    for (const message of this.#messages.values()) {
      if (message.whatsappMessageId === whatsappMessageId) return copy(message);
    }
    return null;
  }

  async findByIdempotencyKey(agentId: Id, key: string): Promise<MessagePrimitives | null> {
    checkId(agentId);
    for (const message of this.#messages.values()) {
      if (message.agentId === agentId && message.idempotencyKey === key) return copy(message);
    }
    return null;
  }

  async listByConversation(conversationId: Id, page: PageRequest): Promise<Page<MessagePrimitives>> {
    checkId(conversationId);
    const matching = [...this.#messages.values()].filter((m) => m.conversationId === conversationId);
    return pageByKeyset(matching, (m) => ms(m.timestamp), page);
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
    let count = 0;
    for (const message of this.#messages.values()) if (message.conversationId === conversationId) count += 1;
    return count;
  }

  async deleteByConversation(conversationId: Id): Promise<number> {
    checkId(conversationId);
    let count = 0;
    for (const [id, message] of this.#messages) {
      if (message.conversationId === conversationId) {
        this.#messages.delete(id);
        count += 1;
      }
    }
    return count;
  }

  /** Applies `fields` to a copy first so a duplicate key leaves the stored message untouched. */
  #apply(stored: MessagePrimitives, fields: Partial<MessagePrimitives>): MessagePrimitives {
    const next = copy(stored);
    mergeFields(next, fields);
    this.#assertUniqueKeysFree(next);
    this.#messages.set(next.id, next);
    return copy(next);
  }

  #assertUniqueKeysFree(message: MessagePrimitives): void {
    for (const other of this.#messages.values()) {
      if (other.id === message.id) continue;
      if (message.whatsappMessageId !== undefined && other.whatsappMessageId === message.whatsappMessageId) {
        throw new DuplicateError('message', 'whatsappMessageId');
      }
      if (
        message.agentId !== undefined &&
        message.idempotencyKey !== undefined &&
        other.agentId === message.agentId &&
        other.idempotencyKey === message.idempotencyKey
      ) {
        throw new DuplicateError('message', 'idempotencyKey');
      }
    }
  }
}
