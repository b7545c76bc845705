import type { Collection, Db, Document, Filter, ObjectId } from 'mongodb';
import { z } from 'zod';
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
  CHANNELS,
  CONVERSATION_CATEGORIES,
  CONVERSATION_STATUSES,
  type ConversationPrimitives,
  type ConversationStatus,
  LAST_MESSAGE_FROM,
  LAST_MESSAGE_TYPES,
  PRIORITIES,
} from '../../domain/conversation/conversation.types.js';
import { assertEnum } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import { COLLECTIONS } from './indexes.js';
import type { MongoCapabilities } from './mongo-client.js';
import {
  assertBoolean,
  assertSafeStrings,
  assertVersion,
  assertWritable,
  dropUndefined,
  insertDocument,
  keysetPage,
  opt,
  readDocument,
  scanFilter,
  toObjectId,
  toOptionalObjectId,
  translateDuplicates,
  updateVersioned,
  updateVersionedMany,
  type VersionedUpdate,
  zDate,
  zObjectId,
} from './mongo-common.js';
import { type WriteGuard, writeGuardFor } from './write-guard.js';

const ENTITY = 'conversation';
const COLLECTION = COLLECTIONS.conversations;

const internalNoteSchema = z
  .object({
    _id: zObjectId,
    agent: zObjectId,
    content: z.string(),
    timestamp: zDate,
    isVisible: z.boolean(),
  })
  .transform(({ _id, ...note }) => ({ id: _id, ...note }));

export const conversationDocumentSchema = z.object({
  _id: zObjectId,
  customerId: zObjectId,
  assignedAgent: opt(zObjectId),
  assignedAt: opt(zDate),
  assignedBy: opt(zObjectId),
  status: z.enum(CONVERSATION_STATUSES),
  priority: z.enum(PRIORITIES),
  category: z.enum(CONVERSATION_CATEGORIES),
  tags: z.array(z.string()).default([]),
  isAIEnabled: z.boolean(),
  aiModel: z.string(),
  autoResponses: z.boolean(),
  channel: z.enum(CHANNELS),
  source: opt(z.string()),
  messageCount: z.number(),
  unreadCount: z.number(),
  lastMessage: opt(
    z.object({
      content: z.string(),
      timestamp: zDate,
      from: z.enum(LAST_MESSAGE_FROM),
      type: z.enum(LAST_MESSAGE_TYPES),
    }),
  ),
  firstResponseTime: opt(z.number()),
  averageResponseTime: opt(z.number()),
  responseCount: opt(z.number()),
  lastAgentResponse: opt(zDate),
  lastCustomerMessage: opt(zDate),
  awaitingResponseSince: opt(zDate),
  resolvedAt: opt(zDate),
  resolvedBy: opt(zObjectId),
  resolutionNotes: opt(z.string()),
  customerSatisfaction: opt(z.object({ rating: z.number(), comment: opt(z.string()), submittedAt: zDate })),
  internalNotes: z.array(internalNoteSchema).default([]),
  whatsappData: opt(z.object({ phoneNumberId: opt(z.string()), businessAccountId: opt(z.string()) })),
  failedDeliveries: opt(z.number()),
  escalated: opt(z.boolean()),
  escalatedTo: opt(zObjectId),
  escalatedAt: opt(zDate),
  createdAt: zDate,
  updatedAt: zDate,
  closedAt: opt(zDate),
  version: z.number().int().min(0).default(0),
});

const KEYS = Object.keys(conversationDocumentSchema.shape);

