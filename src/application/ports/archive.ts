import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Page, PageRequest } from './pagination.js';

/**
 * Read-only access to archived data: closed conversations and old messages moved out of the live
 * collections by the archiver (`npm run crm -- archive`). Archived records keep their ids and their
 * persisted shape, so a customer's history can show them next to the live ones.
 *
 * A record that is live again (a conversation reopened after it was copied) is never returned:
 * the live record wins, so merging live and archived lists never shows one item twice.
 */
export interface ArchiveReader {
  /** One archived conversation (to authorize reading its archived messages); null when not archived. */
  findArchivedConversation(conversationId: Id): Promise<ConversationPrimitives | null>;
  /** Every archived conversation of the customer, newest first (createdAt desc, id desc). */
  listArchivedConversationsByCustomer(customerId: Id): Promise<ConversationPrimitives[]>;
  /**
   * Archived messages of one conversation, newest first (timestamp desc, id desc), by keyset page
   * like `MessageRepository.listByConversation`. A page may hold fewer than `limit` items when some
   * were live again; follow `nextCursor` until it is absent.
   */
  listArchivedMessages(conversationId: Id, page: PageRequest): Promise<Page<MessagePrimitives>>;
  /**
   * The archive's only write outside the archiver: erasure (right to be forgotten) deletes the
   * customer's archived conversations and their archived messages. Idempotent.
   */
  purgeCustomer(customerId: Id): Promise<{ conversations: number; messages: number }>;
}
