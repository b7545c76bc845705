import type { Collection, Db, Document, ObjectId } from 'mongodb';
import { z } from 'zod';
import type { Page, PageRequest } from '../../application/ports/pagination.js';
import type { ActivityLogRepository } from '../../application/ports/repositories.js';
import {
  ACTIVITY_ACTIONS,
  type ActivityLogPrimitives,
  ENTITY_TYPES,
  type EntityType,
} from '../../domain/activity/activity.types.js';
import { assertEnum } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import { COLLECTIONS } from './indexes.js';
import {
  assertWritable,
  dropUndefined,
  insertDocument,
  keysetPage,
  opt,
  readDocument,
  toObjectId,
  toOptionalObjectId,
  zDate,
  zObjectId,
} from './mongo-common.js';

const ENTITY = 'activity';
const COLLECTION = COLLECTIONS.activityLogs;

export const activityDocumentSchema = z.object({
  _id: zObjectId,
  entityType: z.enum(ENTITY_TYPES),
  entityId: zObjectId,
  action: z.enum(ACTIVITY_ACTIONS),
  performedBy: opt(zObjectId),
  details: z.object({
    before: opt(z.record(z.string(), z.unknown())),
    after: opt(z.record(z.string(), z.unknown())),
    changes: z.array(z.string()).default([]),
    reason: opt(z.string()),
  }),
  ipAddress: opt(z.string()),
  userAgent: opt(z.string()),
  timestamp: zDate,
});

export function activityToDocument(entry: ActivityLogPrimitives): Document & { _id: ObjectId } {
  const { id, ...rest } = entry;
  const doc = dropUndefined({
    ...rest,
    _id: toObjectId('id', id),
    entityId: toObjectId('entityId', entry.entityId),
    performedBy: toOptionalObjectId('performedBy', entry.performedBy),
  });
  assertWritable(activityDocumentSchema, doc);
  return doc;
}

export function activityFromDocument(doc: Document): ActivityLogPrimitives {
  const { _id, ...rest } = readDocument(COLLECTION, activityDocumentSchema, doc);
  return { ...rest, id: _id };
}

export class MongoActivityLogRepository implements ActivityLogRepository {
  private readonly collection: Collection;

  constructor(db: Db) {
    this.collection = db.collection(COLLECTION);
  }

  async append(entry: ActivityLogPrimitives): Promise<void> {
    const doc = activityToDocument(entry);
    await insertDocument(this.collection, ENTITY, doc);
  }

  /** One unordered `insertMany`. */
  async appendMany(entries: ActivityLogPrimitives[]): Promise<void> {
    if (entries.length === 0) return;
    await this.collection.insertMany(entries.map(activityToDocument), { ordered: false });
  }

  listByEntity(
    entityType: EntityType,
    entityId: Id,
    page: PageRequest,
  ): Promise<Page<ActivityLogPrimitives>> {
    const clauses = [
      {
        entityType: assertEnum('entityType', entityType, ENTITY_TYPES),
        entityId: toObjectId('entityId', entityId),
      },
    ];
    return keysetPage(this.collection, clauses, 'timestamp', page, activityFromDocument, (e) => e.timestamp);
  }

  listByAgent(agentId: Id, page: PageRequest): Promise<Page<ActivityLogPrimitives>> {
    const clauses = [{ performedBy: toObjectId('agentId', agentId) }];
    return keysetPage(this.collection, clauses, 'timestamp', page, activityFromDocument, (e) => e.timestamp);
  }
}
