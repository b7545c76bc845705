/**
 * The migrations on a real server (FerretDB v1.24 by default, or MONGODB_URI):
 * phase 1 (`runInitialSchema`: collections, indexes, settings, first admin, migrations record) and
 * phase 2 (`migrateUserThreads`: the bot's userthreads into customers, conversations and
 * conversationthreads), including interrupted runs, dry runs and the guarded drop of the source.
 *
 * The expected outcome of phase 2 is computed from the generated data set itself (the E.164 form of
 * every phone is written down when the data is generated), not by the code under test.
 */
import { randomBytes } from 'node:crypto';
import { type Db, type Document, ObjectId } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnsureFirstAdmin } from '../../../src/application/auth/ensure-first-admin.js';
import type { Clock, IdGenerator } from '../../../src/application/ports/gateways.js';
import { testConfig } from '../../../src/infrastructure/config.js';
import { createContainer } from '../../../src/infrastructure/container.js';
import { COLLECTION_NAMES, COLLECTIONS, ensureIndexes } from '../../../src/infrastructure/mongo/indexes.js';
import {
  CURRENT_SCHEMA_VERSION,
  runInitialSchema,
} from '../../../src/infrastructure/mongo/migrations/initial-schema.js';
import { MIGRATION_IDS, MigrationLog } from '../../../src/infrastructure/mongo/migrations/migration-log.js';
import {
  dropUserThreads,
  migrateUserThreads,
  type UserThreadMigrationOptions,
  type UserThreadStage,
  verifyUserThreads,
} from '../../../src/infrastructure/mongo/migrations/userthreads.js';
import {
  detectCapabilities,
  type MongoCapabilities,
} from '../../../src/infrastructure/mongo/mongo-client.js';
import { customerFromDocument } from '../../../src/infrastructure/mongo/mongo-customer-repository.js';
import {
  createMongoRepositories,
  type MongoRepositories,
} from '../../../src/infrastructure/mongo/mongo-repositories.js';
import { TOKENS } from '../../../src/infrastructure/tokens.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';
import { agentRecord, conversationRecord, customerRecord } from '../../support/records.js';

const quietLog = () => ({ warn: vi.fn(), info: vi.fn() });

let t: TestDb;
let capabilities: MongoCapabilities;

beforeEach(async () => {
  t = await connectTestDb();
  capabilities = await detectCapabilities(t.db);
});
afterEach(async () => {
  await t?.close();
});

// ---------------------------------------------------------------------------------------------
// Phase 1

