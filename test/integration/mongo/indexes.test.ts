/**
 * The MongoDB adapters' schema side on a real server (FerretDB v1.24 by default, or MONGODB_URI):
 * capability detection, the indexes of the schema design, and the boundary checks that refuse bad
 * input before anything reaches the driver.
 */
import { Collection, type Document, ObjectId } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../../src/domain/shared/errors.js';
import {
  COLLECTION_NAMES,
  COLLECTIONS,
  ensureIndexes,
  INDEX_SPECS,
  type IndexKey,
  indexName,
  sameKey,
} from '../../../src/infrastructure/mongo/indexes.js';
import {
  databaseNameFromUri,
  detectCapabilities,
  type MongoCapabilities,
} from '../../../src/infrastructure/mongo/mongo-client.js';
import { InvalidDocumentError } from '../../../src/infrastructure/mongo/mongo-common.js';
import { createMongoRepositories } from '../../../src/infrastructure/mongo/mongo-repositories.js';
import { connectTestDb, type TestDb, testMongoServer } from '../../support/mongo.js';
import {
  agentRecord,
  conversationRecord,
  customerRecord,
  messageRecord,
  newId,
  sessionRecord,
  ticketRecord,
} from '../../support/records.js';

interface SeedIndex {
  collection: string;
  key: IndexKey;
  unique?: boolean;
  text?: boolean;
}

/**
 * Every index of the schema design (/work/shared/seed: the `createIndex` lines, plus field-level
 * `unique: true` / `index: true` declarations no listed index starts with), written out here
 * independently of INDEX_SPECS so that dropping one from the code fails this test.
 */
const SEED_INDEXES: SeedIndex[] = [
  { collection: 'agents', key: { email: 1 }, unique: true },
  { collection: 'agents', key: { status: 1 } },
  { collection: 'agents', key: { role: 1 } },
  { collection: 'agents', key: { isActive: 1 } },
  { collection: 'customers', key: { phoneNumber: 1 }, unique: true },
  { collection: 'customers', key: { email: 1 } },
  { collection: 'customers', key: { tags: 1 } },
  { collection: 'customers', key: { segment: 1 } },
  { collection: 'customers', key: { status: 1 } },
  { collection: 'customers', key: { lastInteraction: -1 } },
  {
    collection: 'customers',
    key: { firstName: 'text', lastName: 'text', phoneNumber: 'text', email: 'text' },
    text: true,
  },
  { collection: 'conversations', key: { customerId: 1 } },
  { collection: 'conversations', key: { assignedAgent: 1 } },
  { collection: 'conversations', key: { status: 1 } },
  { collection: 'conversations', key: { priority: 1 } },
  { collection: 'conversations', key: { category: 1 } },
  { collection: 'conversations', key: { createdAt: -1 } },
  { collection: 'conversations', key: { updatedAt: -1 } },
  { collection: 'conversations', key: { tags: 1 } },
  { collection: 'conversations', key: { status: 1, assignedAgent: 1 } },
  { collection: 'messages', key: { conversationId: 1, timestamp: -1 } },
  { collection: 'messages', key: { customerId: 1, timestamp: -1 } },
  { collection: 'messages', key: { direction: 1, timestamp: -1 } },
  { collection: 'messages', key: { status: 1 } },
  { collection: 'messages', key: { whatsappMessageId: 1 }, unique: true },
  { collection: 'messages', key: { type: 1 } },
  { collection: 'messages', key: { timestamp: 1 } },
  { collection: 'messages', key: { content: 'text' }, text: true },
  { collection: 'tickets', key: { ticketId: 1 }, unique: true },
  { collection: 'tickets', key: { customerId: 1, createdAt: -1 } },
  { collection: 'tickets', key: { assignedAgent: 1, status: 1 } },
  { collection: 'tickets', key: { category: 1, status: 1 } },
  { collection: 'tickets', key: { priority: 1, status: 1 } },
  { collection: 'tickets', key: { createdAt: -1 } },
  { collection: 'tickets', key: { status: 1, updatedAt: -1 } },
  { collection: 'tickets', key: { tags: 1 } },
  { collection: 'tickets', key: { conversationId: 1 } },
  { collection: 'tickets', key: { subject: 'text', description: 'text' }, text: true },
  { collection: 'systemsettings', key: { key: 1 }, unique: true },
  { collection: 'activitylogs', key: { entityType: 1, entityId: 1, timestamp: -1 } },
  { collection: 'activitylogs', key: { performedBy: 1, timestamp: -1 } },
  { collection: 'activitylogs', key: { action: 1, timestamp: -1 } },
  { collection: 'activitylogs', key: { entityId: 1 } },
  { collection: 'activitylogs', key: { timestamp: 1 } },
];

