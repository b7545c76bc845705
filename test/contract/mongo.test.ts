/**
 * Runs every repository contract suite against the MongoDB adapters, on the server the test setup
 * provides (FerretDB v1.24 by default, or MONGODB_URI). Each `make` gets a fresh database with the
 * indexes of the collections that repository uses created first (the unique ones are part of the
 * contract: they are what turns duplicates into DuplicateError).
 */
import type { Db } from 'mongodb';
import { COLLECTIONS, type CollectionName, ensureIndexes } from '../../src/infrastructure/mongo/indexes.js';
import { MongoActivityLogRepository } from '../../src/infrastructure/mongo/mongo-activity-log-repository.js';
import { MongoAgentRepository } from '../../src/infrastructure/mongo/mongo-agent-repository.js';
import { detectCapabilities, type MongoCapabilities } from '../../src/infrastructure/mongo/mongo-client.js';
import { MongoConversationRepository } from '../../src/infrastructure/mongo/mongo-conversation-repository.js';
import { MongoConversationThreadRepository } from '../../src/infrastructure/mongo/mongo-conversation-thread-repository.js';
import { MongoCustomerRepository } from '../../src/infrastructure/mongo/mongo-customer-repository.js';
import { MongoMessageRepository } from '../../src/infrastructure/mongo/mongo-message-repository.js';
import { MongoSequenceRepository } from '../../src/infrastructure/mongo/mongo-sequence-repository.js';
import { MongoSessionRepository } from '../../src/infrastructure/mongo/mongo-session-repository.js';
import { MongoSettingsRepository } from '../../src/infrastructure/mongo/mongo-settings-repository.js';
import { MongoTicketRepository } from '../../src/infrastructure/mongo/mongo-ticket-repository.js';
import { MongoWebhookInbox } from '../../src/infrastructure/mongo/mongo-webhook-inbox.js';
import { connectTestDb } from '../support/mongo.js';
import { describeActivityLogRepositoryContract } from './activity-log-repository.contract.js';
import { describeAgentRepositoryContract } from './agent-repository.contract.js';
import { describeConversationRepositoryContract } from './conversation-repository.contract.js';
import { describeConversationThreadRepositoryContract } from './conversation-thread-repository.contract.js';
import { describeCustomerRepositoryContract } from './customer-repository.contract.js';
import { describeMessageRepositoryContract } from './message-repository.contract.js';
import { describeSequenceRepositoryContract } from './sequence-repository.contract.js';
import { describeSessionRepositoryContract } from './session-repository.contract.js';
import { describeSettingsRepositoryContract } from './settings-repository.contract.js';
import { describeTicketRepositoryContract } from './ticket-repository.contract.js';
import { describeWebhookInboxContract } from './webhook-inbox.contract.js';

// The capabilities decide how customer search behaves, so they are needed before the suites are
// declared. One probe serves every database of this run (they all live on the same server).
const capabilities: MongoCapabilities = await (async () => {
  const probe = await connectTestDb();
  try {
    return await detectCapabilities(probe.db);
  } finally {
    await probe.close();
  }
})();

const quiet = { warn: () => {}, info: () => {} };

/** A fresh database per test, with the indexes of `collections` in place. */
const fresh =
  <R>(collections: CollectionName[], create: (db: Db) => R) =>
  async () => {
    const t = await connectTestDb();
    try {
      await ensureIndexes(t.db, capabilities, quiet, { collections });
    } catch (error) {
      await t.close();
      throw error;
    }
    return { repo: create(t.db), cleanup: () => t.close() };
  };

const C = COLLECTIONS;
const name = `Mongo (${capabilities.server} ${capabilities.version})`;

describeAgentRepositoryContract(
  name,
  fresh([C.agents], (db) => new MongoAgentRepository(db, capabilities)),
);
describeCustomerRepositoryContract(
  name,
  fresh([C.customers], (db) => new MongoCustomerRepository(db, capabilities)),
  { search: capabilities.textSearch ? 'text' : 'prefix' },
);
describeConversationRepositoryContract(
  name,
  fresh([C.conversations], (db) => new MongoConversationRepository(db, capabilities)),
);
describeMessageRepositoryContract(
  name,
  fresh([C.messages], (db) => new MongoMessageRepository(db, capabilities)),
);
describeTicketRepositoryContract(
  name,
  fresh([C.tickets], (db) => new MongoTicketRepository(db, capabilities)),
);
describeSequenceRepositoryContract(
  name,
  fresh([C.counters], (db) => new MongoSequenceRepository(db, capabilities)),
);
describeSettingsRepositoryContract(
  name,
  fresh([C.systemSettings], (db) => new MongoSettingsRepository(db)),
);
describeActivityLogRepositoryContract(
  name,
  fresh([C.activityLogs], (db) => new MongoActivityLogRepository(db)),
);
describeConversationThreadRepositoryContract(
  name,
  fresh([C.conversationThreads], (db) => new MongoConversationThreadRepository(db)),
);
describeSessionRepositoryContract(
  name,
  fresh([C.sessions], (db) => new MongoSessionRepository(db)),
);
describeWebhookInboxContract(name, async () => {
  const made = await fresh([C.webhookInbox], (db) => ({
    repo: new MongoWebhookInbox(db),
    second: new MongoWebhookInbox(db), // another node's handle on the same database
  }))();
  return { ...made.repo, cleanup: made.cleanup };
});
