import {
  clampLimit,
  decodeCursor,
  encodeCursor,
  type Page,
  type PageRequest,
} from '../../application/ports/pagination.js';
import type { MessageRepository } from '../../application/ports/repositories.js';
import type { MessagePrimitives, MessageStatus } from '../../domain/message/message.types.js';
import { DuplicateError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, compareIds, copy, mergeFields, ms, oldestFirst } from './memory-support.js';

type StatusFields = Parameters<MessageRepository['advanceStatus']>[3];

/** Oldest first by timestamp, ties by id: the order of each conversation's list in `#byConversation`. */
const byTimestamp = (a: MessagePrimitives, b: MessagePrimitives): number =>
  ms(a.timestamp) - ms(b.timestamp) || compareIds(a.id, b.id);

const scopeOf = (m: Pick<MessagePrimitives, 'agentId' | 'idempotencyKey'>): string | undefined =>
  m.agentId !== undefined && m.idempotencyKey !== undefined
    ? `${m.agentId}\u0000${m.idempotencyKey}`
    : undefined;

export class InMemoryMessageRepository implements MessageRepository {
  readonly #messages = new Map<Id, MessagePrimitives>();
  // Indexes, like the MongoDB adapter's: lookups by WhatsApp id and idempotency key, and a
  // conversation's messages, without scanning every message. A conversation's messages are kept
  // sorted (`byTimestamp`), so a page of its history is read from the end without sorting; #store and
  // #unindex are the only writers of all three.
  readonly #byWhatsappId = new Map<string, Id>();
  readonly #byScope = new Map<string, Id>();
  readonly #byConversation = new Map<Id, MessagePrimitives[]>();

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

  /** Newest first (timestamp desc, ties by id desc), keyset-paged like `pageByKeyset`. */
  async listByConversation(conversationId: Id, page: PageRequest): Promise<Page<MessagePrimitives>> {
    checkId(conversationId);
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const limit = clampLimit(page.limit);
    const sorted = this.#byConversation.get(conversationId) ?? [];
    // The page starts at the newest message strictly before the cursor in (timestamp, id) order.
    const end = after
      ? firstIndex(
          sorted,
          (m) => ms(m.timestamp) > after.key || (ms(m.timestamp) === after.key && m.id >= after.id),
        )
      : sorted.length;
    const start = Math.max(0, end - limit);
    const items: MessagePrimitives[] = [];
    for (let i = end - 1; i >= start; i--) items.push(copy(sorted[i]!));
    const result: Page<MessagePrimitives> = { items };
    const last = sorted[start];
    if (start > 0 && last) result.nextCursor = encodeCursor({ key: ms(last.timestamp), id: last.id });
    return result;
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
    return this.#byConversation.get(conversationId)?.length ?? 0;
  }

  async deleteByConversation(conversationId: Id): Promise<number> {
    checkId(conversationId);
    const messages = [...(this.#byConversation.get(conversationId) ?? [])];
    for (const message of messages) this.#unindex(message);
    for (const message of messages) this.#messages.delete(message.id);
    return messages.length;
  }

  /**
   * Applies `fields` to a new record first so a duplicate key leaves the stored message untouched.
   * A shallow copy is enough: the nested values it shares with `stored` were never handed out, are
   * never changed in place, and `stored` is dropped once `next` replaces it.
   */
  #apply(stored: MessagePrimitives, fields: Partial<MessagePrimitives>): MessagePrimitives {
    const next = { ...stored };
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
    const list = this.#byConversation.get(message.conversationId);
    if (!list) this.#byConversation.set(message.conversationId, [message]);
    // Messages mostly arrive in time order: appending is the common case.
    else if (byTimestamp(list.at(-1)!, message) < 0) list.push(message);
    else
      list.splice(
        firstIndex(list, (m) => byTimestamp(m, message) > 0),
        0,
        message,
      );
  }

  #unindex(message: MessagePrimitives): void {
    if (message.whatsappMessageId !== undefined) this.#byWhatsappId.delete(message.whatsappMessageId);
    const scope = scopeOf(message);
    if (scope !== undefined) this.#byScope.delete(scope);
    const list = this.#byConversation.get(message.conversationId);
    if (!list) return;
    const at = firstIndex(list, (m) => byTimestamp(m, message) >= 0);
    if (list[at] === message) list.splice(at, 1);
    if (list.length === 0) this.#byConversation.delete(message.conversationId);
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

/** The first index of `sorted` where `after` holds (`after` is false, then true, along the array). */
function firstIndex<T>(sorted: T[], after: (item: T) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after(sorted[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
