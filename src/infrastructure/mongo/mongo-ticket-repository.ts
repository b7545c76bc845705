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
  DateRange,
  ScanPage,
  TicketFilter,
  TicketRepository,
} from '../../application/ports/repositories.js';
import { PRIORITIES } from '../../domain/conversation/conversation.types.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { assertEnum } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import {
  RESOLUTION_CATEGORIES,
  SLA_LEVELS,
  TICKET_CATEGORIES,
  TICKET_STATUSES,
  type TicketPrimitives,
  type TicketStatus,
} from '../../domain/ticket/ticket.types.js';
import { COLLECTIONS } from './indexes.js';
import type { MongoCapabilities } from './mongo-client.js';
import {
  assertBoolean,
  assertSafeStrings,
  assertString,
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
  type UniqueKey,
  updateVersioned,
  zDate,
  zObjectId,
} from './mongo-common.js';
import { type WriteGuard, writeGuardFor } from './write-guard.js';

const ENTITY = 'ticket';
const COLLECTION = COLLECTIONS.tickets;

const noteSchema = z
  .object({
    _id: zObjectId,
    agent: zObjectId,
    content: z.string(),
    isInternal: z.boolean(),
    timestamp: zDate,
    attachments: z.array(z.string()).default([]),
  })
  .transform(({ _id, ...note }) => ({ id: _id, ...note }));

export const ticketDocumentSchema = z.object({
  _id: zObjectId,
  ticketId: z.string(),
  customerId: zObjectId,
  conversationId: opt(zObjectId),
  assignedAgent: opt(zObjectId),
  subject: z.string(),
  description: z.string(),
  category: z.enum(TICKET_CATEGORIES),
  subcategory: opt(z.string()),
  priority: z.enum(PRIORITIES),
  status: z.enum(TICKET_STATUSES),
  slaLevel: z.enum(SLA_LEVELS),
  estimatedResolution: opt(zDate),
  firstResponseTime: opt(z.number()),
  firstResponseAt: opt(zDate),
  resolutionTime: opt(z.number()),
  slaPausedMinutes: opt(z.number()),
  waitingCustomerSince: opt(zDate),
  attachments: z
    .array(
      z.object({
        type: z.string(),
        url: z.string(),
        publicId: opt(z.string()),
        filename: opt(z.string()),
        size: opt(z.number()),
        uploadedBy: opt(zObjectId),
        uploadedAt: zDate,
      }),
    )
    .default([]),
  location: opt(
    z.object({
      latitude: z.number(),
      longitude: z.number(),
      address: opt(z.string()),
      formattedAddress: opt(z.string()),
      isServiceLocation: z.boolean(),
    }),
  ),
  resolution: opt(
    z.object({
      summary: z.string(),
      steps: z.array(z.string()),
      resolvedBy: zObjectId,
      resolvedAt: zDate,
      resolutionCategory: z.enum(RESOLUTION_CATEGORIES),
    }),
  ),
  customerFeedback: opt(
    z.object({
      rating: z.number(),
      comment: opt(z.string()),
      submittedAt: zDate,
      followUpNeeded: z.boolean(),
    }),
  ),
  notes: z.array(noteSchema).default([]),
  tags: z.array(z.string()).default([]),
  labels: z.array(z.object({ name: z.string(), color: z.string() })).default([]),
  escalated: z.boolean(),
  escalatedTo: opt(zObjectId),
  escalatedAt: opt(zDate),
  escalationReason: opt(z.string()),
  relatedTickets: z.array(zObjectId).default([]),
  parentTicket: opt(zObjectId),
  externalId: opt(z.string()),
  externalUrl: opt(z.string()),
  createdAt: zDate,
  updatedAt: zDate,
  closedAt: opt(zDate),
  lastActivityAt: zDate,
  version: z.number().int().min(0).default(0),
});

const KEYS = Object.keys(ticketDocumentSchema.shape);

function mapList<T, U>(value: T[] | undefined, map: (item: T, i: number) => U): U[] | T[] | undefined {
  return Array.isArray(value) ? value.map(map) : value;
}

export function ticketToDocument(t: TicketPrimitives): Document & { _id: ObjectId } {
  const { id, ...rest } = t;
  const doc = dropUndefined({
    ...rest,
    _id: toObjectId('id', id),
    customerId: toObjectId('customerId', t.customerId),
    conversationId: toOptionalObjectId('conversationId', t.conversationId),
    assignedAgent: toOptionalObjectId('assignedAgent', t.assignedAgent),
    escalatedTo: toOptionalObjectId('escalatedTo', t.escalatedTo),
    parentTicket: toOptionalObjectId('parentTicket', t.parentTicket),
    relatedTickets: mapList(t.relatedTickets, (r, i) => toObjectId(`relatedTickets.${i}`, r)),
    attachments: mapList(t.attachments, (a, i) => ({
      ...a,
      uploadedBy: toOptionalObjectId(`attachments.${i}.uploadedBy`, a.uploadedBy),
    })),
    resolution: t.resolution && {
      ...t.resolution,
      resolvedBy: toObjectId('resolution.resolvedBy', t.resolution.resolvedBy),
    },
    notes: mapList(t.notes, ({ id: noteId, agent, ...note }, i) => ({
      _id: toObjectId(`notes.${i}.id`, noteId),
      agent: toObjectId(`notes.${i}.agent`, agent),
      ...note,
    })),
    tags: assertSafeStrings('tags', t.tags),
  });
  assertWritable(ticketDocumentSchema, doc);
  return doc;
}

