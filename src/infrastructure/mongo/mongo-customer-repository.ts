import type { AnyBulkWriteOperation, Collection, Db, Document, Filter, ObjectId } from 'mongodb';
import { z } from 'zod';
import type { Page, PageRequest } from '../../application/ports/pagination.js';
import type {
  CustomerFilter,
  CustomerInteraction,
  CustomerRepository,
} from '../../application/ports/repositories.js';
import {
  CUSTOMER_SEGMENTS,
  CUSTOMER_SOURCES,
  CUSTOMER_STATUSES,
  type CustomerPrimitives,
  type CustomerStatistics,
} from '../../domain/customer/customer.types.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { assertEnum } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import { COLLECTIONS } from './indexes.js';
import type { MongoCapabilities } from './mongo-client.js';
import {
  assertBoolean,
  assertDate,
  assertSafeStrings,
  assertString,
  assertVersion,
  assertWritable,
  bulkWriteChunked,
  dropUndefined,
  escapeRegex,
  insertDocument,
  insertManyReportingDuplicates,
  keysetPage,
  opt,
  readDocument,
  statisticsIncrement,
  toObjectId,
  toOptionalObjectId,
  type UniqueKey,
  updateVersioned,
  zDate,
  zObjectId,
} from './mongo-common.js';
import { type WriteGuard, writeGuardFor } from './write-guard.js';

const ENTITY = 'customer';
const COLLECTION = COLLECTIONS.customers;
const SEARCH_MAX_LENGTH = 100;

const STATISTICS_KEYS = [
  'totalConversations',
  'totalMessages',
  'totalTickets',
  'averageResponseTime',
  'satisfactionScore',
  'satisfactionCount',
  'responseCount',
] as const satisfies readonly (keyof CustomerStatistics)[];

export const customerDocumentSchema = z.object({
  _id: zObjectId,
  phoneNumber: z.string(),
  firstName: opt(z.string()),
  lastName: opt(z.string()),
  email: opt(z.string()),
  avatar: opt(z.string()),
  alternativePhones: z.array(z.string()).default([]),
  address: opt(
    z.object({
      street: opt(z.string()),
      city: opt(z.string()),
      state: opt(z.string()),
      country: z.string(),
      postalCode: opt(z.string()),
      coordinates: opt(z.object({ latitude: z.number(), longitude: z.number() })),
    }),
  ),
  tags: z.array(z.string()).default([]),
  segment: z.enum(CUSTOMER_SEGMENTS),
  source: z.enum(CUSTOMER_SOURCES),
  customFields: z.record(z.string(), z.string()).default({}),
  preferences: z.object({
    language: z.string(),
    communicationHours: z.object({ start: z.string(), end: z.string() }),
    preferredAgent: opt(zObjectId),
  }),
  status: z.enum(CUSTOMER_STATUSES),
  isBlocked: z.boolean(),
  blockReason: opt(z.string()),
  notes: opt(z.string()),
  statistics: z.object({
    totalConversations: z.number(),
    totalMessages: z.number(),
    totalTickets: z.number(),
    averageResponseTime: z.number(),
    satisfactionScore: opt(z.number()),
    satisfactionCount: opt(z.number()),
    responseCount: opt(z.number()),
  }),
  firstContact: opt(zDate),
  lastInteraction: opt(zDate),
  lastMessageAt: opt(zDate),
  erasedAt: opt(zDate),
  createdAt: zDate,
  updatedAt: zDate,
  version: z.number().int().min(0).default(0),
});

const KEYS = Object.keys(customerDocumentSchema.shape);

export function customerToDocument(customer: CustomerPrimitives): Document & { _id: ObjectId } {
  const { id, preferences, ...rest } = customer;
  for (const key of Object.keys(customer.customFields ?? {})) {
    if (key.startsWith('$') || key.includes('.') || key.length === 0) {
      throw new ValidationError(
        `customFields.${key}`,
        'field names may not be empty, start with "$" or contain "."',
      );
    }
  }
  const doc = dropUndefined({
    ...rest,
    _id: toObjectId('id', id),
    tags: assertSafeStrings('tags', customer.tags),
    preferences: preferences && {
      ...preferences,
      preferredAgent: toOptionalObjectId('preferences.preferredAgent', preferences.preferredAgent),
    },
  });
  assertWritable(customerDocumentSchema, doc);
  return doc;
}

