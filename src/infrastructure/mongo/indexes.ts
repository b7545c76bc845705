/**
 * Every index of the schema design (docs: /work/shared/seed, "Indexes" blocks and field-level
 * `unique`/`index: true`), plus the ones our own queries need. `ensureIndexes` is idempotent:
 * creating an index that already exists with the same options is a no-op on both servers.
 */
import { type CreateIndexesOptions, type Db, type IndexDirection, MongoServerError } from 'mongodb';
import type { MongoCapabilities } from './mongo-client.js';

export const COLLECTIONS = {
  agents: 'agents',
  customers: 'customers',
  conversations: 'conversations',
  messages: 'messages',
  tickets: 'tickets',
  systemSettings: 'systemsettings',
  activityLogs: 'activitylogs',
  conversationThreads: 'conversationthreads',
  sessions: 'sessions',
  counters: 'counters',
  conversationsArchive: 'conversations_archive',
  messagesArchive: 'messages_archive',
  /** Per-document write locks, used only where the server's updates are not atomic (write-guard.ts). */
  documentLocks: 'documentlocks',
  /** WhatsApp webhook events stored before the webhook is acknowledged (mongo-webhook-inbox.ts). */
  webhookInbox: 'webhookinbox',
  /** Job locks and once-only step markers of the scheduled jobs (mongo-job-lock.ts). */
  jobLocks: 'joblocks',
  /** What the migrations (`npm run crm -- migrate ...`) ran and when (migrations/migration-log.ts). */
  migrations: 'migrations',
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

/** Every collection the MongoDB adapters use. */
export const COLLECTION_NAMES: readonly CollectionName[] = Object.values(COLLECTIONS);

export type IndexKey = Record<string, IndexDirection>;

export interface IndexSpec {
  collection: CollectionName;
  key: IndexKey;
  options?: CreateIndexesOptions;
  /** 'seed' for the design's own indexes, else the query the index serves. */
  serves: string;
  /** Text indexes are created only where the server supports them; TTL falls back to a plain index. */
  kind?: 'text' | 'ttl';
}

const unique = { unique: true } as const;
/** Unique where present, any number of documents may lack the field (probed: same on MongoDB and FerretDB v1). */
const uniqueWherePresent = { unique: true, sparse: true } as const;

const C = COLLECTIONS;

export const INDEX_SPECS: readonly IndexSpec[] = [
  // --- agents (seed)
  { collection: C.agents, key: { email: 1 }, options: unique, serves: 'seed; AgentRepository.findByEmail' },
  { collection: C.agents, key: { status: 1 }, serves: 'seed; AgentRepository.listOnline' },
  { collection: C.agents, key: { role: 1 }, serves: 'seed; AgentRepository.listSupervisors' },
  { collection: C.agents, key: { isActive: 1 }, serves: 'seed' },
  // AgentRepository.list: keyset page sorted by createdAt desc, _id desc
  { collection: C.agents, key: { createdAt: -1, _id: -1 }, serves: 'AgentRepository.list (keyset)' },

  // --- customers (seed)
  {
    collection: C.customers,
    key: { phoneNumber: 1 },
    options: unique,
    serves: 'seed; CustomerRepository.findByPhone, findByPhones',
  },
  { collection: C.customers, key: { email: 1 }, serves: 'seed; prefix search on email' },
  { collection: C.customers, key: { tags: 1 }, serves: 'seed; CustomerFilter.tags' },
  { collection: C.customers, key: { segment: 1 }, serves: 'seed; CustomerFilter.segment' },
  { collection: C.customers, key: { status: 1 }, serves: 'seed; CustomerFilter.status' },
  { collection: C.customers, key: { lastInteraction: -1 }, serves: 'seed' },
  {
    collection: C.customers,
    key: { firstName: 'text', lastName: 'text', phoneNumber: 'text', email: 'text' },
    serves: 'seed; CustomerFilter.search ($text)',
    kind: 'text',
  },
  // CustomerRepository.list: keyset page sorted by updatedAt desc, _id desc
  { collection: C.customers, key: { updatedAt: -1, _id: -1 }, serves: 'CustomerRepository.list (keyset)' },

  // --- conversations (seed)
  {
    collection: C.conversations,
    key: { customerId: 1 },
    serves: 'seed; findLatestOpenByCustomer(s), listAllByCustomer',
  },
  { collection: C.conversations, key: { assignedAgent: 1 }, serves: 'seed' },
  { collection: C.conversations, key: { status: 1 }, serves: 'seed; listByStatus, countByStatus' },
  { collection: C.conversations, key: { priority: 1 }, serves: 'seed' },
  { collection: C.conversations, key: { category: 1 }, serves: 'seed' },
  { collection: C.conversations, key: { createdAt: -1 }, serves: 'seed' },
  { collection: C.conversations, key: { updatedAt: -1 }, serves: 'seed' },
  { collection: C.conversations, key: { tags: 1 }, serves: 'seed; ConversationFilter.tags' },
  { collection: C.conversations, key: { status: 1, assignedAgent: 1 }, serves: 'seed' },
  // ConversationRepository.list filtered by status (+ agent): keyset on updatedAt desc, _id desc
  {
    collection: C.conversations,
    key: { status: 1, assignedAgent: 1, updatedAt: -1, _id: -1 },
    serves: 'ConversationRepository.list by status/agent (keyset)',
  },
  // ConversationRepository.scanByStatus: background scans (SLA watcher, automations), by _id
  { collection: C.conversations, key: { status: 1, _id: 1 }, serves: 'ConversationRepository.scanByStatus' },
  // ConversationRepository.list without a status filter: keyset on updatedAt desc, _id desc
  {
    collection: C.conversations,
    key: { updatedAt: -1, _id: -1 },
    serves: 'ConversationRepository.list (keyset), listActiveBetween',
  },

  // --- messages (seed)
  { collection: C.messages, key: { conversationId: 1, timestamp: -1 }, serves: 'seed' },
  { collection: C.messages, key: { customerId: 1, timestamp: -1 }, serves: 'seed' },
  { collection: C.messages, key: { direction: 1, timestamp: -1 }, serves: 'seed' },
  { collection: C.messages, key: { status: 1 }, serves: 'seed' },
  // The seed's { whatsappMessageId: 1 }, made unique-where-present: WhatsApp delivers webhooks at
  // least once, and this is what makes a redelivered message a DuplicateError.
  {
    collection: C.messages,
    key: { whatsappMessageId: 1 },
    options: uniqueWherePresent,
    serves: 'seed; MessageRepository.insert(Many) de-duplication, findByWhatsappId(s)',
  },
  { collection: C.messages, key: { type: 1 }, serves: 'seed' },
  // seed field-level `timestamp: { index: true }` (no seed compound index starts with it)
  { collection: C.messages, key: { timestamp: 1 }, serves: 'seed (field-level index)' },
  {
    collection: C.messages,
    key: { content: 'text' },
    options: { default_language: 'spanish' },
    serves: 'seed; message search ($text)',
    kind: 'text',
  },
  // MessageRepository.listByConversation: keyset on timestamp desc, _id desc
  {
    collection: C.messages,
    key: { conversationId: 1, timestamp: -1, _id: -1 },
    serves: 'MessageRepository.listByConversation (keyset)',
  },
  // `agentId:idempotencyKey`, stored only when the message has a key: one send per client key.
  {
    collection: C.messages,
    key: { idempotencyScope: 1 },
    options: uniqueWherePresent,
    serves: 'MessageRepository.insert idempotency, findByIdempotencyKey',
  },
  // MessageRepository.claimOutbound: outbound pending messages, oldest first
  {
    collection: C.messages,
    key: { status: 1, direction: 1, timestamp: 1 },
    serves: 'MessageRepository.claimOutbound (outbox)',
  },
  // MessageRepository.claimPendingMedia: inbound attachments not stored yet, oldest first
  {
    collection: C.messages,
    key: { 'attachments.storage': 1, timestamp: 1 },
    serves: 'MessageRepository.claimPendingMedia (media fetcher)',
  },

  // --- tickets (seed)
  { collection: C.tickets, key: { ticketId: 1 }, options: unique, serves: 'seed; findByTicketId' },
  { collection: C.tickets, key: { customerId: 1, createdAt: -1 }, serves: 'seed; listAllByCustomer' },
  { collection: C.tickets, key: { assignedAgent: 1, status: 1 }, serves: 'seed' },
  { collection: C.tickets, key: { category: 1, status: 1 }, serves: 'seed' },
  { collection: C.tickets, key: { priority: 1, status: 1 }, serves: 'seed' },
  { collection: C.tickets, key: { createdAt: -1 }, serves: 'seed' },
  { collection: C.tickets, key: { status: 1, updatedAt: -1 }, serves: 'seed' },
  { collection: C.tickets, key: { tags: 1 }, serves: 'seed; TicketFilter.tags' },
  // seed field-level `conversationId: { index: true }` (no seed compound index starts with it)
  { collection: C.tickets, key: { conversationId: 1 }, serves: 'seed (field-level index); TicketFilter' },
  {
    collection: C.tickets,
    key: { subject: 'text', description: 'text' },
    serves: 'seed; ticket search ($text)',
    kind: 'text',
  },
  // TicketRepository.list filtered by status: keyset on updatedAt desc, _id desc
  {
    collection: C.tickets,
    key: { status: 1, updatedAt: -1, _id: -1 },
    serves: 'TicketRepository.list by status (keyset)',
  },
  // TicketRepository.scanByStatus: background scans (SLA watcher), by _id
  { collection: C.tickets, key: { status: 1, _id: 1 }, serves: 'TicketRepository.scanByStatus' },
  // TicketRepository.list without a status filter
  {
    collection: C.tickets,
    key: { updatedAt: -1, _id: -1 },
    serves: 'TicketRepository.list (keyset), listActiveBetween',
  },

  // --- systemsettings (seed: `key` is unique)
  { collection: C.systemSettings, key: { key: 1 }, options: unique, serves: 'seed; SettingsRepository.get' },

  // --- activitylogs (seed)
  { collection: C.activityLogs, key: { entityType: 1, entityId: 1, timestamp: -1 }, serves: 'seed' },
  { collection: C.activityLogs, key: { performedBy: 1, timestamp: -1 }, serves: 'seed' },
  { collection: C.activityLogs, key: { action: 1, timestamp: -1 }, serves: 'seed' },
  // seed field-level `entityId` and `timestamp` `{ index: true }`
  { collection: C.activityLogs, key: { entityId: 1 }, serves: 'seed (field-level index)' },
  { collection: C.activityLogs, key: { timestamp: 1 }, serves: 'seed (field-level index)' },
  // ActivityLogRepository.listByEntity: keyset on timestamp desc, _id desc
  {
    collection: C.activityLogs,
    key: { entityType: 1, entityId: 1, timestamp: -1, _id: -1 },
    serves: 'ActivityLogRepository.listByEntity (keyset)',
  },
  // ActivityLogRepository.listByAgent: keyset on timestamp desc, _id desc
  {
    collection: C.activityLogs,
    key: { performedBy: 1, timestamp: -1, _id: -1 },
    serves: 'ActivityLogRepository.listByAgent (keyset)',
  },

  // --- conversationthreads: not unique per conversation, since a conversation keeps its old,
  // deactivated threads. ConversationThreadRepository.findActiveByConversation (newest active first)
  {
    collection: C.conversationThreads,
    key: { conversationId: 1, isActive: 1, createdAt: -1, _id: -1 },
    serves: 'ConversationThreadRepository.findActiveByConversation',
  },
  // ConversationThreadRepository.deleteByCustomer (erasure)
  { collection: C.conversationThreads, key: { customerId: 1 }, serves: 'deleteByCustomer' },

  // --- sessions
  {
    collection: C.sessions,
    key: { tokenHash: 1 },
    options: unique,
    serves: 'SessionRepository.findByTokenHash, delete',
  },
  // Expired sessions disappear on their own where TTL indexes exist; elsewhere the same index
  // serves the adapter's own sweep of expired sessions.
  {
    collection: C.sessions,
    key: { expiresAt: 1 },
    options: { expireAfterSeconds: 0 },
    serves: 'session expiry (TTL, or the expiry sweep)',
    kind: 'ttl',
  },
  // SessionRepository.deleteByAgent (log out everywhere)
  { collection: C.sessions, key: { agentId: 1 }, serves: 'SessionRepository.deleteByAgent' },

  // counters and migrations: keyed by `_id` (the counter name, the migration id); no other index.

  // --- archives: archive/archiver.ts moves closed conversations and old messages here;
  // archive/mongo-archive-reader.ts reads them back.
  {
    collection: C.conversationsArchive,
    key: { customerId: 1, createdAt: -1, _id: -1 },
    serves: 'ArchiveReader.listArchivedConversationsByCustomer',
  },
  {
    collection: C.messagesArchive,
    key: { conversationId: 1, timestamp: -1, _id: -1 },
    serves: 'ArchiveReader.listArchivedMessages (keyset)',
  },
  { collection: C.messagesArchive, key: { customerId: 1 }, serves: 'ArchiveReader.purgeCustomer (erasure)' },

  // --- webhookinbox: `_id` is the event key (de-duplication); processed records are deleted.
  {
    collection: C.webhookInbox,
    key: { dueAt: 1, receivedAt: 1, position: 1 },
    serves: 'WebhookInbox.due (due records, oldest first), counts',
  },
  {
    collection: C.webhookInbox,
    key: { waitingFor: 1 },
    options: { sparse: true },
    serves: 'WebhookInbox.wake (statuses waiting for their message)',
  },

  // --- joblocks: keyed by `_id` (the lock name); expired locks go by TTL, or by JobLock.purgeExpired.
  {
    collection: C.jobLocks,
    key: { expiresAt: 1 },
    options: { expireAfterSeconds: 0 },
    serves: 'lock expiry (TTL, or JobLock.purgeExpired)',
    kind: 'ttl',
  },
];

export interface IndexLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface EnsureIndexesResult {
  /** Names of the indexes that exist after the call (created now or before). */
  ensured: string[];
  /** Indexes left out because the server cannot build them (text indexes without text search). */
  skipped: string[];
}

/** The name MongoDB would give the index (`a_1_b_-1`), used explicitly so both servers agree. */
export function indexName(key: IndexKey): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${dir}`)
    .join('_');
}

/**
 * Creates every index in INDEX_SPECS that the server can build (or only those of
 * `options.collections`). Safe to run on every start.
 * Throws when the server cannot enforce the unique-where-present keys message de-duplication
 * depends on, or when an existing index conflicts with the one required.
 */
export async function ensureIndexes(
  db: Db,
  capabilities: MongoCapabilities,
  log: IndexLogger,
  options: { collections?: readonly CollectionName[] } = {},
): Promise<EnsureIndexesResult> {
  if (!capabilities.sparseUniqueIndexes) {
    throw new Error(
      `${capabilities.server} ${capabilities.version} cannot enforce a unique index on an optional field ` +
        '(sparse unique); message de-duplication by WhatsApp id and idempotency key depends on it.',
    );
  }
  const specs = INDEX_SPECS.filter((s) => !options.collections || options.collections.includes(s.collection));
  const skipped = specs.filter((s) => s.kind === 'text' && !capabilities.textSearch);
  if (skipped.length > 0) {
    log.warn(
      { server: capabilities.server, version: capabilities.version, skipped: skipped.map(describe) },
      'MongoDB: no text search on this server; search falls back to an anchored case-insensitive prefix match',
    );
  }
  if (!capabilities.ttlIndexes && specs.some((s) => s.kind === 'ttl')) {
    log.info(
      { server: capabilities.server, version: capabilities.version },
      'MongoDB: no TTL indexes on this server; expired sessions are deleted by the adapter when read',
    );
  }

  // Collections without indexes of their own (counters, archives, locks) are created too, so the
  // schema is complete after the first start.
  const names = COLLECTION_NAMES.filter((n) => !options.collections || options.collections.includes(n));
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    try {
      await db.createCollection(name);
    } catch (error) {
      // Created concurrently by another node starting at the same time.
      if (!(error instanceof MongoServerError && error.code === 48)) throw error;
    }
  }

  const wanted = specs.filter((s) => !skipped.includes(s));
  const byCollection = new Map<CollectionName, IndexSpec[]>();
  for (const spec of wanted) {
    byCollection.set(spec.collection, [...(byCollection.get(spec.collection) ?? []), spec]);
  }

  const ensured: string[] = [];
  await Promise.all(
    [...byCollection].map(async ([collectionName, specs]) => {
      const collection = db.collection(collectionName);
      for (const spec of specs) {
        const options: CreateIndexesOptions = { ...spec.options };
        if (spec.kind === 'ttl' && !capabilities.ttlIndexes) delete options.expireAfterSeconds;
        // Text indexes keep MongoDB's default name; the others get the same name on every server.
        if (spec.kind !== 'text') options.name = indexName(spec.key);
        try {
          ensured.push(`${collectionName}.${await collection.createIndex(spec.key, options)}`);
        } catch (error) {
          if (error instanceof MongoServerError && (error.code === 85 || error.code === 86)) {
            throw new Error(
              `Index ${describe(spec)} conflicts with an existing index of a different definition ` +
                `(${error.message}). Drop the old index and start again.`,
            );
          }
          throw error;
        }
      }
      await verifyUniqueness(db, collectionName, specs);
    }),
  );
  return { ensured: ensured.sort(), skipped: skipped.map(describe) };
}

function describe(spec: IndexSpec): string {
  return `${spec.collection} ${JSON.stringify(spec.key)}`;
}

/**
 * FerretDB answers "ok" to createIndex when an index of that name already exists with other
 * options, so check that every index meant to be unique really is.
 */
async function verifyUniqueness(db: Db, collectionName: string, specs: IndexSpec[]): Promise<void> {
  const existing = await db.collection(collectionName).listIndexes().toArray();
  for (const spec of specs) {
    if (!spec.options?.unique) continue;
    const found = existing.find((ix) => sameKey(ix.key, spec.key));
    if (!found?.unique) {
      throw new Error(
        `Index ${describe(spec)} must be unique but the existing index ${String(found?.name)} is not. ` +
          'Drop it and start again.',
      );
    }
  }
}

export function sameKey(a: unknown, b: IndexKey): boolean {
  if (a === null || typeof a !== 'object') return false;
  const left = Object.entries(a as Record<string, unknown>);
  const right = Object.entries(b);
  return (
    left.length === right.length && left.every(([k, v], i) => right[i]?.[0] === k && right[i]?.[1] === v)
  );
}
