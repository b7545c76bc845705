import type { Collection, Db, Document, ObjectId } from 'mongodb';
import { z } from 'zod';
import type { ConversationThreadRepository } from '../../application/ports/repositories.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import type { ConversationThreadPrimitives } from '../../domain/thread/conversation-thread.types.js';
import { COLLECTIONS } from './indexes.js';
import {
  assertWritable,
  dropUndefined,
  insertDocument,
  opt,
  readDocument,
  toObjectId,
  zDate,
  zObjectId,
} from './mongo-common.js';

const ENTITY = 'thread';
const COLLECTION = COLLECTIONS.conversationThreads;

export const threadDocumentSchema = z.object({
  _id: zObjectId,
  conversationId: zObjectId,
  customerId: zObjectId,
  userId: z.string(),
  threadId: z.string(),
  messageCount: z.number(),
  lastInteraction: opt(zDate),
  lastCleanup: opt(zDate),
  isActive: z.boolean(),
  createdAt: zDate,
  updatedAt: zDate,
});

export function threadToDocument(thread: ConversationThreadPrimitives): Document & { _id: ObjectId } {
  const { id, ...rest } = thread;
  const doc = dropUndefined({
    ...rest,
    _id: toObjectId('id', id),
    conversationId: toObjectId('conversationId', thread.conversationId),
    customerId: toObjectId('customerId', thread.customerId),
  });
  assertWritable(threadDocumentSchema, doc);
  return doc;
}

export function threadFromDocument(doc: Document): ConversationThreadPrimitives {
  const { _id, ...rest } = readDocument(COLLECTION, threadDocumentSchema, doc);
  return { ...rest, id: _id };
}

export class MongoConversationThreadRepository implements ConversationThreadRepository {
  private readonly collection: Collection;

  constructor(db: Db) {
    this.collection = db.collection(COLLECTION);
  }

  async insert(thread: ConversationThreadPrimitives): Promise<void> {
    const doc = threadToDocument(thread);
    await insertDocument(this.collection, ENTITY, doc);
  }

  async findActiveByConversation(conversationId: Id): Promise<ConversationThreadPrimitives | null> {
    const [doc] = await this.collection
      .find({ conversationId: toObjectId('conversationId', conversationId), isActive: true })
      .sort({ createdAt: -1, _id: -1 })
      .limit(1)
      .toArray();
    return doc ? threadFromDocument(doc) : null;
  }

  async update(thread: ConversationThreadPrimitives): Promise<void> {
    const doc = threadToDocument(thread);
    const result = await this.collection.replaceOne({ _id: doc._id }, doc);
    if (result.matchedCount === 0) throw new NotFoundError(ENTITY, thread.id);
  }

  async deleteByCustomer(customerId: Id): Promise<number> {
    const result = await this.collection.deleteMany({ customerId: toObjectId('customerId', customerId) });
    return result.deletedCount;
  }
}