export function customerFromDocument(doc: Document): CustomerPrimitives {
  const { _id, ...rest } = readDocument(COLLECTION, customerDocumentSchema, doc);
  return { ...rest, id: _id };
}

export class MongoCustomerRepository implements CustomerRepository {
  private readonly collection: Collection;
  private readonly guard: WriteGuard;

  constructor(
    db: Db,
    private readonly capabilities: Pick<MongoCapabilities, 'textSearch' | 'atomicUpdates'>,
  ) {
    this.collection = db.collection(COLLECTION);
    this.guard = writeGuardFor(db, capabilities);
  }

  private uniqueKeys(doc: Document): UniqueKey[] {
    return [{ field: 'phoneNumber', path: 'phoneNumber', value: doc.phoneNumber }];
  }

  async insert(customer: CustomerPrimitives): Promise<void> {
    const doc = customerToDocument(customer);
    await insertDocument(this.collection, ENTITY, doc, this.uniqueKeys(doc));
  }

  async findById(id: Id): Promise<CustomerPrimitives | null> {
    const doc = await this.collection.findOne({ _id: toObjectId('id', id) });
    return doc ? customerFromDocument(doc) : null;
  }

  async findByPhone(phoneNumber: string): Promise<CustomerPrimitives | null> {
    const doc = await this.collection.findOne({ phoneNumber: assertString('phoneNumber', phoneNumber) });
    return doc ? customerFromDocument(doc) : null;
  }

  async findByPhones(phoneNumbers: string[]): Promise<CustomerPrimitives[]> {
    const phones = [...new Set(phoneNumbers.map((p, i) => assertString(`phoneNumbers.${i}`, p)))];
    if (phones.length === 0) return [];
    const docs = await this.collection.find({ phoneNumber: { $in: phones } }).toArray();
    return docs.map(customerFromDocument);
  }

  /** One unordered `insertMany`; duplicates (id or phone) are reported, not thrown. */
  async insertMany(customers: CustomerPrimitives[]): Promise<{ duplicates: Id[] }> {
    const { duplicates } = await insertManyReportingDuplicates(
      this.collection,
      customers.map(customerToDocument),
    );
    return { duplicates: duplicates.map((i) => customers[i]!.id) };
  }

  /**
   * One bulk write of `$min` / `$max` / `$inc` updates by `_id` (commutative: no version check).
   * Without atomic updates (FerretDB v1) the documents' locks are taken for the batch first; a
   * customer whose lock another writer holds is written alone after the batch, waiting its turn.
   */
  async recordInteractions(entries: CustomerInteraction[]): Promise<void> {
    const updates = new Map<string, { filter: { _id: ObjectId }; update: Document }>();
    for (const [i, entry] of entries.entries()) {
      const _id = toObjectId(`entries.${i}.id`, entry.id);
      const last = assertDate(`entries.${i}.lastAt`, entry.lastAt);
      const update = {
        $min: { firstContact: assertDate(`entries.${i}.firstAt`, entry.firstAt) },
        $max: { lastInteraction: last, lastMessageAt: last, updatedAt: last },
        $inc: { ...statisticsIncrement(entry.statistics, STATISTICS_KEYS), version: 1 },
      };
      if (updates.has(entry.id)) throw new ValidationError(`entries.${i}.id`, 'is repeated');
      updates.set(entry.id, { filter: { _id }, update });
    }
    if (updates.size === 0) return;
    const bulk = (ids: string[]) =>
      ids.length === 0
        ? Promise.resolve()
        : bulkWriteChunked(
            this.collection,
            ids.map((id): AnyBulkWriteOperation => ({ updateOne: updates.get(id)! })),
          );
    const left = await this.guard.exclusiveMany(COLLECTION, [...updates.keys()], async (held) => {
      await bulk(held);
      return [...updates.keys()].filter((id) => !held.includes(id));
    });
    for (const id of left) await this.guard.exclusive(COLLECTION, id, () => bulk([id]));
  }