export function conversationToDocument(c: ConversationPrimitives): Document & { _id: ObjectId } {
  const { id, ...rest } = c;
  const doc = dropUndefined({
    ...rest,
    _id: toObjectId('id', id),
    customerId: toObjectId('customerId', c.customerId),
    assignedAgent: toOptionalObjectId('assignedAgent', c.assignedAgent),
    assignedBy: toOptionalObjectId('assignedBy', c.assignedBy),
    resolvedBy: toOptionalObjectId('resolvedBy', c.resolvedBy),
    escalatedTo: toOptionalObjectId('escalatedTo', c.escalatedTo),
    tags: assertSafeStrings('tags', c.tags),
    internalNotes: Array.isArray(c.internalNotes)
      ? c.internalNotes.map(({ id: noteId, agent, ...note }, i) => ({
          _id: toObjectId(`internalNotes.${i}.id`, noteId),
          agent: toObjectId(`internalNotes.${i}.agent`, agent),
          ...note,
        }))
      : c.internalNotes,
  });
  assertWritable(conversationDocumentSchema, doc);
  return doc;
}

export function conversationFromDocument(doc: Document): ConversationPrimitives {
  const { _id, ...rest } = readDocument(COLLECTION, conversationDocumentSchema, doc);
  return { ...rest, id: _id };
}

export class MongoConversationRepository implements ConversationRepository {
  private readonly collection: Collection;
  private readonly guard: WriteGuard;

  constructor(db: Db, capabilities: Pick<MongoCapabilities, 'atomicUpdates'>) {
    this.collection = db.collection(COLLECTION);
    this.guard = writeGuardFor(db, capabilities);
  }

  async insert(conversation: ConversationPrimitives): Promise<void> {
    const doc = conversationToDocument(conversation);
    await insertDocument(this.collection, ENTITY, doc);
  }

  async findById(id: Id): Promise<ConversationPrimitives | null> {
    const doc = await this.collection.findOne({ _id: toObjectId('id', id) });
    return doc ? conversationFromDocument(doc) : null;
  }

