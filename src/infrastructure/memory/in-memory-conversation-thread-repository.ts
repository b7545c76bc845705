import type { ConversationThreadRepository } from '../../application/ports/repositories.js';
import { DuplicateError, NotFoundError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import type { ConversationThreadPrimitives } from '../../domain/thread/conversation-thread.types.js';
import { checkId, copy, ms, newestFirst } from './memory-support.js';

export class InMemoryConversationThreadRepository implements ConversationThreadRepository {
  readonly #threads = new Map<Id, ConversationThreadPrimitives>();

  async insert(thread: ConversationThreadPrimitives): Promise<void> {
    checkId(thread.id);
    if (this.#threads.has(thread.id)) throw new DuplicateError('thread', 'id');
    this.#threads.set(thread.id, copy(thread));
  }

  async findActiveByConversation(conversationId: Id): Promise<ConversationThreadPrimitives | null> {
    checkId(conversationId);
    const active = [...this.#threads.values()]
      .filter((t) => t.conversationId === conversationId && t.isActive)
      .sort(newestFirst((t) => ms(t.createdAt)))[0];
    return active ? copy(active) : null;
  }

  async update(thread: ConversationThreadPrimitives): Promise<void> {
    checkId(thread.id);
    if (!this.#threads.has(thread.id)) throw new NotFoundError('thread', thread.id);
    this.#threads.set(thread.id, copy(thread));
  }

  async deleteByCustomer(customerId: Id): Promise<number> {
    checkId(customerId);
    let count = 0;
    for (const [id, thread] of this.#threads) {
      if (thread.customerId === customerId) {
        this.#threads.delete(id);
        count += 1;
      }
    }
    return count;
  }
}