export function ticketFromDocument(doc: Document): TicketPrimitives {
  const { _id, ...rest } = readDocument(COLLECTION, ticketDocumentSchema, doc);
  return { ...rest, id: _id };
}

export class MongoTicketRepository implements TicketRepository {
  private readonly collection: Collection;
  private readonly guard: WriteGuard;

  constructor(db: Db, capabilities: Pick<MongoCapabilities, 'atomicUpdates'>) {
    this.collection = db.collection(COLLECTION);
    this.guard = writeGuardFor(db, capabilities);
  }

  private uniqueKeys(doc: Document): UniqueKey[] {
    return [{ field: 'ticketId', path: 'ticketId', value: doc.ticketId }];
  }

  async insert(ticket: TicketPrimitives): Promise<void> {
    const doc = ticketToDocument(ticket);
    await insertDocument(this.collection, ENTITY, doc, this.uniqueKeys(doc));
  }

  async findById(id: Id): Promise<TicketPrimitives | null> {
    const doc = await this.collection.findOne({ _id: toObjectId('id', id) });
    return doc ? ticketFromDocument(doc) : null;
  }

  async findByTicketId(ticketId: string): Promise<TicketPrimitives | null> {
    const doc = await this.collection.findOne({ ticketId: assertString('ticketId', ticketId) });
    return doc ? ticketFromDocument(doc) : null;
  }

  async update(ticket: TicketPrimitives): Promise<TicketPrimitives> {
    const version = assertVersion(ticket.version);
    const doc = ticketToDocument(ticket);
    return updateVersioned({
      collection: this.collection,
      guard: this.guard,
      entity: ENTITY,
      keys: KEYS,
      doc,
      version,
      uniqueKeys: this.uniqueKeys(doc),
      read: ticketFromDocument,
    });
  }

  async list(filter: TicketFilter, page: PageRequest): Promise<Page<TicketPrimitives>> {
    const clauses: Filter<Document>[] = [];
    if (filter.status !== undefined) {
      if (!Array.isArray(filter.status)) throw new ValidationError('status', 'must be a list of statuses');
      const statuses = filter.status.map((s, i) => assertEnum(`status.${i}`, s, TICKET_STATUSES));
      if (statuses.length > 0) clauses.push({ status: { $in: statuses } });
    }
    if (filter.priority !== undefined)
      clauses.push({ priority: assertEnum('priority', filter.priority, PRIORITIES) });
    if (filter.category !== undefined) {
      clauses.push({ category: assertEnum('category', filter.category, TICKET_CATEGORIES) });
    }
    if (filter.assignedAgent !== undefined) {
      clauses.push({ assignedAgent: toObjectId('assignedAgent', filter.assignedAgent) });
    }
    // `null` matches a missing field (and legacy explicit nulls).
    if (filter.visibleTo !== undefined) {
      clauses.push({
        $or: [{ assignedAgent: toObjectId('visibleTo', filter.visibleTo) }, { assignedAgent: null }],
      });
    }
    if (filter.customerId !== undefined)
      clauses.push({ customerId: toObjectId('customerId', filter.customerId) });
    if (filter.conversationId !== undefined) {
      clauses.push({ conversationId: toObjectId('conversationId', filter.conversationId) });
    }
    if (filter.tags !== undefined) {
      const tags = assertSafeStrings('tags', filter.tags);
      if (tags.length > 0) clauses.push({ tags: { $in: tags } });
    }
    if (filter.escalated !== undefined)
      clauses.push({ escalated: assertBoolean('escalated', filter.escalated) });
    return keysetPage(this.collection, clauses, 'updatedAt', page, ticketFromDocument, (t) => t.updatedAt);
  }

  async listAllByCustomer(customerId: Id): Promise<TicketPrimitives[]> {
    const docs = await this.collection
      .find({ customerId: toObjectId('customerId', customerId) })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    return docs.map(ticketFromDocument);
  }

  /** Served by the `{ conversationId: 1 }` index. */
  async listByConversations(conversationIds: Id[], statuses: TicketStatus[]): Promise<TicketPrimitives[]> {
    const ids = conversationIds.map((id, i) => toObjectId(`conversationIds.${i}`, id));
    const wanted = statuses.map((s, i) => assertEnum(`statuses.${i}`, s, TICKET_STATUSES));
    if (ids.length === 0 || wanted.length === 0) return [];
    const docs = await this.collection
      .find({ conversationId: { $in: ids }, status: { $in: wanted } })
      .toArray();
    return docs.map(ticketFromDocument);
  }

  /** Served by the `{ status: 1, _id: 1 }` index. */
  async scanByStatus(statuses: TicketStatus[], page: ScanPage): Promise<TicketPrimitives[]> {
    const wanted = statuses.map((s, i) => assertEnum(`status.${i}`, s, TICKET_STATUSES));
    const docs = await this.collection
      .find(scanFilter(wanted, page))
      .sort({ _id: 1 })
      .limit(clampLimit(page.limit))
      .toArray();
    return docs.map(ticketFromDocument);
  }

  /** Served by the `{ updatedAt: -1, _id: -1 }` index (range on updatedAt, createdAt filtered). */
  async listActiveBetween(range: DateRange, limit: number): Promise<TicketPrimitives[]> {
    const { from, to } = assertDateRange(range);
    const docs = await this.collection
      .find({ updatedAt: { $gte: from }, createdAt: { $lt: to } })
      .sort({ updatedAt: -1, _id: -1 })
      .limit(clampReportLimit(limit))
      .toArray();
    return docs.map(ticketFromDocument);
  }
}
