/**
 * Archiving on a real server (FerretDB v1.24 by default, or MONGODB_URI): closed conversations and
 * old messages move to their archive collections in batches, copy before delete; reruns, a kill
 * between copy and delete, and a change between copy and delete lose and duplicate nothing; the
 * ArchiveReader reads the archived records back (MongoDB and in-memory adapters, same behaviour).
 */
import { type Db, ObjectId } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ArchiveReader } from '../../../src/application/ports/archive.js';
import type { ConversationPrimitives } from '../../../src/domain/conversation/conversation.types.js';
import type { MessagePrimitives } from '../../../src/domain/message/message.types.js';
import type { Id } from '../../../src/domain/shared/ids.js';
import { InMemoryArchiveReader } from '../../../src/infrastructure/memory/in-memory-archive-reader.js';
import { InMemoryConversationRepository } from '../../../src/infrastructure/memory/in-memory-conversation-repository.js';
import { InMemoryMessageRepository } from '../../../src/infrastructure/memory/in-memory-message-repository.js';
import { type ArchiveOptions, archiveOldData } from '../../../src/infrastructure/mongo/archive/archiver.js';
import { MongoArchiveReader } from '../../../src/infrastructure/mongo/archive/mongo-archive-reader.js';
import { bulkInsert } from '../../../src/infrastructure/mongo/bulk-insert.js';
import { COLLECTIONS, ensureIndexes } from '../../../src/infrastructure/mongo/indexes.js';
import {
  detectCapabilities,
  type MongoCapabilities,
} from '../../../src/infrastructure/mongo/mongo-client.js';
import { conversationFromDocument } from '../../../src/infrastructure/mongo/mongo-conversation-repository.js';
import { messageFromDocument } from '../../../src/infrastructure/mongo/mongo-message-repository.js';
import {
  createMongoRepositories,
  type MongoRepositories,
} from '../../../src/infrastructure/mongo/mongo-repositories.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';
import { conversationRecord, fullMessageRecord, messageRecord, newId } from '../../support/records.js';

const quietLog = () => ({ warn: vi.fn(), info: vi.fn() });
const DAY = 86_400_000;
const NOW = Date.now();
const daysAgo = (days: number) => new Date(NOW - days * DAY);
const CUTOFF = daysAgo(365);

interface Seeded {
  customerId: Id;
  /** Closed more than a year ago: to be archived. */
  oldClosed: ConversationPrimitives[];
  /** Everything else: closed recently, old but not closed, resolved long ago. */
  kept: ConversationPrimitives[];
  oldMessages: MessagePrimitives[];
  newMessages: MessagePrimitives[];
}

/** 12 old closed conversations (two customers), 6 that stay, 30 old messages and 10 recent ones. */
async function seed(db: Db): Promise<Seeded> {
  const customerId = newId();
  const otherCustomer = newId();
  const oldClosed = Array.from({ length: 12 }, (_, i) =>
    conversationRecord({
      customerId: i < 9 ? customerId : otherCustomer,
      status: 'closed',
      createdAt: daysAgo(800 - i),
      updatedAt: daysAgo(400 + i),
      closedAt: daysAgo(400 + i),
      resolvedAt: daysAgo(401 + i),
      messageCount: 3,
    }),
  );
  const kept = [
    conversationRecord({ customerId, status: 'closed', createdAt: daysAgo(100), closedAt: daysAgo(90) }),
    conversationRecord({ customerId, status: 'closed', createdAt: daysAgo(370), closedAt: daysAgo(364) }),
    conversationRecord({ customerId, status: 'open', createdAt: daysAgo(900), updatedAt: daysAgo(900) }),
    conversationRecord({ customerId, status: 'resolved', createdAt: daysAgo(900), resolvedAt: daysAgo(899) }),
    conversationRecord({ customerId, status: 'waiting', createdAt: daysAgo(10) }),
    conversationRecord({
      customerId: otherCustomer,
      status: 'assigned',
      assignedAgent: newId(),
      createdAt: daysAgo(2),
    }),
  ];
  const inOld = oldClosed[0]!;
  const inLive = kept[2]!; // an old open conversation: its old messages are archived, it is not
  const oldMessages = Array.from({ length: 30 }, (_, i) =>
    (i % 3 === 0 ? fullMessageRecord : messageRecord)({
      conversationId: i % 2 === 0 ? inOld.id : inLive.id,
      customerId,
      timestamp: daysAgo(700 - i),
      createdAt: daysAgo(700 - i),
      status: 'read',
      whatsappStatus: 'read',
    }),
  );
  const newMessages = Array.from({ length: 10 }, (_, i) =>
    messageRecord({
      conversationId: inLive.id,
      customerId,
      timestamp: daysAgo(30 - i),
      createdAt: daysAgo(30 - i),
    }),
  );
  await bulkInsert(db, 'conversations', [...oldClosed, ...kept]);
  await bulkInsert(db, 'messages', [...oldMessages, ...newMessages]);
  return { customerId, oldClosed, kept, oldMessages, newMessages };
}

