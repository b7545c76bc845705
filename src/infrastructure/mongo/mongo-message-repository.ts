import type { Collection, Db, Document, Filter, ObjectId } from 'mongodb';
import { z } from 'zod';
import { clampLimit, type Page, type PageRequest } from '../../application/ports/pagination.js';
import type { MessageRepository } from '../../application/ports/repositories.js';
import {
  ATTACHMENT_TYPES,
  DIRECTIONS,
  INTERACTIVE_TYPES,
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
  type MessagePrimitives,
  type MessageStatus,
  SENDERS,
  WHATSAPP_STATUSES,
} from '../../domain/message/message.types.js';
import { ConcurrencyError, ValidationError } from '../../domain/shared/errors.js';
import { assertEnum } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import { COLLECTIONS } from './indexes.js';
import type { MongoCapabilities } from './mongo-client.js';
import {
  assertDate,
  assertString,
  assertWritable,
  dropUndefined,
  insertDocument,
  insertManyReportingDuplicates,
  keysetPage,
  opt,
  readDocument,
  toObjectId,
  translateDuplicates,
  type UniqueKey,
  zDate,
  zObjectId,
} from './mongo-common.js';
import { type WriteGuard, writeGuardFor } from './write-guard.js';

const ENTITY = 'message';
const COLLECTION = COLLECTIONS.messages;

export const messageDocumentSchema = z.object({
  _id: zObjectId,
  conversationId: zObjectId,
  customerId: zObjectId,
  content: z.string(),
  type: z.enum(MESSAGE_TYPES),
  direction: z.enum(DIRECTIONS),
  sender: z.enum(SENDERS),
  agentId: opt(zObjectId),
  whatsappMessageId: opt(z.string()),
  whatsappStatus: opt(z.enum(WHATSAPP_STATUSES)),
  whatsappTimestamp: opt(zDate),
  whatsappError: opt(z.string()),
  whatsappErrorCode: opt(z.number()),
  status: z.enum(MESSAGE_STATUSES),
  attachments: z
    .array(
      z.object({
        type: z.enum(ATTACHMENT_TYPES),
        url: opt(z.string()),
        publicId: opt(z.string()),
        filename: opt(z.string()),
        mimeType: opt(z.string()),
        size: opt(z.number()),
        thumbnailUrl: opt(z.string()),
        duration: opt(z.number()),
        whatsappMediaId: opt(z.string()),
        storage: opt(z.enum(['stored', 'pending', 'failed'])),
        attempts: opt(z.number()),
        error: opt(z.string()),
      }),
    )
    .default([]),
  location: opt(
    z.object({
      latitude: z.number(),
      longitude: z.number(),
      address: opt(z.string()),
      name: opt(z.string()),
    }),
  ),
  template: opt(
    z.object({
      name: z.string(),
      language: z.string(),
      parameters: z.array(z.string()),
      category: opt(z.string()),
    }),
  ),
  interactive: opt(
    z.object({
      type: z.enum(INTERACTIVE_TYPES),
      body: opt(z.string()),
      buttons: opt(z.array(z.object({ id: z.string(), title: z.string(), payload: opt(z.string()) }))),
      listItems: opt(z.array(z.object({ id: z.string(), title: z.string(), description: opt(z.string()) }))),
      replyId: opt(z.string()),
    }),
  ),
  contacts: opt(z.array(z.object({ name: z.string(), phones: z.array(z.string()) }))),
  reaction: opt(z.object({ emoji: z.string(), messageId: opt(zObjectId), whatsappMessageId: z.string() })),
  aiProcessed: z.boolean(),
  aiResponse: opt(
    z.object({
      confidence: z.number(),
      intent: z.string(),
      entities: z.array(z.string()),
      sentiment: z.enum(['positive', 'neutral', 'negative']),
    }),
  ),
  replyTo: opt(zObjectId),
  replyToWhatsappId: opt(z.string()),
  isForwarded: z.boolean(),
  forwardedFrom: opt(z.string()),
  idempotencyKey: opt(z.string()),
  /**
   * `agentId:idempotencyKey`, present only when both are: the field the unique-where-present index
   * is on (a compound sparse index would also index agent messages without a key on MongoDB).
   */
  idempotencyScope: opt(z.string()),
  sendAttempts: opt(z.number()),
  nextAttemptAt: opt(zDate),
  leaseUntil: opt(zDate),
  timestamp: zDate,
  readAt: opt(zDate),
  deliveredAt: opt(zDate),
  sentAt: opt(zDate),
  failedAt: opt(zDate),
  createdAt: zDate,
});

