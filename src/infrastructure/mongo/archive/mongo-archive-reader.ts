/**
 * The ArchiveReader port on MongoDB: reads `conversations_archive` and `messages_archive` with the
 * live collections' own document schemas (the archiver copies documents unchanged), and drops any
 * record whose original is live again (live wins; see archiver.ts for when that happens).
 */
import type { Collection, Db, Document, ObjectId } from 'mongodb';
import type { ArchiveReader } from '../../../application/ports/archive.js';
import type { Page, PageRequest } from '../../../application/ports/pagination.js';
import type { ConversationPrimitives } from '../../../domain/conversation/conversation.types.js';
import type { MessagePrimitives } from '../../../domain/message/message.types.js';
import type { Id } from '../../../domain/shared/ids.js';
import { COLLECTIONS } from '../indexes.js';
import { keysetPage, toObjectId } from '../mongo-common.js';
import { conversationFromDocument } from '../mongo-conversation-repository.js';
import { messageFromDocument } from '../mongo-message-repository.js';

export class MongoArchiveReader implements ArchiveReader {
  private readonly conversations: Collection;
  private readonly messages: Collection;
  private readonly conversationsArchive: Collection;
  private readonly messagesArchive: Collection;

  constructor(db: Db) {
    this.conversations = db.collection(COLLECTIONS.conversations);
    this.messages = db.collection(COLLECTIONS.messages);
    this.conversationsArchive = db.collection(COLLECTIONS.conversationsArchive);
    this.messagesArchive = db.collection(COLLECTIONS.messagesArchive);
  }

  async findArchivedConversation(conversationId: Id): Promise<ConversationPrimitives | null> {
    const _id = toObjectId('conversationId', conversationId);
    const doc = await this.conversationsArchive.findOne({ _id });
    if (!doc || (await this.conversations.countDocuments({ _id }, { limit: 1 })) > 0) return null;
    return conversationFromDocument(doc);
  }

  async listArchivedConversationsByCustomer(customerId: Id): Promise<ConversationPrimitives[]> {
    const docs = await this.conversationsArchive
      .find({ customerId: toObjectId('customerId', customerId) })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    const live = await liveIds(this.conversations, docs);
    return docs.filter((doc) => !live.has(idOf(doc))).map(conversationFromDocument);
  }

  async listArchivedMessages(conversationId: Id, page: PageRequest): Promise<Page<MessagePrimitives>> {
    const clauses = [{ conversationId: toObjectId('conversationId', conversationId) }];
    const result = await keysetPage(
      this.messagesArchive,
      clauses,
      'timestamp',
      page,
      messageFromDocument,
      (m) => m.timestamp,
    );
    if (result.items.length === 0) return result;
    const live = await liveIdStrings(
      this.messages,
      result.items.map((m) => toObjectId('id', m.id)),
    );
    // The cursor stays the one of the unfiltered page, so paging goes on from the right place.
    return { ...result, items: result.items.filter((m) => !live.has(m.id)) };
  }

  async purgeCustomer(customerId: Id): Promise<{ conversations: number; messages: number }> {
    const customer = toObjectId('customerId', customerId);
    // Messages first: a crash half-way leaves conversations to find the rest on the next run.
    const messages = await this.messagesArchive.deleteMany({ customerId: customer });
    const conversations = await this.conversationsArchive.deleteMany({ customerId: customer });
    return { conversations: conversations.deletedCount, messages: messages.deletedCount };
  }
}

const idOf = (doc: Document): string => (doc._id as ObjectId).toHexString();

function liveIds(collection: Collection, docs: Document[]): Promise<Set<string>> {
  return liveIdStrings(
    collection,
    docs.map((d) => d._id as ObjectId),
  );
}

async function liveIdStrings(collection: Collection, ids: ObjectId[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await collection.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
  return new Set(found.map(idOf));
}