const ids = (items: { id: Id }[]) => items.map((i) => i.id).sort();

let t: TestDb;
let capabilities: MongoCapabilities;
let repos: MongoRepositories;

beforeEach(async () => {
  t = await connectTestDb();
  capabilities = await detectCapabilities(t.db);
  await ensureIndexes(t.db, capabilities, quietLog());
  repos = createMongoRepositories(t.db, capabilities, quietLog());
});
afterEach(async () => {
  await t?.close();
});

function archive(options: Partial<ArchiveOptions> = {}) {
  return archiveOldData(t.db, capabilities, { cutoff: CUTOFF, batchSize: 5, ...options });
}

async function liveAndArchived(db: Db) {
  const read = async (name: string) =>
    (
      await db
        .collection(name)
        .find({}, { projection: { _id: 1 } })
        .toArray()
    )
      .map((d) => d._id.toHexString())
      .sort();
  return {
    conversations: await read(COLLECTIONS.conversations),
    conversationsArchive: await read(COLLECTIONS.conversationsArchive),
    messages: await read(COLLECTIONS.messages),
    messagesArchive: await read(COLLECTIONS.messagesArchive),
  };
}

describe('archive', () => {
  it('moves closed conversations and messages older than the cutoff, unchanged, and nothing else', async () => {
    const s = await seed(t.db);
    const progress: string[] = [];

    const result = await archive({
      onProgress: (p) => progress.push(`${p.kind}:${p.batch}/${p.batches}:${p.processed}`),
    });

    expect(result.conversations).toEqual({ eligible: 12, copied: 12, archived: 12, changed: 0 });
    expect(result.messages).toEqual({ eligible: 30, copied: 30, archived: 30, changed: 0 });
    expect(progress).toEqual([
      'conversations:1/3:5',
      'conversations:2/3:10',
      'conversations:3/3:12',
      ...[5, 10, 15, 20, 25, 30].map((n, i) => `messages:${i + 1}/6:${n}`),
    ]);
    const state = await liveAndArchived(t.db);
    expect(state.conversations).toEqual(ids(s.kept));
    expect(state.conversationsArchive).toEqual(ids(s.oldClosed));
    expect(state.messages).toEqual(ids(s.newMessages));
    expect(state.messagesArchive).toEqual(ids(s.oldMessages));

    // Copied as they were: every field reads back through the live collections' mappers.
    for (const c of s.oldClosed) {
      const doc = await t.db
        .collection(COLLECTIONS.conversationsArchive)
        .findOne({ _id: ObjectId.createFromHexString(c.id) });
      expect(conversationFromDocument(doc!)).toEqual(c);
    }
    for (const m of s.oldMessages) {
      const doc = await t.db
        .collection(COLLECTIONS.messagesArchive)
        .findOne({ _id: ObjectId.createFromHexString(m.id) });
      expect(messageFromDocument(doc!)).toEqual(m);
    }
  });

  it('a rerun archives nothing more and changes nothing', async () => {
    await seed(t.db);
    await archive();
    const before = await liveAndArchived(t.db);
    const archivedDocs = await t.db
      .collection(COLLECTIONS.conversationsArchive)
      .find({})
      .sort({ _id: 1 })
      .toArray();

    const again = await archive();

    expect(again.conversations).toEqual({ eligible: 0, copied: 0, archived: 0, changed: 0 });
    expect(again.messages).toEqual({ eligible: 0, copied: 0, archived: 0, changed: 0 });
    expect(await liveAndArchived(t.db)).toEqual(before);
    expect(
      await t.db.collection(COLLECTIONS.conversationsArchive).find({}).sort({ _id: 1 }).toArray(),
    ).toEqual(archivedDocs);
  });

  it('a dry run counts and writes nothing', async () => {
    await seed(t.db);
    const before = await liveAndArchived(t.db);
    const dry = await archive({ dryRun: true });
    expect(dry).toMatchObject({
      dryRun: true,
      conversations: { eligible: 12, copied: 0, archived: 0 },
      messages: { eligible: 30, copied: 0, archived: 0 },
    });
    expect(await liveAndArchived(t.db)).toEqual(before);
  });

  it.each(['conversations', 'messages'] as const)(
    'killed between copy and delete (in %s), then rerun: nothing lost, nothing duplicated',
    async (kind) => {
      const s = await seed(t.db);
      const kill = new Error('killed');
      await expect(
        archive({
          hooks: {
            afterCopy: (info) => {
              if (info.kind === kind && info.batch === 2) throw kill;
            },
          },
        }),
      ).rejects.toBe(kill);

      // Half-way: batch 1 moved, batch 2 copied but its originals still live; every record is somewhere.
      const mid = await liveAndArchived(t.db);
      const everything = ids([...s.oldClosed, ...s.kept]);
      expect([...new Set([...mid.conversations, ...mid.conversationsArchive])].sort()).toEqual(everything);
      const copiedTwice = mid.messages.filter((id) => mid.messagesArchive.includes(id));
      const convCopiedTwice = mid.conversations.filter((id) => mid.conversationsArchive.includes(id));
      expect((kind === 'messages' ? copiedTwice : convCopiedTwice).length).toBe(5);

      await archive();

      const end = await liveAndArchived(t.db);
      expect(end.conversations).toEqual(ids(s.kept));
      expect(end.conversationsArchive).toEqual(ids(s.oldClosed));
      expect(end.messages).toEqual(ids(s.newMessages));
      expect(end.messagesArchive).toEqual(ids(s.oldMessages));
    },
  );

  it('leaves live a conversation changed between copy and delete; the reader shows the live one only', async () => {
    const s = await seed(t.db);
    const reader = new MongoArchiveReader(t.db);
    let target: Id | undefined;

    const result = await archive({
      hooks: {
        afterCopy: async (info) => {
          if (info.kind !== 'conversations' || info.batch !== 1) return;
          // Reopened by an agent after it was copied, before its original is deleted.
          target = info.ids.find((id) =>
            s.oldClosed.some((c) => c.id === id && c.customerId === s.customerId),
          );
          const current = await repos.conversations.findById(target!);
          await repos.conversations.update({ ...current!, status: 'open', closedAt: undefined });
        },
      },
    });

    expect(result.conversations).toEqual({ eligible: 12, copied: 12, archived: 11, changed: 1 });
    expect((await repos.conversations.findById(target!))?.status).toBe('open');
    expect(await t.db.collection(COLLECTIONS.conversationsArchive).countDocuments()).toBe(12); // a stale copy
    const archived = await reader.listArchivedConversationsByCustomer(s.customerId);
    expect(archived.map((c) => c.id)).not.toContain(target);
    expect(archived).toHaveLength(8);
    expect(await reader.findArchivedConversation(target!)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// The ArchiveReader port: one behaviour, two adapters

interface ReaderFixture {
  reader: ArchiveReader;
  customerId: Id;
  conversations: ConversationPrimitives[];
  /** A conversation that was archived and is live again. */
  liveAgainId: Id;
  /** The archived messages of `conversationId`, as stored. */
  messages: MessagePrimitives[];
  conversationId: Id;
}

function describeArchiveReader(name: string, make: () => Promise<ReaderFixture>) {
  describe(`ArchiveReader (${name})`, () => {
    it('lists a customer’s archived conversations newest first, and no one else’s', async () => {
      const f = await make();
      const listed = await f.reader.listArchivedConversationsByCustomer(f.customerId);
      const expected = [...f.conversations].sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : 1),
      );
      expect(listed).toEqual(expected);
      expect(await f.reader.listArchivedConversationsByCustomer(newId())).toEqual([]);
    });

    it('finds one archived conversation by id, and not one that is live again or unknown', async () => {
      const f = await make();
      const first = f.conversations[0]!;
      expect(await f.reader.findArchivedConversation(first.id)).toEqual(first);
      expect(await f.reader.findArchivedConversation(f.liveAgainId)).toBeNull();
      expect(await f.reader.findArchivedConversation(newId())).toBeNull();
    });

    it('pages through a conversation’s archived messages, newest first, by keyset cursor', async () => {
      const f = await make();
      const seen: MessagePrimitives[] = [];
      let cursor: string | undefined;
      do {
        const page = await f.reader.listArchivedMessages(f.conversationId, {
          limit: 4,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      const expected = [...f.messages].sort(
        (a, b) => b.timestamp.getTime() - a.timestamp.getTime() || (b.id < a.id ? -1 : 1),
      );
      expect(seen).toEqual(expected);
    });

    it('refuses an id that is not a 24-hex id', async () => {
      const f = await make();
      await expect(f.reader.listArchivedConversationsByCustomer('nope')).rejects.toThrow(/id/);
      await expect(f.reader.listArchivedMessages('nope', { limit: 5 })).rejects.toThrow(/id/);
    });
  });
}

describeArchiveReader('MongoDB, after a real archive run', async () => {
  const s = await seed(t.db);
  await archive();
  const conversationId = s.oldClosed[0]!.id;
  // One archived conversation is live again (as if restored): the reader must not return it.
  const liveAgain = s.oldClosed[8]!;
  await repos.conversations.insert({ ...liveAgain, status: 'open', closedAt: undefined });
  return {
    reader: new MongoArchiveReader(t.db),
    customerId: s.customerId,
    conversations: s.oldClosed.filter((c) => c.customerId === s.customerId && c.id !== liveAgain.id),
    liveAgainId: liveAgain.id,
    conversationId,
    messages: s.oldMessages.filter((m) => m.conversationId === conversationId),
  };
});

describeArchiveReader('in memory', async () => {
  const customerId = newId();
  const conversationId = newId();
  const conversations = Array.from({ length: 5 }, (_, i) =>
    conversationRecord({
      customerId,
      status: 'closed',
      createdAt: daysAgo(500 + (i % 3)),
      closedAt: daysAgo(400),
    }),
  );
  const messages = Array.from({ length: 11 }, (_, i) =>
    messageRecord({ conversationId, customerId, timestamp: daysAgo(600 + (i % 4)) }),
  );
  const live = {
    conversations: new InMemoryConversationRepository(),
    messages: new InMemoryMessageRepository(),
  };
  const reader = new InMemoryArchiveReader(live);
  for (const c of conversations) reader.archiveConversation(c);
  for (const m of messages) reader.archiveMessage(m);
  // Live again (reopened): never listed from the archive.
  const reopened = conversationRecord({ customerId, status: 'open', createdAt: daysAgo(450) });
  reader.archiveConversation({ ...reopened, status: 'closed', closedAt: daysAgo(400) });
  await live.conversations.insert(reopened);
  reader.archiveMessage(messageRecord({ conversationId: newId(), customerId, timestamp: daysAgo(600) }));
  return { reader, customerId, conversations, liveAgainId: reopened.id, conversationId, messages };
});