/** The indexes our own queries need (keyset paging, de-duplication, sessions). */
const QUERY_INDEXES: SeedIndex[] = [
  { collection: 'conversations', key: { status: 1, assignedAgent: 1, updatedAt: -1, _id: -1 } },
  { collection: 'conversations', key: { updatedAt: -1, _id: -1 } },
  { collection: 'messages', key: { conversationId: 1, timestamp: -1, _id: -1 } },
  { collection: 'messages', key: { idempotencyScope: 1 }, unique: true },
  { collection: 'tickets', key: { status: 1, updatedAt: -1, _id: -1 } },
  { collection: 'customers', key: { updatedAt: -1, _id: -1 } },
  { collection: 'agents', key: { createdAt: -1, _id: -1 } },
  { collection: 'activitylogs', key: { entityType: 1, entityId: 1, timestamp: -1, _id: -1 } },
  { collection: 'activitylogs', key: { performedBy: 1, timestamp: -1, _id: -1 } },
  { collection: 'conversationthreads', key: { conversationId: 1, isActive: 1, createdAt: -1, _id: -1 } },
  { collection: 'sessions', key: { tokenHash: 1 }, unique: true },
  { collection: 'sessions', key: { expiresAt: 1 } },
  { collection: 'sessions', key: { agentId: 1 } },
];

const quietLog = () => ({ warn: vi.fn(), info: vi.fn() });

async function indexesOf(t: TestDb, collection: string): Promise<Document[]> {
  return t.db.collection(collection).listIndexes().toArray();
}

function findIndex(indexes: Document[], index: SeedIndex): Document | undefined {
  return indexes.find((ix) => sameKey(ix.key, index.key));
}

/** Text indexes are listed by MongoDB as `{ _fts: 'text', _ftsx: 1 }` with the fields in `weights`. */
function findTextIndex(indexes: Document[], index: SeedIndex): Document | undefined {
  const fields = Object.keys(index.key).sort();
  return indexes.find(
    (ix) =>
      ix.key?._fts === 'text' &&
      JSON.stringify(Object.keys(ix.weights ?? {}).sort()) === JSON.stringify(fields),
  );
}

describe('MongoDB capabilities', () => {
  let t: TestDb;
  let capabilities: MongoCapabilities;

  beforeAll(async () => {
    t = await connectTestDb();
    capabilities = await detectCapabilities(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are probed once per database and cached', async () => {
    expect(detectCapabilities(t.db)).toBe(detectCapabilities(t.db));
    expect(await detectCapabilities(t.db)).toBe(capabilities);
  });

  it('leave no probe collections behind', async () => {
    const names = (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('_capability_probe'))).toEqual([]);
  });

  it('report the server and what it supports', () => {
    expect(capabilities.version).toMatch(/\d+\.\d+/);
    // Message de-duplication depends on this on every server.
    expect(capabilities.sparseUniqueIndexes).toBe(true);
    if (testMongoServer() === 'ferretdb') {
      expect(capabilities).toMatchObject({
        server: 'ferretdb',
        textSearch: false,
        partialIndexes: false,
        ttlIndexes: false,
        transactions: false,
        secondaries: false,
        atomicUpdates: false,
      });
    } else if (capabilities.server === 'mongodb') {
      expect(capabilities).toMatchObject({
        textSearch: true,
        partialIndexes: true,
        ttlIndexes: true,
        atomicUpdates: true,
      });
    }
  });
});

