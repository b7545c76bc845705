/**
 * Batched inserts of already-valid records, for seeding (benchmarks, demo data, imports): one
 * `insertMany` per batch instead of one round trip per record. Each record goes through the same
 * mapper the repository uses, so everything written reads back through the repositories. Unlike
 * the repositories' `insert`, a duplicate key is not translated: the caller owns the data set.
 */
import type { Db, Document } from 'mongodb';
import type { SessionRecord } from '../../application/ports/repositories.js';
import type { AgentPrimitives } from '../../domain/agent/agent.types.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import { COLLECTIONS } from './indexes.js';
import { agentToDocument } from './mongo-agent-repository.js';
import { conversationToDocument } from './mongo-conversation-repository.js';
import { customerToDocument } from './mongo-customer-repository.js';
import { messageToDocument } from './mongo-message-repository.js';
import { sessionToDocument } from './mongo-session-repository.js';
import { ticketToDocument } from './mongo-ticket-repository.js';

interface RecordKinds {
  agents: AgentPrimitives;
  customers: CustomerPrimitives;
  conversations: ConversationPrimitives;
  messages: MessagePrimitives;
  tickets: TicketPrimitives;
  sessions: SessionRecord;
}

export type BulkKind = keyof RecordKinds;

const MAPPERS: { [K in BulkKind]: { collection: string; toDocument: (record: RecordKinds[K]) => Document } } =
  {
    agents: { collection: COLLECTIONS.agents, toDocument: agentToDocument },
    customers: { collection: COLLECTIONS.customers, toDocument: customerToDocument },
    conversations: { collection: COLLECTIONS.conversations, toDocument: conversationToDocument },
    messages: { collection: COLLECTIONS.messages, toDocument: messageToDocument },
    tickets: { collection: COLLECTIONS.tickets, toDocument: ticketToDocument },
    sessions: { collection: COLLECTIONS.sessions, toDocument: sessionToDocument },
  };

export const DEFAULT_BULK_BATCH = 1000;

/**
 * Inserts `records` of `kind` in batches of `batchSize` (unordered within a batch: the server
 * may apply them in parallel). Returns how many were inserted. `onBatch` reports progress.
 */
export async function bulkInsert<K extends BulkKind>(
  db: Db,
  kind: K,
  records: readonly RecordKinds[K][],
  options: { batchSize?: number; onBatch?: (inserted: number) => void } = {},
): Promise<number> {
  const { collection, toDocument } = MAPPERS[kind];
  const target = db.collection(collection);
  const size = Math.max(1, options.batchSize ?? DEFAULT_BULK_BATCH);
  let inserted = 0;
  for (let start = 0; start < records.length; start += size) {
    const docs = records.slice(start, start + size).map((r) => toDocument(r));
    const result = await target.insertMany(docs, { ordered: false });
    inserted += result.insertedCount;
    options.onBatch?.(inserted);
  }
  return inserted;
}