const partialSchema = messageDocumentSchema.partial();
const REQUIRED_KEYS = new Set(
  Object.entries(messageDocumentSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([key]) => key),
);

const idempotencyScope = (agentId: unknown, key: unknown): string | undefined =>
  typeof agentId === 'string' && typeof key === 'string' ? `${agentId}:${key}` : undefined;

/** Converts the reference fields of a (partial) message to ObjectIds; other fields pass through. */
function convertFields(fields: Partial<MessagePrimitives>): Document {
  const out: Document = { ...fields };
  for (const key of ['conversationId', 'customerId', 'agentId', 'replyTo'] as const) {
    if (fields[key] !== undefined) out[key] = toObjectId(key, fields[key]);
  }
  const reaction = fields.reaction;
  if (reaction?.messageId !== undefined) {
    out.reaction = { ...reaction, messageId: toObjectId('reaction.messageId', reaction.messageId) };
  }
  return out;
}

export function messageToDocument(message: MessagePrimitives): Document & { _id: ObjectId } {
  const { id, ...rest } = message;
  const doc = dropUndefined({
    ...convertFields(rest),
    _id: toObjectId('id', id),
    idempotencyScope: idempotencyScope(message.agentId, message.idempotencyKey),
  });
  assertWritable(messageDocumentSchema, doc);
  return doc as Document & { _id: ObjectId };
}

export function messageFromDocument(doc: Document): MessagePrimitives {
  const { _id, idempotencyScope: _scope, ...rest } = readDocument(COLLECTION, messageDocumentSchema, doc);
  return { ...rest, id: _id };
}

interface FieldUpdate {
  set: Document;
  unset: Record<string, ''>;
}

/** `$set`/`$unset` for a partial message: `undefined` removes an optional field. */
function fieldUpdate(fields: Record<string, unknown>, allowed?: readonly string[]): FieldUpdate {
  if (fields === null || typeof fields !== 'object') throw new ValidationError('fields', 'must be an object');
  const given: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'id' || key === '_id' || key === 'idempotencyScope') continue;
    if (allowed && !allowed.includes(key)) throw new ValidationError(key, 'cannot be changed here');
    if (!(key in messageDocumentSchema.shape)) throw new ValidationError(key, 'is not a message field');
    if (value === undefined) {
      if (REQUIRED_KEYS.has(key)) throw new ValidationError(key, 'is required', 'VALIDATION.REQUIRED');
      unset[key] = '';
    } else {
      given[key] = value;
    }
  }
  const set = dropUndefined(convertFields(given));
  assertWritable(partialSchema, set);
  return { set, unset };
}

function operators({ set, unset }: FieldUpdate): Document | undefined {
  const update: Document = {};
  if (Object.keys(set).length > 0) update.$set = set;
  if (Object.keys(unset).length > 0) update.$unset = unset;
  return Object.keys(update).length > 0 ? update : undefined;
}

const STATUS_FIELDS = [
  'whatsappStatus',
  'deliveredAt',
  'readAt',
  'sentAt',
  'failedAt',
  'whatsappError',
  'whatsappErrorCode',
  'whatsappMessageId',
  'whatsappTimestamp',
] as const;

export class MongoMessageRepository implements MessageRepository {
  private readonly collection: Collection;
  private readonly guard: WriteGuard;

  constructor(db: Db, capabilities: Pick<MongoCapabilities, 'atomicUpdates'>) {
    this.collection = db.collection(COLLECTION);
    this.guard = writeGuardFor(db, capabilities);
  }

  private uniqueKeys(doc: Document): UniqueKey[] {
    return [
      { field: 'whatsappMessageId', path: 'whatsappMessageId', value: doc.whatsappMessageId },
      { field: 'idempotencyKey', path: 'idempotencyScope', value: doc.idempotencyScope },
    ];
  }

  async insert(message: MessagePrimitives): Promise<void> {
    const doc = messageToDocument(message);
    await insertDocument(this.collection, ENTITY, doc, this.uniqueKeys(doc));
  }

  async findById(id: Id): Promise<MessagePrimitives | null> {
    const doc = await this.collection.findOne({ _id: toObjectId('id', id) });
    return doc ? messageFromDocument(doc) : null;
  }