describe('ensureIndexes', () => {
  let t: TestDb;
  let capabilities: MongoCapabilities;
  let log: ReturnType<typeof quietLog>;
  let firstRun: Awaited<ReturnType<typeof ensureIndexes>>;

  beforeAll(async () => {
    t = await connectTestDb();
    capabilities = await detectCapabilities(t.db);
    log = quietLog();
    firstRun = await ensureIndexes(t.db, capabilities, log);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is idempotent: a second run succeeds and leaves the same indexes', async () => {
    const before = new Map<string, string[]>();
    for (const name of COLLECTION_NAMES) {
      before.set(name, (await indexesOf(t, name)).map((ix) => `${ix.name}:${JSON.stringify(ix.key)}`).sort());
    }

    const secondRun = await ensureIndexes(t.db, capabilities, quietLog());

    expect(secondRun).toEqual(firstRun);
    for (const name of COLLECTION_NAMES) {
      const after = (await indexesOf(t, name)).map((ix) => `${ix.name}:${JSON.stringify(ix.key)}`).sort();
      expect(after, name).toEqual(before.get(name));
    }
  });

  it('creates every index of the schema design, with its field order, unique ones unique', async () => {
    for (const seed of SEED_INDEXES.filter((s) => !s.text)) {
      const found = findIndex(await indexesOf(t, seed.collection), seed);
      expect(found, `${seed.collection} ${JSON.stringify(seed.key)}`).toBeDefined();
      expect(Boolean(found?.unique), `${seed.collection} ${JSON.stringify(seed.key)} unique`).toBe(
        Boolean(seed.unique),
      );
    }
  });

  it('creates the indexes the adapters query by', async () => {
    for (const index of QUERY_INDEXES) {
      const found = findIndex(await indexesOf(t, index.collection), index);
      expect(found, `${index.collection} ${JSON.stringify(index.key)}`).toBeDefined();
      expect(Boolean(found?.unique), `${index.collection} ${JSON.stringify(index.key)} unique`).toBe(
        Boolean(index.unique),
      );
    }
  });

  it('names each index like MongoDB would, the same on every server', async () => {
    for (const spec of INDEX_SPECS.filter((s) => s.kind !== 'text')) {
      const found = findIndex(await indexesOf(t, spec.collection), {
        collection: spec.collection,
        key: spec.key,
      });
      expect(found?.name).toBe(indexName(spec.key));
    }
  });

  it('creates the text indexes only where there is text search, else warns once about the fallback', async () => {
    const textSeeds = SEED_INDEXES.filter((s) => s.text);
    for (const seed of textSeeds) {
      const found = findTextIndex(await indexesOf(t, seed.collection), seed);
      if (capabilities.textSearch) {
        expect(found, `${seed.collection} text index`).toBeDefined();
      } else {
        expect(found, `${seed.collection} text index`).toBeUndefined();
      }
    }
    if (capabilities.textSearch) {
      expect(log.warn).not.toHaveBeenCalled();
      expect(firstRun.skipped).toEqual([]);
    } else {
      expect(log.warn).toHaveBeenCalledTimes(1);
      expect(log.warn.mock.calls[0]![1]).toMatch(/anchored case-insensitive prefix match/);
      expect(firstRun.skipped).toHaveLength(textSeeds.length);
    }
  });

  it('expires sessions with a TTL index where the server has them, else keeps a plain index for the sweep', async () => {
    const found = findIndex(await indexesOf(t, 'sessions'), {
      collection: 'sessions',
      key: { expiresAt: 1 },
    });
    if (capabilities.ttlIndexes) {
      expect(found?.expireAfterSeconds).toBe(0);
    } else {
      expect(found?.expireAfterSeconds).toBeUndefined();
      expect(log.info).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/no TTL indexes/));
    }
  });

  it('can limit itself to some collections', async () => {
    const other = await connectTestDb();
    try {
      await ensureIndexes(other.db, capabilities, quietLog(), { collections: [COLLECTIONS.sessions] });
      const names = (await other.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      expect(names).toEqual(['sessions']);
    } finally {
      await other.close();
    }
  });

  it('refuses to run on a server that cannot enforce unique-where-present keys', async () => {
    await expect(
      ensureIndexes(t.db, { ...capabilities, sparseUniqueIndexes: false }, quietLog()),
    ).rejects.toThrow(/sparse unique/);
  });
});