  async findLatestOpenByCustomer(customerId: Id): Promise<ConversationPrimitives | null> {
    const [doc] = await this.collection
      .find({ customerId: toObjectId('customerId', customerId), status: { $ne: 'closed' } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(1)
      .toArray();
    return doc ? conversationFromDocument(doc) : null;
  }

  async findLatestOpenByCustomers(customerIds: Id[]): Promise<ConversationPrimitives[]> {
    const ids = customerIds.map((id, i) => toObjectId(`customerIds.${i}`, id));
    if (ids.length === 0) return [];
    // The { customerId } index serves it; a customer rarely has more than one that is not closed.
    const docs = await this.collection
      .find({ customerId: { $in: ids }, status: { $ne: 'closed' } })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    const latest = new Map<string, ConversationPrimitives>();
    for (const doc of docs) {
      const conversation = conversationFromDocument(doc);
      if (!latest.has(conversation.customerId)) latest.set(conversation.customerId, conversation);
    }
    return [...latest.values()];
  }

  /** One `insertMany` (ordered: a failure leaves the rest unwritten and throws). */
  async insertMany(conversations: ConversationPrimitives[]): Promise<void> {
    if (conversations.length === 0) return;
    const docs = conversations.map(conversationToDocument);
    await translateDuplicates(() => this.collection.insertMany(docs), this.collection, ENTITY, [], {});
  }

  async update(conversation: ConversationPrimitives): Promise<ConversationPrimitives> {
    return updateVersioned(this.versionedUpdate(conversation));
  }

  async updateMany(
    conversations: ConversationPrimitives[],
  ): Promise<{ updated: ConversationPrimitives[]; conflicts: Id[] }> {
    return updateVersionedMany(conversations.map((c) => this.versionedUpdate(c)));
  }

  private versionedUpdate(conversation: ConversationPrimitives): VersionedUpdate<ConversationPrimitives> {
    return {
      collection: this.collection,
      guard: this.guard,
      entity: ENTITY,
      keys: KEYS,
      doc: conversationToDocument(conversation),
      version: assertVersion(conversation.version),
      uniqueKeys: [],
      read: conversationFromDocument,
    };
  }

  async list(filter: ConversationFilter, page: PageRequest): Promise<Page<ConversationPrimitives>> {
    const clauses: Filter<Document>[] = [];
    if (filter.status !== undefined) {
      const statuses = statusList(filter.status);
      if (statuses.length > 0) clauses.push({ status: { $in: statuses } });
    }
    if (filter.priority !== undefined)
      clauses.push({ priority: assertEnum('priority', filter.priority, PRIORITIES) });
    if (filter.category !== undefined) {
      clauses.push({ category: assertEnum('category', filter.category, CONVERSATION_CATEGORIES) });
    }
    if (filter.assignedAgent !== undefined) {
      clauses.push({ assignedAgent: toObjectId('assignedAgent', filter.assignedAgent) });
    }
    // `null` matches a missing field (and legacy explicit nulls).
    if (filter.unassigned !== undefined) {
      clauses.push({ assignedAgent: assertBoolean('unassigned', filter.unassigned) ? null : { $ne: null } });
    }
    if (filter.visibleTo !== undefined) {
      clauses.push({
        $or: [{ assignedAgent: toObjectId('visibleTo', filter.visibleTo) }, { assignedAgent: null }],
      });
    }
    if (filter.tags !== undefined) {
      const tags = assertSafeStrings('tags', filter.tags);
      if (tags.length > 0) clauses.push({ tags: { $in: tags } });
    }
    if (filter.customerId !== undefined)
      clauses.push({ customerId: toObjectId('customerId', filter.customerId) });
    return keysetPage(
      this.collection,
      clauses,
      'updatedAt',
      page,
      conversationFromDocument,
      (c) => c.updatedAt,
    );
  }

  async listAllByCustomer(customerId: Id): Promise<ConversationPrimitives[]> {
    const docs = await this.collection
      .find({ customerId: toObjectId('customerId', customerId) })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    return docs.map(conversationFromDocument);
  }

  async listByStatus(statuses: ConversationStatus[], limit: number): Promise<ConversationPrimitives[]> {
    const docs = await this.collection
      .find({ status: { $in: statusList(statuses) } })
      .sort({ updatedAt: 1, _id: 1 })
      .limit(clampLimit(limit))
      .toArray();
    return docs.map(conversationFromDocument);
  }

  /** Served by the `{ status: 1, _id: 1 }` index. */
  async scanByStatus(statuses: ConversationStatus[], page: ScanPage): Promise<ConversationPrimitives[]> {
    const docs = await this.collection
      .find(scanFilter(statusList(statuses), page))
      .sort({ _id: 1 })
      .limit(clampLimit(page.limit))
      .toArray();
    return docs.map(conversationFromDocument);
  }

  async countByStatus(): Promise<Record<ConversationStatus, number>> {
    const counts = Object.fromEntries(CONVERSATION_STATUSES.map((s) => [s, 0])) as Record<
      ConversationStatus,
      number
    >;
    const groups = await this.collection.aggregate<{ _id: unknown; n: number }>([
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ]);
    for await (const group of groups) {
      if ((CONVERSATION_STATUSES as readonly unknown[]).includes(group._id)) {
        counts[group._id as ConversationStatus] = group.n;
      }
    }
    return counts;
  }

  /** Served by the `{ updatedAt: -1, _id: -1 }` index (range on updatedAt, createdAt filtered). */
  async listActiveBetween(range: DateRange, limit: number): Promise<ConversationPrimitives[]> {
    const { from, to } = assertDateRange(range);
    const docs = await this.collection
      .find({ updatedAt: { $gte: from }, createdAt: { $lt: to } })
      .sort({ updatedAt: -1, _id: -1 })
      .limit(clampReportLimit(limit))
      .toArray();
    return docs.map(conversationFromDocument);
  }

  async delete(id: Id): Promise<void> {
    await this.collection.deleteOne({ _id: toObjectId('id', id) });
  }
}

function statusList(statuses: unknown): ConversationStatus[] {
  if (!Array.isArray(statuses)) return [assertEnum('status', statuses, CONVERSATION_STATUSES)];
  return statuses.map((s, i) => assertEnum(`status.${i}`, s, CONVERSATION_STATUSES));
}