  async findByWhatsappId(whatsappMessageId: string): Promise<MessagePrimitives | null> {
    const doc = await this.collection.findOne({
      whatsappMessageId: assertString('whatsappMessageId', whatsappMessageId),
    });
    return doc ? messageFromDocument(doc) : null;
  }

  async findByWhatsappIds(whatsappMessageIds: string[]): Promise<MessagePrimitives[]> {
    const ids = [...new Set(whatsappMessageIds.map((id, i) => assertString(`whatsappMessageIds.${i}`, id)))];
    if (ids.length === 0) return [];
    const docs = await this.collection.find({ whatsappMessageId: { $in: ids } }).toArray();
    return docs.map(messageFromDocument);
  }

  /** One unordered `insertMany` (no document lock: an insert needs none); duplicates are reported, not thrown. */
  async insertMany(messages: MessagePrimitives[]): Promise<{ duplicates: Id[] }> {
    const { duplicates } = await insertManyReportingDuplicates(
      this.collection,
      messages.map(messageToDocument),
    );
    return { duplicates: duplicates.map((i) => messages[i]!.id) };
  }

  async findByIdempotencyKey(agentId: Id, key: string): Promise<MessagePrimitives | null> {
    const doc = await this.collection.findOne({
      agentId: toObjectId('agentId', agentId),
      idempotencyKey: assertString('idempotencyKey', key),
    });
    return doc ? messageFromDocument(doc) : null;
  }

  async listByConversation(conversationId: Id, page: PageRequest): Promise<Page<MessagePrimitives>> {
    const clauses = [{ conversationId: toObjectId('conversationId', conversationId) }];
    return keysetPage(this.collection, clauses, 'timestamp', page, messageFromDocument, (m) => m.timestamp);
  }

