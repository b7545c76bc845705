import type { Collection, Db, Document } from 'mongodb';
import { z } from 'zod';
import type { SessionRecord, SessionRepository } from '../../application/ports/repositories.js';
import type { Id } from '../../domain/shared/ids.js';
import { COLLECTIONS } from './indexes.js';
import {
  assertDate,
  assertString,
  assertWritable,
  dropUndefined,
  opt,
  readDocument,
  toObjectId,
  translateDuplicates,
  zDate,
  zObjectId,
} from './mongo-common.js';

const ENTITY = 'session';
const COLLECTION = COLLECTIONS.sessions;

/** `_id` is the driver's own ObjectId; sessions are found by `tokenHash` (unique). */
export const sessionDocumentSchema = z.object({
  tokenHash: z.string().min(1),
  agentId: zObjectId,
  createdAt: zDate,
  expiresAt: zDate,
  ipAddress: opt(z.string()),
  userAgent: opt(z.string()),
});

export function sessionToDocument(session: SessionRecord): Document {
  const doc = dropUndefined({ ...session, agentId: toObjectId('agentId', session.agentId) });
  assertWritable(sessionDocumentSchema, doc);
  return doc;
}

export function sessionFromDocument(doc: Document): SessionRecord {
  return readDocument(COLLECTION, sessionDocumentSchema, doc);
}

/**
 * Sessions expire through the TTL index on `expiresAt` where the server has TTL indexes. Where it
 * does not (FerretDB v1), expired sessions are refused and deleted when presented (the authenticate
 * use case does this) and `deleteExpired` sweeps the ones never presented again.
 */
export class MongoSessionRepository implements SessionRepository {
  private readonly collection: Collection;

  constructor(db: Db) {
    this.collection = db.collection(COLLECTION);
  }

  async insert(session: SessionRecord): Promise<void> {
    const doc = sessionToDocument(session);
    await translateDuplicates(
      () => this.collection.insertOne(doc),
      this.collection,
      ENTITY,
      [{ field: 'tokenHash', path: 'tokenHash', value: doc.tokenHash }],
      {},
    );
  }

  async findByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const doc = await this.collection.findOne({ tokenHash: assertString('tokenHash', tokenHash) });
    return doc ? sessionFromDocument(doc) : null;
  }

  async delete(tokenHash: string): Promise<void> {
    await this.collection.deleteOne({ tokenHash: assertString('tokenHash', tokenHash) });
  }

  async deleteByAgent(agentId: Id): Promise<number> {
    const result = await this.collection.deleteMany({ agentId: toObjectId('agentId', agentId) });
    return result.deletedCount;
  }

  /** Deletes sessions that expired at or before `now` (housekeeping where there is no TTL index). */
  async deleteExpired(now: Date): Promise<number> {
    const result = await this.collection.deleteMany({ expiresAt: { $lte: assertDate('now', now) } });
    return result.deletedCount;
  }
}
