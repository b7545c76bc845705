import type { Collection, Db, Document, Filter } from 'mongodb';
import { z } from 'zod';
import type { Page, PageRequest } from '../../application/ports/pagination.js';
import type { AgentFilter, AgentRepository } from '../../application/ports/repositories.js';
import {
  AGENT_ROLES,
  AGENT_STATUSES,
  type AgentPrimitives,
  type AgentStatistics,
  type AgentStatus,
  PERMISSIONS,
} from '../../domain/agent/agent.types.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { assertEnum } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import { COLLECTIONS } from './indexes.js';
import type { MongoCapabilities } from './mongo-client.js';
import {
  assertBoolean,
  assertDate,
  assertString,
  assertVersion,
  assertWritable,
  dropUndefined,
  insertDocument,
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

const ENTITY = 'agent';
const COLLECTION = COLLECTIONS.agents;

const STATISTICS_KEYS = [
  'totalConversations',
  'resolvedConversations',
  'averageResponseTime',
  'currentActiveConversations',
  'responseCount',
] as const satisfies readonly (keyof AgentStatistics)[];

/** The stored shape: the seed names the password hash `password`. */
export const agentDocumentSchema = z.object({
  _id: zObjectId,
  email: z.string(),
  password: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  role: z.enum(AGENT_ROLES),
  status: z.enum(AGENT_STATUSES),
  avatar: opt(z.string()),
  phone: opt(z.string()),
  department: opt(z.string()),
  supervisorId: opt(zObjectId),
  permissions: z.array(z.enum(PERMISSIONS)),
  preferences: z.object({
    language: z.string(),
    timezone: z.string(),
    notifications: z.object({ email: z.boolean(), push: z.boolean(), sound: z.boolean() }),
    autoAssignment: z.boolean(),
  }),
  statistics: z.object({
    totalConversations: z.number(),
    resolvedConversations: z.number(),
    averageResponseTime: z.number(),
    currentActiveConversations: z.number(),
    responseCount: opt(z.number()),
  }),
  lastLogin: opt(zDate),
  lastActivity: opt(zDate),
  isActive: z.boolean(),
  createdAt: zDate,
  updatedAt: zDate,
  version: z.number().int().min(0).default(0),
});

const KEYS = Object.keys(agentDocumentSchema.shape);

export function agentToDocument(agent: AgentPrimitives): Document & { _id: ReturnType<typeof toObjectId> } {
  const { id, passwordHash, supervisorId, ...rest } = agent;
  const doc = dropUndefined({
    ...rest,
    _id: toObjectId('id', id),
    password: passwordHash,
    supervisorId: toOptionalObjectId('supervisorId', supervisorId),
  });
  assertWritable(agentDocumentSchema, doc);
  return doc;
}

export function agentFromDocument(doc: Document): AgentPrimitives {
  const { _id, password, ...rest } = readDocument(COLLECTION, agentDocumentSchema, doc);
  return { ...rest, id: _id, passwordHash: password };
}

export class MongoAgentRepository implements AgentRepository {
  private readonly collection: Collection;
  private readonly guard: WriteGuard;

  constructor(db: Db, capabilities: Pick<MongoCapabilities, 'atomicUpdates'>) {
    this.collection = db.collection(COLLECTION);
    this.guard = writeGuardFor(db, capabilities);
  }

  private uniqueKeys(doc: Document): UniqueKey[] {
    return [{ field: 'email', path: 'email', value: doc.email }];
  }

  async insert(agent: AgentPrimitives): Promise<void> {
    const doc = agentToDocument(agent);
    await insertDocument(this.collection, ENTITY, doc, this.uniqueKeys(doc));
  }

  async findById(id: Id): Promise<AgentPrimitives | null> {
    const doc = await this.collection.findOne({ _id: toObjectId('id', id) });
    return doc ? agentFromDocument(doc) : null;
  }

  async findByEmail(email: string): Promise<AgentPrimitives | null> {
    const wanted = assertString('email', email).trim().toLowerCase();
    const doc = await this.collection.findOne({ email: wanted });
    return doc ? agentFromDocument(doc) : null;
  }

  async update(agent: AgentPrimitives): Promise<AgentPrimitives> {
    const version = assertVersion(agent.version);
    const doc = agentToDocument(agent);
    return updateVersioned({
      collection: this.collection,
      guard: this.guard,
      entity: ENTITY,
      keys: KEYS,
      doc,
      version,
      uniqueKeys: this.uniqueKeys(doc),
      read: agentFromDocument,
      preserve: ['statistics'],
    });
  }

  async list(filter: AgentFilter, page: PageRequest): Promise<Page<AgentPrimitives>> {
    const clauses: Filter<Document>[] = [];
    if (filter.role !== undefined) clauses.push({ role: assertEnum('role', filter.role, AGENT_ROLES) });
    if (filter.status !== undefined) {
      clauses.push({ status: assertEnum('status', filter.status, AGENT_STATUSES) });
    }
    if (filter.isActive !== undefined) clauses.push({ isActive: assertBoolean('isActive', filter.isActive) });
    return keysetPage(this.collection, clauses, 'createdAt', page, agentFromDocument, (a) => a.createdAt);
  }

  async listOnline(): Promise<AgentPrimitives[]> {
    const docs = await this.collection
      .find({ isActive: true, status: 'online' })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    return docs.map(agentFromDocument);
  }

  async listSupervisors(): Promise<AgentPrimitives[]> {
    const docs = await this.collection
      .find({ isActive: true, role: { $in: ['supervisor', 'admin'] } })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    return docs.map(agentFromDocument);
  }

  count(): Promise<number> {
    return this.collection.countDocuments({});
  }

  async setStatistics(id: Id, fields: Partial<AgentStatistics>): Promise<void> {
    const _id = toObjectId('id', id);
    const set = statisticsIncrement(fields, STATISTICS_KEYS);
    const result = await this.guard.exclusive(COLLECTION, id, async () =>
      Object.keys(set).length > 0
        ? this.collection.updateOne({ _id }, { $set: set })
        : { matchedCount: await this.collection.countDocuments({ _id }, { limit: 1 }) },
    );
    if (result.matchedCount === 0) throw new NotFoundError(ENTITY, id);
  }

  async incrementStatistics(id: Id, delta: Partial<Record<keyof AgentStatistics, number>>): Promise<void> {
    const _id = toObjectId('id', id);
    const inc = statisticsIncrement(delta, STATISTICS_KEYS);
    const result = await this.guard.exclusive(COLLECTION, id, async () =>
      Object.keys(inc).length > 0
        ? this.collection.updateOne({ _id }, { $inc: inc })
        : { matchedCount: await this.collection.countDocuments({ _id }, { limit: 1 }) },
    );
    if (result.matchedCount === 0) throw new NotFoundError(ENTITY, id);
  }

  async reserveConversationSlot(id: Id, max: number): Promise<boolean> {
    const _id = toObjectId('id', id);
    if (typeof max !== 'number' || !Number.isFinite(max))
      throw new ValidationError('max', 'must be a number');
    const result = await this.guard.exclusive(COLLECTION, id, () =>
      this.collection.updateOne(
        { _id, 'statistics.currentActiveConversations': { $lt: max } },
        { $inc: { 'statistics.currentActiveConversations': 1 } },
      ),
    );
    if (result.modifiedCount === 1) return true;
    if ((await this.collection.countDocuments({ _id }, { limit: 1 })) === 0)
      throw new NotFoundError(ENTITY, id);
    return false;
  }

  async releaseConversationSlot(id: Id): Promise<void> {
    const _id = toObjectId('id', id);
    const result = await this.guard.exclusive(COLLECTION, id, () =>
      this.collection.updateOne(
        { _id, 'statistics.currentActiveConversations': { $gt: 0 } },
        { $inc: { 'statistics.currentActiveConversations': -1 } },
      ),
    );
    if (result.matchedCount === 0 && (await this.collection.countDocuments({ _id }, { limit: 1 })) === 0) {
      throw new NotFoundError(ENTITY, id);
    }
  }

  async touch(
    id: Id,
    fields: { status?: AgentStatus; lastActivity?: Date; lastLogin?: Date },
  ): Promise<void> {
    const _id = toObjectId('id', id);
    const set: Document = {};
    if (fields.status !== undefined) set.status = assertEnum('status', fields.status, AGENT_STATUSES);
    if (fields.lastActivity !== undefined) set.lastActivity = assertDate('lastActivity', fields.lastActivity);
    if (fields.lastLogin !== undefined) set.lastLogin = assertDate('lastLogin', fields.lastLogin);
    const result = await this.guard.exclusive(COLLECTION, id, async () =>
      Object.keys(set).length > 0
        ? this.collection.updateOne({ _id }, { $set: set })
        : { matchedCount: await this.collection.countDocuments({ _id }, { limit: 1 }) },
    );
    if (result.matchedCount === 0) throw new NotFoundError(ENTITY, id);
  }
}