describe('migrate up (phase 1)', () => {
  const ADMIN_EMAIL = 'root@example.com';

  function phase1(db: Db, env: Record<string, string> = {}) {
    const config = testConfig(env);
    const repositories = createMongoRepositories(db, capabilities, quietLog());
    const container = createContainer(config, { repositories });
    return runInitialSchema({
      db,
      capabilities,
      settings: repositories.settings,
      ensureFirstAdmin: () =>
        container.resolve<EnsureFirstAdmin>(TOKENS.EnsureFirstAdmin).execute({
          ...(config.admin.email ? { email: config.admin.email } : {}),
          ...(config.admin.password ? { password: config.admin.password } : {}),
        }),
      clock: container.resolve<Clock>(TOKENS.Clock),
      ids: container.resolve<IdGenerator>(TOKENS.IdGenerator),
      log: quietLog(),
    });
  }

  /** Everything phase 1 writes, in a comparable form. */
  async function snapshot(db: Db) {
    const collections = (await db.listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .sort();
    const indexes: Record<string, string[]> = {};
    for (const name of COLLECTION_NAMES) {
      indexes[name] = (await db.collection(name).listIndexes().toArray())
        .map((ix) => `${ix.name}:${JSON.stringify(ix.key)}:${ix.unique === true}`)
        .sort();
    }
    const settings = await db.collection(COLLECTIONS.systemSettings).find({}).sort({ key: 1 }).toArray();
    const agents = await db.collection(COLLECTIONS.agents).find({}).toArray();
    const migrations = await db.collection(COLLECTIONS.migrations).find({}).toArray();
    return { collections, indexes, settings, agents, migrations };
  }

  it('creates every collection, index, default setting, the admin and the migrations record', async () => {
    const result = await phase1(t.db, { ADMIN_EMAIL, ADMIN_PASSWORD: 'a-very-long-password-1' });

    expect(result.changed).toBe(true);
    expect(result.collections.created.sort()).toEqual([...COLLECTION_NAMES].sort());
    const existing = new Set(
      (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name),
    );
    for (const name of COLLECTION_NAMES) expect(existing.has(name), name).toBe(true);
    expect(result.indexes.created.length).toBeGreaterThan(40);
    expect(result.indexes.existing).toBe(0);
    const phone = (await t.db.collection(COLLECTIONS.customers).listIndexes().toArray()).find(
      (ix) => ix.name === 'phoneNumber_1',
    );
    expect(phone?.unique).toBe(true);

    const keys = (await t.db.collection(COLLECTIONS.systemSettings).find({}).toArray()).map((s) => s.key);
    expect(keys).toEqual(
      expect.arrayContaining(['default_phone_region', 'business_hours', 'schema_version']),
    );
    expect(result.settings.inserted.sort()).toEqual([...keys].sort());
    expect(result.schemaVersion.after).toBe(CURRENT_SCHEMA_VERSION);

    expect(result.admin).toMatchObject({ created: true, email: ADMIN_EMAIL });
    expect(result.admin.created && result.admin.generatedPassword).toBeUndefined();
    const admins = await t.db.collection(COLLECTIONS.agents).find({}).toArray();
    expect(admins).toHaveLength(1);
    expect(admins[0]).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });

    const record = await new MigrationLog(t.db).get(MIGRATION_IDS.initialSchema);
    expect(record?.appliedAt).toBeInstanceOf(Date);
    expect(record?.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(record?.changes).toHaveLength(1);
  });

  it('run twice: the second run changes nothing and reports nothing to do', async () => {
    const first = await phase1(t.db);
    expect(first.admin.created && first.admin.generatedPassword).toMatch(/^\S{20,}$/);
    const before = await snapshot(t.db);

    const second = await phase1(t.db);

    expect(second.changed).toBe(false);
    expect(second.collections).toEqual({ created: [], existing: COLLECTION_NAMES.length });
    expect(second.indexes.created).toEqual([]);
    expect(second.indexes.existing).toBe(first.indexes.created.length);
    expect(second.settings).toEqual({ inserted: [], present: first.settings.inserted.length });
    expect(second.admin).toEqual({ created: false });
    expect(second.appliedAt).toEqual(first.appliedAt);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('never overwrites a stored setting, and fills in a setting that is missing', async () => {
    await phase1(t.db);
    const settings = t.db.collection(COLLECTIONS.systemSettings);
    await settings.updateOne({ key: 'max_conversations_per_agent' }, { $set: { value: 3 } });
    await settings.deleteOne({ key: 'ai_model' });

    const again = await phase1(t.db);

    expect(again.settings.inserted).toEqual(['ai_model']);
    expect(again.changed).toBe(true);
    expect((await settings.findOne({ key: 'max_conversations_per_agent' }))?.value).toBe(3);
    expect(await settings.countDocuments({ key: 'ai_model' })).toBe(1);
    const record = await new MigrationLog(t.db).get(MIGRATION_IDS.initialSchema);
    expect(record?.changes).toHaveLength(2);
  });

  it('creates no admin when an agent already exists', async () => {
    const repos = createMongoRepositories(t.db, capabilities, quietLog());
    await ensureIndexes(t.db, capabilities, quietLog());
    await repos.agents.insert(agentRecord({ email: 'x@example.com' }));
    const result = await phase1(t.db);
    expect(result.admin).toEqual({ created: false });
    expect(await t.db.collection(COLLECTIONS.agents).countDocuments()).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Phase 2: the generated data set

interface GeneratedThread {
  doc: Document & { _id: ObjectId };
  /** The E.164 phone the thread must end up under; undefined when the phone is invalid. */
  e164?: string;
}

interface DataSet {
  threads: GeneratedThread[];
  valid: GeneratedThread[];
  invalid: GeneratedThread[];
  /** E.164 → the threads of that customer. */
  byPhone: Map<string, GeneratedThread[]>;
}

const DAY = 86_400_000;
const EPOCH = Date.UTC(2023, 0, 1);
const INVALID_USER_IDS = ['abc', '123', '', '+999 12345', 'whatsapp:unknown', '52155'];

/**
 * `count` threads over about count/3 Mexican mobile numbers (Mexico City, 55 + 8 digits), written in
 * the forms the old bot stored: WhatsApp's legacy `521` + 10 digits, `52` + 10 digits, `+52 55 ...`
 * and the bare national number. Every 25th thread has an invalid phone.
 */
function generateDataSet(count: number): DataSet {
  const phones = Math.max(1, Math.floor(count / 3));
  const threads: GeneratedThread[] = [];
  for (let i = 0; i < count; i++) {
    const createdAt = new Date(EPOCH + i * 3_600_000);
    const lastInteraction = new Date(createdAt.getTime() + ((i % 7) + 1) * DAY);
    const doc: Document & { _id: ObjectId } = {
      _id: new ObjectId(),
      threadId: `thread_${randomBytes(8).toString('hex')}`,
      messageCount: (i % 13) + 1,
      lastInteraction,
      lastCleanup: new Date(createdAt.getTime() + DAY),
      createdAt,
      updatedAt: lastInteraction,
    };
    if (i % 25 === 24) {
      doc.userId = INVALID_USER_IDS[i % INVALID_USER_IDS.length];
      threads.push({ doc });
      continue;
    }
    const national = `55${String(10_000_000 + (((i % phones) * 7_919) % 90_000_000)).padStart(8, '0')}`;
    const forms = [
      `521${national}`,
      `52${national}`,
      `+52 ${national.slice(0, 2)} ${national.slice(2, 6)} ${national.slice(6)}`,
      national,
    ];
    doc.userId = forms[i % forms.length];
    threads.push({ doc, e164: `+52${national}` });
  }
  const valid = threads.filter((x) => x.e164 !== undefined);
  const byPhone = new Map<string, GeneratedThread[]>();
  for (const x of valid) byPhone.set(x.e164!, [...(byPhone.get(x.e164!) ?? []), x]);
  return { threads, valid, invalid: threads.filter((x) => x.e164 === undefined), byPhone };
}

async function seedUserThreads(db: Db, data: DataSet): Promise<void> {
  await db.collection('userthreads').insertMany(data.threads.map((x) => x.doc));
}

function migrate(db: Db, options: Partial<UserThreadMigrationOptions> = {}) {
  return migrateUserThreads(db, capabilities, { defaultRegion: 'MX', batchSize: 100, ...options });
}

const minTime = (dates: Date[]) => new Date(Math.min(...dates.map((d) => d.getTime())));
const maxTime = (dates: Date[]) => new Date(Math.max(...dates.map((d) => d.getTime())));

/** Checks every customer, conversation and conversationthread against the data set. */
async function expectMigrated(db: Db, data: DataSet): Promise<void> {
  const customers = await db.collection(COLLECTIONS.customers).find({}).toArray();
  expect(customers).toHaveLength(data.byPhone.size);
  const customerOf = new Map<string, ObjectId>();
  for (const doc of customers) {
    const customer = customerFromDocument(doc); // readable through the repository mapping
    const mine = data.byPhone.get(customer.phoneNumber);
    expect(mine, `unexpected customer ${customer.phoneNumber}`).toBeDefined();
    customerOf.set(customer.phoneNumber, doc._id as ObjectId);
    expect(customer.statistics.totalConversations, customer.phoneNumber).toBe(mine!.length);
    expect(customer.statistics.totalMessages, customer.phoneNumber).toBe(
      mine!.reduce((sum, x) => sum + (x.doc.messageCount as number), 0),
    );
    expect(customer.firstContact).toEqual(minTime(mine!.map((x) => x.doc.createdAt)));
    expect(customer.lastInteraction).toEqual(maxTime(mine!.map((x) => x.doc.lastInteraction)));
    expect(customer.source).toBe('whatsapp');
  }

  const conversations = await db.collection(COLLECTIONS.conversations).find({}).toArray();
  expect(conversations).toHaveLength(data.valid.length);
  const conversationById = new Map(conversations.map((c) => [(c._id as ObjectId).toHexString(), c]));
  const threads = await db.collection(COLLECTIONS.conversationThreads).find({}).toArray();
  expect(threads).toHaveLength(data.valid.length);
  const threadById = new Map(threads.map((c) => [(c._id as ObjectId).toHexString(), c]));

  for (const x of data.valid) {
    const id = x.doc._id.toHexString();
    const customerId = customerOf.get(x.e164!)!;
    const conversation = conversationById.get(id);
    expect(conversation, `conversation of thread ${id}`).toMatchObject({
      customerId,
      status: 'open',
      isAIEnabled: true,
      messageCount: x.doc.messageCount,
      createdAt: x.doc.createdAt,
      updatedAt: x.doc.updatedAt,
      source: `userthread:${id}`,
    });
    expect(threadById.get(id), `conversationthread ${id}`).toEqual({
      _id: x.doc._id,
      conversationId: x.doc._id,
      customerId,
      userId: x.doc.userId,
      threadId: x.doc.threadId,
      messageCount: x.doc.messageCount,
      lastInteraction: x.doc.lastInteraction,
      lastCleanup: x.doc.lastCleanup,
      isActive: true,
      createdAt: x.doc.createdAt,
      updatedAt: x.doc.updatedAt,
    });
  }
}

describe('migrate userthreads (phase 2)', () => {
  beforeEach(async () => {
    await ensureIndexes(t.db, capabilities, quietLog());
  });

  it('turns 500 threads into one customer per phone (521… merged with 52…) and one conversation per thread', async () => {
    const data = generateDataSet(500);
    await seedUserThreads(t.db, data);
    const skipped: string[] = [];
    const progress: number[] = [];

    const result = await migrate(t.db, {
      onSkipped: (s) => skipped.push(s.id),
      onProgress: (p) => progress.push(p.processed),
    });

    expect(result).toMatchObject({
      source: 500,
      processed: 500,
      alreadyMigrated: 0,
      migrated: data.valid.length,
      skipped: { invalidPhone: data.invalid.length, missingThreadId: 0 },
      customers: { created: data.byPhone.size, existing: 0 },
      conversations: { created: data.valid.length, existing: 0 },
      limited: false,
    });
    expect(data.invalid.length).toBe(20);
    expect(skipped.sort()).toEqual(data.invalid.map((x) => x.doc._id.toHexString()).sort());
    expect(progress).toEqual([100, 200, 300, 400, 500]);
    await expectMigrated(t.db, data);
    expect(await verifyUserThreads(t.db)).toMatchObject({ source: 500, migrated: 480, missing: 20 });
  });

  it('a second run finds everything migrated and changes nothing', async () => {
    const data = generateDataSet(120);
    await seedUserThreads(t.db, data);
    await migrate(t.db);
    const dump = async () =>
      Promise.all(
        [COLLECTIONS.customers, COLLECTIONS.conversations, COLLECTIONS.conversationThreads].map((c) =>
          t.db.collection(c).find({}).sort({ _id: 1 }).toArray(),
        ),
      );
    const before = await dump();

    const again = await migrate(t.db);

    expect(again).toMatchObject({
      alreadyMigrated: data.valid.length,
      migrated: 0,
      customers: { created: 0 },
      conversations: { created: 0 },
      statisticsUpdated: 0,
    });
    expect(await dump()).toEqual(before);
  });

  it.each<UserThreadStage>(['customers', 'conversations', 'threads', 'statistics'])(
    'a crash after the %s stage of a batch, then a rerun: exactly one customer per phone, one conversation per thread',
    async (crashStage) => {
      const data = generateDataSet(300);
      await seedUserThreads(t.db, data);
      const K = 130; // the crash comes in the batch that takes the run past K documents
      const crash = new Error('simulated crash');

      await expect(
        migrate(t.db, {
          batchSize: 60,
          recomputeThreshold: 1, // customer totals after every batch, so that stage can crash mid-run too
          hooks: {
            afterStage: (stage, info) => {
              if (stage === crashStage && info.processed > K) throw crash;
            },
          },
        }),
      ).rejects.toBe(crash);
      const partial = await t.db.collection(COLLECTIONS.conversationThreads).countDocuments();
      expect(partial).toBeLessThan(data.valid.length);

      const rerun = await migrate(t.db);

      expect(rerun.alreadyMigrated + rerun.migrated).toBe(data.valid.length);
      await expectMigrated(t.db, data);
    },
  );

  it('stops after --limit documents; the next run goes on from there', async () => {
    const data = generateDataSet(300);
    await seedUserThreads(t.db, data);

    const first = await migrate(t.db, { limit: 130, batchSize: 50 });
    expect(first).toMatchObject({ processed: 130, limited: true });
    expect(await t.db.collection(COLLECTIONS.conversations).countDocuments()).toBeLessThan(data.valid.length);

    const second = await migrate(t.db, { batchSize: 50 });
    expect(second.processed).toBe(300);
    expect(second.alreadyMigrated).toBe(first.migrated);
    await expectMigrated(t.db, data);
  });

  it('a dry run writes nothing and predicts what the real run does', async () => {
    const data = generateDataSet(200);
    await seedUserThreads(t.db, data);
    const counts = async () => {
      const out: Record<string, number> = {};
      for (const c of await t.db.listCollections({}, { nameOnly: true }).toArray()) {
        out[c.name] = await t.db.collection(c.name).countDocuments();
      }
      return out;
    };
    const before = await counts();

    const dry = await migrate(t.db, { dryRun: true, batchSize: 60 });

    expect(await counts()).toEqual(before);
    const real = await migrate(t.db, { batchSize: 60 });
    expect(dry).toMatchObject({
      dryRun: true,
      migrated: real.migrated,
      skipped: real.skipped,
      customers: real.customers,
      conversations: real.conversations,
    });
  });

  it('reuses a customer that already exists and counts its live conversations in its totals', async () => {
    const data = generateDataSet(60);
    await seedUserThreads(t.db, data);
    const [phone, mine] = [...data.byPhone.entries()][0]!;
    const repos: MongoRepositories = createMongoRepositories(t.db, capabilities, quietLog());
    const existing = customerRecord({ phoneNumber: phone, tags: ['vip-list'] });
    await repos.customers.insert(existing);
    const live = conversationRecord({
      customerId: existing.id,
      messageCount: 5,
      createdAt: new Date(EPOCH - DAY),
    });
    await repos.conversations.insert(live);

    const result = await migrate(t.db);

    expect(result.customers.existing).toBe(1);
    const stored = await repos.customers.findByPhone(phone);
    expect(stored).toMatchObject({ id: existing.id, tags: ['vip-list'] });
    expect(stored?.statistics.totalConversations).toBe(mine.length + 1);
    expect(stored?.statistics.totalMessages).toBe(
      mine.reduce((s, x) => s + (x.doc.messageCount as number), 5),
    );
    expect(stored?.firstContact).toEqual(new Date(EPOCH - DAY));
    expect(stored?.version).toBe(existing.version + 1);
    expect(await t.db.collection(COLLECTIONS.customers).countDocuments()).toBe(data.byPhone.size);
  });

  it('skips a thread without a thread id, and refuses to start without the unique phone index', async () => {
    await t.db
      .collection('userthreads')
      .insertOne({ _id: new ObjectId(), userId: '5215512345678', messageCount: 1 });
    const result = await migrate(t.db);
    expect(result.skipped.missingThreadId).toBe(1);
    expect(result.migrated).toBe(0);

    await t.db.collection(COLLECTIONS.customers).dropIndex('phoneNumber_1');
    await expect(migrate(t.db)).rejects.toThrow(/unique index on phoneNumber.*migrate up/);
  });

  it('drops the source only when every thread is migrated; otherwise refuses with the numbers', async () => {
    const data = generateDataSet(100);
    await seedUserThreads(t.db, data);
    await migrate(t.db);

    const refused = await dropUserThreads(t.db);
    expect(refused).toMatchObject({
      dropped: false,
      reason: 'incomplete',
      verification: { source: 100, migrated: data.valid.length, missing: data.invalid.length },
    });
    expect(await t.db.collection('userthreads').countDocuments()).toBe(100);

    // The operator removes (or fixes) the threads that cannot be migrated; now the counts match.
    await t.db.collection('userthreads').deleteMany({ _id: { $in: data.invalid.map((x) => x.doc._id) } });
    const dropped = await dropUserThreads(t.db);
    expect(dropped).toMatchObject({ dropped: true, verification: { source: 96, migrated: 96, missing: 0 } });
    expect(await t.db.listCollections({ name: 'userthreads' }).toArray()).toEqual([]);
    expect(await dropUserThreads(t.db)).toEqual({ dropped: false, reason: 'absent' });
  });
});
