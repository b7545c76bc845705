import type { ArchiveReader } from '../../application/ports/archive.js';
import type { Page, PageRequest } from '../../application/ports/pagination.js';
import type { ConversationRepository, MessageRepository } from '../../application/ports/repositories.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, copy, ms, newestFirst, pageByKeyset } from './memory-support.js';

/**
 * The ArchiveReader port in memory. Archived records are put in with `archiveConversation` /
 * `archiveMessage` (what the archiver does on MongoDB). Given the live repositories, a record that
 * is live again is left out, as on MongoDB.
 */
export class InMemoryArchiveReader implements ArchiveReader {
  readonly #conversations = new Map<Id, ConversationPrimitives>();
  readonly #messages = new Map<Id, MessagePrimitives>();

  constructor(
    private readonly live: {
      conversations?: Pick<ConversationRepository, 'findById'>;
      messages?: Pick<MessageRepository, 'findById'>;
    } = {},
  ) {}

  /** Stores (or replaces, by id) an archived conversation. */
  archiveConversation(conversation: ConversationPrimitives): void {
    checkId(conversation.id);
    this.#conversations.set(conversation.id, copy(conversation));
  }

  /** Stores (or replaces, by id) an archived message. */
  archiveMessage(message: MessagePrimitives): void {
    checkId(message.id);
    this.#messages.set(message.id, copy(message));
  }

  async findArchivedConversation(conversationId: Id): Promise<ConversationPrimitives | null> {
    checkId(conversationId);
    const archived = this.#conversations.get(conversationId);
    if (!archived) return null;
    if (this.live.conversations && (await this.live.conversations.findById(conversationId))) return null;
    return copy(archived);
  }

  async listArchivedConversationsByCustomer(customerId: Id): Promise<ConversationPrimitives[]> {
    checkId(customerId);
    const matching = [...this.#conversations.values()]
      .filter((c) => c.customerId === customerId)
      .sort(newestFirst((c) => ms(c.createdAt)));
    const out: ConversationPrimitives[] = [];
    for (const c of matching) {
      if (this.live.conversations && (await this.live.conversations.findById(c.id))) continue;
      out.push(copy(c));
    }
    return out;
  }

  async listArchivedMessages(conversationId: Id, page: PageRequest): Promise<Page<MessagePrimitives>> {
    checkId(conversationId);
    const matching = [...this.#messages.values()].filter((m) => m.conversationId === conversationId);
    const result = pageByKeyset(matching, (m) => ms(m.timestamp), page);
    const items: MessagePrimitives[] = [];
    for (const m of result.items) {
      if (this.live.messages && (await this.live.messages.findById(m.id))) continue;
      items.push(m);
    }
    return { ...result, items };
  }

  async purgeCustomer(customerId: Id): Promise<{ conversations: number; messages: number }> {
    checkId(customerId);
    let conversations = 0;
    let messages = 0;
    for (const [id, m] of this.#messages)
      if (m.customerId === customerId && this.#messages.delete(id)) messages += 1;
    for (const [id, c] of this.#conversations) {
      if (c.customerId === customerId && this.#conversations.delete(id)) conversations += 1;
    }
    return { conversations, messages };
  }
}