  async patch(id: Id, fields: Partial<Omit<MessagePrimitives, 'id'>>): Promise<MessagePrimitives | null> {
    const _id = toObjectId('id', id);
    const change = fieldUpdate(fields as Record<string, unknown>);
    const touchesScope = 'agentId' in change.set || 'agentId' in change.unset || 'idempotencyKey' in fields;
    if (!touchesScope) return this.guard.exclusive(COLLECTION, id, () => this.apply({ _id }, change, _id));

    // The derived idempotency scope depends on the stored values too: read, then write guarded by
    // them (a concurrent change of agent or key makes the guard miss, and we read again).
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.collection.findOne(
        { _id },
        { projection: { agentId: 1, idempotencyKey: 1 } },
      );
      if (!current) return null;
      const agentId =
        'agentId' in fields ? fields.agentId : (current.agentId as ObjectId | undefined)?.toHexString();
      const key =
        'idempotencyKey' in fields ? fields.idempotencyKey : (current.idempotencyKey as string | undefined);
      const scope = idempotencyScope(agentId, key);
      const withScope: FieldUpdate =
        scope === undefined
          ? { set: change.set, unset: { ...change.unset, idempotencyScope: '' } }
          : { set: { ...change.set, idempotencyScope: scope }, unset: change.unset };
      const guard: Filter<Document> = {
        _id,
        agentId: current.agentId ?? null,
        idempotencyKey: current.idempotencyKey ?? null,
      };
      const updated = await this.guard.exclusive(COLLECTION, id, () => this.apply(guard, withScope, _id));
      if (updated) return updated;
    }
    throw new ConcurrencyError(ENTITY, id);
  }

  private async apply(
    filter: Filter<Document>,
    change: FieldUpdate,
    _id: ObjectId,
  ): Promise<MessagePrimitives | null> {
    const update = operators(change);
    if (!update) {
      const doc = await this.collection.findOne(filter);
      return doc ? messageFromDocument(doc) : null;
    }
    const doc = await translateDuplicates(
      () => this.collection.findOneAndUpdate(filter, update, { returnDocument: 'after' }),
      this.collection,
      ENTITY,
      this.uniqueKeys({ ...change.set }),
      { updatedId: _id },
    );
    return doc ? messageFromDocument(doc) : null;
  }

  async advanceStatus(
    id: Id,
    from: MessageStatus[],
    to: MessageStatus,
    fields: Parameters<MessageRepository['advanceStatus']>[3],
  ): Promise<MessagePrimitives | null> {
    const _id = toObjectId('id', id);
    if (!Array.isArray(from)) throw new ValidationError('from', 'must be a list of statuses');
    const previous = from.map((s, i) => assertEnum(`from.${i}`, s, MESSAGE_STATUSES));
    const next = assertEnum('to', to, MESSAGE_STATUSES);
    const change = fieldUpdate({ ...fields }, STATUS_FIELDS);
    change.set.status = next;
    return this.guard.exclusive(COLLECTION, id, () =>
      this.apply({ _id, status: { $in: previous } }, change, _id),
    );
  }

  async claimOutbound(now: Date, leaseUntil: Date, limit: number): Promise<MessagePrimitives[]> {
    return this.claim({ direction: 'outbound', status: 'pending' }, now, leaseUntil, limit);
  }

  async claimPendingMedia(now: Date, leaseUntil: Date, limit: number): Promise<MessagePrimitives[]> {
    return this.claim({ direction: 'inbound', 'attachments.storage': 'pending' }, now, leaseUntil, limit);
  }

  /**
   * Leases up to `limit` messages matching `selector` whose `nextAttemptAt` is due (or absent) and
   * whose lease is free or expired, oldest first. Each message goes to exactly one caller.
   */
  private async claim(
    selector: Filter<Document>,
    now: Date,
    leaseUntil: Date,
    limit: number,
  ): Promise<MessagePrimitives[]> {
    const at = assertDate('now', now);
    const until = assertDate('leaseUntil', leaseUntil);
    const max = clampLimit(limit);
    // `null` also matches a missing field.
    const claimable: Filter<Document> = {
      ...selector,
      $and: [
        { $or: [{ nextAttemptAt: null }, { nextAttemptAt: { $lte: at } }] },
        { $or: [{ leaseUntil: null }, { leaseUntil: { $lte: at } }] },
      ],
    };
    const lease = { $set: { leaseUntil: until } };
    const claimed: MessagePrimitives[] = [];
    const passed: ObjectId[] = []; // claimed here, or found taken: not looked at again

    if (this.guard.native) {
      // One atomic findOneAndUpdate per message: a message is leased by exactly one caller even
      // when several nodes claim at once.
      while (claimed.length < max) {
        const doc = await this.collection.findOneAndUpdate({ ...claimable, _id: { $nin: passed } }, lease, {
          sort: { timestamp: 1, _id: 1 },
          returnDocument: 'after',
        });
        if (!doc) break;
        passed.push(doc._id as ObjectId);
        claimed.push(messageFromDocument(doc));
      }
      return claimed;
    }

    // Without atomic updates: pick candidates, then lease each under its document lock, checking
    // again that it is still claimable. A message another writer holds right now is skipped.
    while (claimed.length < max) {
      const candidates = await this.collection
        .find({ ...claimable, _id: { $nin: passed } }, { projection: { _id: 1 } })
        .sort({ timestamp: 1, _id: 1 })
        .limit(max - claimed.length)
        .toArray();
      if (candidates.length === 0) break;
      for (const { _id } of candidates as { _id: ObjectId }[]) {
        passed.push(_id);
        const attempt = await this.guard.tryExclusive(COLLECTION, _id.toHexString(), () =>
          this.collection.findOneAndUpdate({ ...claimable, _id }, lease, { returnDocument: 'after' }),
        );
        if (attempt.ran && attempt.value) claimed.push(messageFromDocument(attempt.value));
      }
    }
    return claimed.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || (a.id < b.id ? -1 : 1));
  }

  async claimForAi(id: Id): Promise<boolean> {
    const _id = toObjectId('id', id);
    // A conditional update by _id is a compare-and-swap; where the server's updates are not atomic
    // (FerretDB v1) the document lock makes it one.
    const result = await this.guard.exclusive(COLLECTION, id, () =>
      this.collection.updateOne({ _id, aiProcessed: false }, { $set: { aiProcessed: true } }),
    );
    return result.modifiedCount === 1;
  }

  countByConversation(conversationId: Id): Promise<number> {
    return this.collection.countDocuments({ conversationId: toObjectId('conversationId', conversationId) });
  }

  async deleteByConversation(conversationId: Id): Promise<number> {
    const result = await this.collection.deleteMany({
      conversationId: toObjectId('conversationId', conversationId),
    });
    return result.deletedCount;
  }
}

/** A unique index refused this write (FerretDB v1 may report it as SQLite's UNIQUE constraint). */