describe('the adapters at the boundary', () => {
  let t: TestDb;
  let repos: ReturnType<typeof createMongoRepositories>;
  const driverCalls = () =>
    [
      vi.spyOn(Collection.prototype, 'insertOne'),
      vi.spyOn(Collection.prototype, 'findOne'),
      vi.spyOn(Collection.prototype, 'find'),
      vi.spyOn(Collection.prototype, 'updateOne'),
      vi.spyOn(Collection.prototype, 'findOneAndUpdate'),
      vi.spyOn(Collection.prototype, 'deleteOne'),
      vi.spyOn(Collection.prototype, 'deleteMany'),
      vi.spyOn(Collection.prototype, 'countDocuments'),
    ] as const;
  let spies: ReturnType<typeof driverCalls>;
  const driverTouched = () => spies.some((spy) => spy.mock.calls.length > 0);

  beforeAll(async () => {
    t = await connectTestDb();
    const capabilities = await detectCapabilities(t.db);
    await ensureIndexes(t.db, capabilities, quietLog());
    repos = createMongoRepositories(t.db, capabilities, quietLog());
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    spies = driverCalls();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const refusedBeforeDriver = async (action: () => Promise<unknown>, field: RegExp | string) => {
    const error = await action().then(
      () => expect.fail('expected a ValidationError'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toMatch(field);
    expect(driverTouched()).toBe(false);
  };

  it('refuses a document with a $-prefixed tag value', async () => {
    await refusedBeforeDriver(
      () => repos.customers.insert(customerRecord({ tags: ['vip', '$where'] })),
      /^tags/,
    );
    await refusedBeforeDriver(
      () => repos.conversations.insert(conversationRecord({ tags: ['$gt'] })),
      /^tags/,
    );
    await refusedBeforeDriver(() => repos.tickets.insert(ticketRecord({ tags: ['$ne'] })), /^tags/);
  });

  it('refuses tag filters that are not plain strings', async () => {
    const operator = { $ne: 'x' } as unknown as string;
    await refusedBeforeDriver(() => repos.customers.list({ tags: [operator] }, { limit: 10 }), /^tags/);
    await refusedBeforeDriver(() => repos.conversations.list({ tags: ['$exists'] }, { limit: 10 }), /^tags/);
    await refusedBeforeDriver(() => repos.tickets.list({ tags: [operator] }, { limit: 10 }), /^tags/);
  });

  it('refuses lookups and filters whose values are not the type of their field', async () => {
    const operator = { $gt: '' } as unknown as string;
    await refusedBeforeDriver(() => repos.agents.findByEmail(operator), 'email');
    await refusedBeforeDriver(() => repos.customers.findByPhone(operator), 'phoneNumber');
    await refusedBeforeDriver(() => repos.messages.findByWhatsappId(operator), 'whatsappMessageId');
    await refusedBeforeDriver(() => repos.sessions.findByTokenHash(operator), 'tokenHash');
    await refusedBeforeDriver(() => repos.customers.list({ search: operator }, { limit: 10 }), 'search');
    await refusedBeforeDriver(
      () => repos.conversations.list({ status: ['open', operator as never] }, { limit: 10 }),
      /^status/,
    );
  });

  it('refuses custom field names that MongoDB would read as operators or paths', async () => {
    await refusedBeforeDriver(
      () => repos.customers.insert(customerRecord({ customFields: { $set: 'x' } })),
      /customFields/,
    );
    await refusedBeforeDriver(
      () => repos.customers.insert(customerRecord({ customFields: { 'a.b': 'x' } })),
      /customFields/,
    );
  });

  it('refuses malformed ids, in records and in arguments', async () => {
    await refusedBeforeDriver(() => repos.agents.findById('not-an-id'), 'id');
    await refusedBeforeDriver(
      () => repos.agents.insert(agentRecord({ id: 'ABCDEF0123456789ABCDEF01' })),
      'id',
    );
    await refusedBeforeDriver(
      () => repos.conversations.insert(conversationRecord({ customerId: 'x' })),
      'customerId',
    );
    await refusedBeforeDriver(() => repos.messages.insert(messageRecord({ agentId: '1234' })), 'agentId');
    await refusedBeforeDriver(() => repos.sessions.insert(sessionRecord({ agentId: 'nope' })), 'agentId');
    await refusedBeforeDriver(() => repos.agents.reserveConversationSlot('{"$gt":""}', 3), 'id');
  });

  it('lets a string that merely starts with $ through where it is data, not a tag', async () => {
    const agent = agentRecord({ passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' });
    await repos.agents.insert(agent);
    expect(await repos.agents.findById(agent.id)).toEqual(agent);
  });

  it('reports a malformed stored document naming the collection and the id', async () => {
    vi.restoreAllMocks();
    const _id = new ObjectId();
    await t.db.collection('agents').insertOne({ ...agentRecord(), id: undefined, _id, role: 'overlord' });

    const error = await repos.agents.findById(_id.toHexString()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidDocumentError);
    expect((error as Error).message).toContain('"agents"');
    expect((error as Error).message).toContain(_id.toHexString());
    expect((error as Error).message).toContain('role');
  });

  it('stores references as ObjectIds and never writes null for absent fields', async () => {
    vi.restoreAllMocks();
    const conversation = conversationRecord({ assignedAgent: newId() });
    await repos.conversations.insert(conversation);

    const raw = await t.db.collection('conversations').findOne({ _id: new ObjectId(conversation.id) });

    expect(raw?.customerId).toBeInstanceOf(ObjectId);
    expect(raw?.assignedAgent).toBeInstanceOf(ObjectId);
    expect(raw).not.toHaveProperty('resolvedAt');
    expect(Object.values(raw ?? {})).not.toContain(null);
  });

  it('releases every write lock it takes', async () => {
    vi.restoreAllMocks();
    const agent = agentRecord();
    await repos.agents.insert(agent);
    await Promise.all(
      Array.from({ length: 10 }, () => repos.agents.incrementStatistics(agent.id, { totalConversations: 1 })),
    );
    expect((await repos.agents.findById(agent.id))?.statistics.totalConversations).toBe(10);
    await Promise.all(
      [repos.agents.update(agent), repos.agents.update(agent)].map((p) => p.catch(() => null)),
    );
    await repos.agents.reserveConversationSlot(agent.id, 5);

    expect(await t.db.collection(COLLECTIONS.documentLocks).countDocuments({})).toBe(0);
  });

  it('sweeps expired sessions on demand (servers without TTL indexes)', async () => {
    vi.restoreAllMocks();
    const expired = sessionRecord({ expiresAt: new Date('2025-01-01T00:00:00Z') });
    const current = sessionRecord({ expiresAt: new Date('2025-01-03T00:00:00Z') });
    await repos.sessions.insert(expired);
    await repos.sessions.insert(current);

    expect(await repos.sessions.deleteExpired(new Date('2025-01-02T00:00:00Z'))).toBe(1);

    expect(await repos.sessions.findByTokenHash(expired.tokenHash)).toBeNull();
    expect(await repos.sessions.findByTokenHash(current.tokenHash)).toEqual(current);
  });
});

describe('databaseNameFromUri', () => {
  it('reads the database from the URI path, if any', () => {
    expect(databaseNameFromUri('mongodb://127.0.0.1:27017/crm?retryWrites=true')).toBe('crm');
    expect(databaseNameFromUri('mongodb+srv://u:p@cluster0.example.net/prod_crm')).toBe('prod_crm');
    expect(databaseNameFromUri('mongodb://a:1,b:2/?replicaSet=rs0')).toBeUndefined();
    expect(databaseNameFromUri('mongodb://127.0.0.1:27017')).toBeUndefined();
  });
});
