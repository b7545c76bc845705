/** Runs the background-scan contract (scanByStatus) against the in-memory and MongoDB adapters. */
import type { Db } from 'mongodb';
import { InMemoryConversationRepository } from '../../src/infrastructure/memory/in-memory-conversation-repository.js';
import { InMemoryTicketRepository } from '../../src/infrastructure/memory/in-memory-ticket-repository.js';
import { COLLECTIONS, type CollectionName, ensureIndexes } from '../../src/infrastructure/mongo/indexes.js';
import { detectCapabilities } from '../../src/infrastructure/mongo/mongo-client.js';
import { MongoConversationRepository } from '../../src/infrastructure/mongo/mongo-conversation-repository.js';
import { MongoTicketRepository } from '../../src/infrastructure/mongo/mongo-ticket-repository.js';
import { connectTestDb } from '../support/mongo.js';
import { describeScanContract } from './scan.contract.js';

describeScanContract(
  'InMemory',
  async () => ({ repo: new InMemoryConversationRepository(), cleanup: async () => {} }),
  async () => ({ repo: new InMemoryTicketRepository(), cleanup: async () => {} }),
);

const mongo =
  <R>(collection: CollectionName, create: (db: Db, atomic: boolean) => R) =>
  async () => {
    const t = await connectTestDb();
    const capabilities = await detectCapabilities(t.db);
    await ensureIndexes(
      t.db,
      capabilities,
      { warn: () => {}, info: () => {} },
      { collections: [collection] },
    );
    return { repo: create(t.db, capabilities.atomicUpdates), cleanup: () => t.close() };
  };

describeScanContract(
  'Mongo',
  mongo(
    COLLECTIONS.conversations,
    (db, atomicUpdates) => new MongoConversationRepository(db, { atomicUpdates }),
  ),
  mongo(COLLECTIONS.tickets, (db, atomicUpdates) => new MongoTicketRepository(db, { atomicUpdates })),
);