  async update(customer: CustomerPrimitives): Promise<CustomerPrimitives> {
    const version = assertVersion(customer.version);
    const doc = customerToDocument(customer);
    return updateVersioned({
      collection: this.collection,
      guard: this.guard,
      entity: ENTITY,
      keys: KEYS,
      doc,
      version,
      uniqueKeys: this.uniqueKeys(doc),
      read: customerFromDocument,
      preserve: ['statistics'],
    });
  }

  async list(filter: CustomerFilter, page: PageRequest): Promise<Page<CustomerPrimitives>> {
    const clauses: Filter<Document>[] = [];
    if (filter.tags !== undefined) {
      const tags = assertSafeStrings('tags', filter.tags);
      if (tags.length > 0) clauses.push({ tags: { $all: tags } });
    }
    if (filter.segment !== undefined) {
      clauses.push({ segment: assertEnum('segment', filter.segment, CUSTOMER_SEGMENTS) });
    }
    if (filter.status !== undefined)
      clauses.push({ status: assertEnum('status', filter.status, CUSTOMER_STATUSES) });
    if (filter.isBlocked !== undefined)
      clauses.push({ isBlocked: assertBoolean('isBlocked', filter.isBlocked) });
    if (filter.search !== undefined) {
      const search = this.searchClause(filter.search);
      if (search) clauses.push(search);
    }
    return keysetPage(this.collection, clauses, 'updatedAt', page, customerFromDocument, (c) => c.updatedAt);
  }

  /**
   * `$text` where the server has text indexes; otherwise a case-insensitive prefix match on names,
   * e-mail and phone (the phone also without its leading '+'), the input escaped so it is literal.
   */
  private searchClause(raw: unknown): Filter<Document> | undefined {
    if (typeof raw !== 'string') throw new ValidationError('search', 'must be a string');
    const term = raw.trim();
    if (term.length === 0) return undefined;
    if (term.length > SEARCH_MAX_LENGTH) {
      throw new ValidationError(
        'search',
        `must be at most ${SEARCH_MAX_LENGTH} characters`,
        'VALIDATION.TOO_LONG',
      );
    }
    if (this.capabilities.textSearch) return { $text: { $search: term } };
    const prefix = { $regex: `^${escapeRegex(term)}`, $options: 'i' };
    return {
      $or: [
        { firstName: prefix },
        { lastName: prefix },
        { email: prefix },
        { phoneNumber: { $regex: `^\\+?${escapeRegex(term)}`, $options: 'i' } },
      ],
    };
  }

  async setStatistics(id: Id, fields: Partial<CustomerStatistics>): Promise<void> {
    const _id = toObjectId('id', id);
    const set = statisticsIncrement(fields, STATISTICS_KEYS);
    const result = await this.guard.exclusive(COLLECTION, id, async () =>
      Object.keys(set).length > 0
        ? this.collection.updateOne({ _id }, { $set: set })
        : { matchedCount: await this.collection.countDocuments({ _id }, { limit: 1 }) },
    );
    if (result.matchedCount === 0) throw new NotFoundError(ENTITY, id);
  }

  async incrementStatistics(id: Id, delta: Partial<Record<keyof CustomerStatistics, number>>): Promise<void> {
    const _id = toObjectId('id', id);
    const inc = statisticsIncrement(delta, STATISTICS_KEYS);
    const result = await this.guard.exclusive(COLLECTION, id, async () =>
      Object.keys(inc).length > 0
        ? this.collection.updateOne({ _id }, { $inc: inc })
        : { matchedCount: await this.collection.countDocuments({ _id }, { limit: 1 }) },
    );
    if (result.matchedCount === 0) throw new NotFoundError(ENTITY, id);
  }

  async delete(id: Id): Promise<void> {
    await this.collection.deleteOne({ _id: toObjectId('id', id) });
  }
}
