import type { Db } from 'mongodb';
import type { ArchiveReader } from '../../application/ports/archive.js';
import type { JobLock } from '../../application/ports/job-lock.js';
import type {
  ActivityLogRepository,
  AgentRepository,
  ConversationRepository,
  ConversationThreadRepository,
  CustomerRepository,
  MessageRepository,
  SequenceRepository,
  SettingsRepository,
  TicketRepository,
} from '../../application/ports/repositories.js';
import type { WebhookInbox } from '../../application/ports/webhook-inbox.js';
import { MongoArchiveReader } from './archive/mongo-archive-reader.js';
import type { IndexLogger } from './indexes.js';
import { MongoActivityLogRepository } from './mongo-activity-log-repository.js';
import { MongoAgentRepository } from './mongo-agent-repository.js';
import type { MongoCapabilities } from './mongo-client.js';
import { MongoConversationRepository } from './mongo-conversation-repository.js';
import { MongoConversationThreadRepository } from './mongo-conversation-thread-repository.js';
import { MongoCustomerRepository } from './mongo-customer-repository.js';
import { MongoJobLock } from './mongo-job-lock.js';
import { MongoMessageRepository } from './mongo-message-repository.js';
import { MongoSequenceRepository } from './mongo-sequence-repository.js';
import { MongoSessionRepository } from './mongo-session-repository.js';
import { MongoSettingsRepository } from './mongo-settings-repository.js';
import { MongoTicketRepository } from './mongo-ticket-repository.js';
import { MongoWebhookInbox } from './mongo-webhook-inbox.js';

export interface MongoRepositories {
  agents: AgentRepository;
  customers: CustomerRepository;
  conversations: ConversationRepository;
  messages: MessageRepository;
  tickets: TicketRepository;
  sequences: SequenceRepository;
  settings: SettingsRepository;
  activity: ActivityLogRepository;
  threads: ConversationThreadRepository;
  /** The concrete type: it also offers `deleteExpired` for servers without TTL indexes. */
  sessions: MongoSessionRepository;
  webhookInbox: WebhookInbox;
  jobLocks: JobLock;
  archive: ArchiveReader;
}

/**
 * Every repository on `db`. Call `ensureIndexes(db, capabilities, log)` first: unique indexes are
 * what turns duplicates into DuplicateError.
 */
export function createMongoRepositories(
  db: Db,
  capabilities: MongoCapabilities,
  _log: IndexLogger,
): MongoRepositories {
  return {
    agents: new MongoAgentRepository(db, capabilities),
    customers: new MongoCustomerRepository(db, capabilities),
    conversations: new MongoConversationRepository(db, capabilities),
    messages: new MongoMessageRepository(db, capabilities),
    tickets: new MongoTicketRepository(db, capabilities),
    sequences: new MongoSequenceRepository(db, capabilities),
    settings: new MongoSettingsRepository(db),
    activity: new MongoActivityLogRepository(db),
    threads: new MongoConversationThreadRepository(db),
    sessions: new MongoSessionRepository(db),
    webhookInbox: new MongoWebhookInbox(db),
    jobLocks: new MongoJobLock(db, capabilities),
    archive: new MongoArchiveReader(db),
  };
}
