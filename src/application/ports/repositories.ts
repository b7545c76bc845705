/**
 * Repository ports. Repositories store and return the entities' primitives (the persisted
 * shape); use cases rehydrate entities with `fromPrimitives` and save `toPrimitives()`.
 *
 * Common rules every adapter obeys (checked by the contract suites in test/contract):
 * - `insert` throws DuplicateError on a unique key (agent email, customer phone, ticketId,
 *   WhatsApp message id, setting key).
 * - `update(record)` is optimistic: it succeeds only if the stored `version` equals
 *   `record.version`, stores `version + 1` and returns the stored record; otherwise it throws
 *   ConcurrencyError (or NotFoundError when the record does not exist). For agents and customers
 *   `update` never writes `statistics`: those counters belong to `incrementStatistics` (`$inc`)
 *   and `setStatistics`, so a profile edit can never overwrite a concurrent increment.
 * - Lists page by keyset cursor (see pagination.ts), newest first, ties broken by id desc.
 * - Ids are validated (24-hex) before any query; callers' filters are typed values, never
 *   raw query objects.
 */
import type { ActivityLogPrimitives, EntityType } from '../../domain/activity/activity.types.js';
import type {
  AgentPrimitives,
  AgentRole,
  AgentStatistics,
  AgentStatus,
} from '../../domain/agent/agent.types.js';
import type {
  ConversationCategory,
  ConversationPrimitives,
  ConversationStatus,
  Priority,
} from '../../domain/conversation/conversation.types.js';
import type {
  CustomerPrimitives,
  CustomerSegment,
  CustomerStatistics,
  CustomerStatus,
} from '../../domain/customer/customer.types.js';
import type { MessagePrimitives, MessageStatus } from '../../domain/message/message.types.js';
import type { SystemSettingPrimitives } from '../../domain/settings/settings.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { ConversationThreadPrimitives } from '../../domain/thread/conversation-thread.types.js';
import type { TicketCategory, TicketPrimitives, TicketStatus } from '../../domain/ticket/ticket.types.js';
import type { Page, PageRequest } from './pagination.js';

/** A half-open instant range `[from, to)`. */
export interface DateRange {
  from: Date;
  to: Date;
}

/**
 * One page of a background scan (SLA watcher, automations, statistics recompute): the records after
 * `afterId`, by id ascending. Ids never change, so a walk visits each record once even while the
 * records it visits are being updated.
 */
export interface ScanPage {
  /** 1..200. */
  limit: number;
  afterId?: Id;
}

type NumericDelta<T> = Partial<
  Record<{ [K in keyof T]-?: T[K] extends number | undefined ? K : never }[keyof T], number>
>;

export interface AgentFilter {
  role?: AgentRole;
  status?: AgentStatus;
  isActive?: boolean;
}

export interface AgentRepository {
  insert(agent: AgentPrimitives): Promise<void>;
  findById(id: Id): Promise<AgentPrimitives | null>;
  findByEmail(email: string): Promise<AgentPrimitives | null>;
  update(agent: AgentPrimitives): Promise<AgentPrimitives>;
  /** Sorted by createdAt desc. */
  list(filter: AgentFilter, page: PageRequest): Promise<Page<AgentPrimitives>>;
  /** Active agents whose status is online (candidates for auto-assignment). */
  listOnline(): Promise<AgentPrimitives[]>;
  /** Active supervisors and admins (escalation targets). */
  listSupervisors(): Promise<AgentPrimitives[]>;
  count(): Promise<number>;
  /** Atomic `$inc` on statistics counters. */
  incrementStatistics(id: Id, delta: NumericDelta<AgentStatistics>): Promise<void>;
  /** Sets statistics fields (averages, recomputed values) without touching the others. */
  setStatistics(id: Id, fields: Partial<AgentStatistics>): Promise<void>;
  /**
   * Atomically takes one slot of the agent's capacity: increments
   * `statistics.currentActiveConversations` only if it is below `max`. Returns false (and changes
   * nothing) when the agent is full. Two racing reservations never push an agent over `max`.
   */
  reserveConversationSlot(id: Id, max: number): Promise<boolean>;
  /** Gives one slot back (never below zero). */
  releaseConversationSlot(id: Id): Promise<void>;
  /** Sets status / lastActivity / lastLogin without a version check (presence is last-writer-wins). */
  touch(id: Id, fields: { status?: AgentStatus; lastActivity?: Date; lastLogin?: Date }): Promise<void>;
}

export interface CustomerFilter {
  tags?: string[]; // all of
  segment?: CustomerSegment;
  status?: CustomerStatus;
  isBlocked?: boolean;
  /** Name, phone or e-mail: a text search where the server has text indexes, else an anchored prefix match. */
  search?: string;
}

/** One customer's share of a batch of inbound messages (CustomerRepository.recordInteractions). */
export interface CustomerInteraction {
  id: Id;
  firstAt: Date;
  lastAt: Date;
  statistics: NumericDelta<CustomerStatistics>;
}

export interface CustomerRepository {
  insert(customer: CustomerPrimitives): Promise<void>;
  findById(id: Id): Promise<CustomerPrimitives | null>;
  findByPhone(phoneNumber: string): Promise<CustomerPrimitives | null>;
  /**
   * The customers whose E.164 phone is one of `phoneNumbers` (one query; the batched inbound path).
   * At most one per phone, in no particular order; unknown phones are simply absent.
   */
  findByPhones(phoneNumbers: string[]): Promise<CustomerPrimitives[]>;
  /**
   * Inserts several customers in one call (the batched inbound path), each with `insert`'s unique
   * keys: those refused as duplicates (id or phone already stored, or repeated within `customers`)
   * are not stored and their ids are returned; every other one is stored. Any other failure throws.
   */
  insertMany(customers: CustomerPrimitives[]): Promise<{ duplicates: Id[] }>;
  update(customer: CustomerPrimitives): Promise<CustomerPrimitives>;
  /**
   * The batched inbound path's write of Customer.recordInteraction plus the statistics counters, for
   * several customers in one call. For each entry, atomically and without a version check (every
   * part commutes with concurrent writers): `firstContact` = min(firstContact, firstAt);
   * `lastInteraction`, `lastMessageAt`, `updatedAt` = max(…, lastAt); `statistics` += `statistics`;
   * `version` + 1 (so that an edit made from an older read is refused). Unknown ids are skipped.
   */
  recordInteractions(entries: CustomerInteraction[]): Promise<void>;
  /** Sorted by updatedAt desc. */
  list(filter: CustomerFilter, page: PageRequest): Promise<Page<CustomerPrimitives>>;
  incrementStatistics(id: Id, delta: NumericDelta<CustomerStatistics>): Promise<void>;
  /** Sets statistics fields (averages, recomputed values) without touching the others. */
  setStatistics(id: Id, fields: Partial<CustomerStatistics>): Promise<void>;
  delete(id: Id): Promise<void>;
}

export interface ConversationFilter {
  status?: ConversationStatus[];
  priority?: Priority;
  category?: ConversationCategory;
  assignedAgent?: Id;
  /** Only conversations with no assigned agent (the queue). */
  unassigned?: boolean;
  /** Either assigned to this agent or unassigned (what a plain agent may see). */
  visibleTo?: Id;
  tags?: string[]; // any of
  customerId?: Id;
}

export interface ConversationRepository {
  insert(conversation: ConversationPrimitives): Promise<void>;
  findById(id: Id): Promise<ConversationPrimitives | null>;
  /** The customer's most recent conversation that is not closed, if any. */
  findLatestOpenByCustomer(customerId: Id): Promise<ConversationPrimitives | null>;
  /**
   * For each of `customerIds`, what `findLatestOpenByCustomer` returns (one query; the batched
   * inbound path): at most one conversation per customer, in no particular order; customers without
   * an open conversation are absent. Ids are validated.
   */
  findLatestOpenByCustomers(customerIds: Id[]): Promise<ConversationPrimitives[]>;
  /** Inserts several new conversations in one call (the batched inbound path); a duplicate id throws. */
  insertMany(conversations: ConversationPrimitives[]): Promise<void>;
  update(conversation: ConversationPrimitives): Promise<ConversationPrimitives>;
  /**
   * `update` for several conversations in one call (the batched inbound path): each is stored only
   * if its stored version is the one it carries. Returns the stored records, and the ids not stored
   * (changed by another writer since they were read, held by one right now, or missing), which the
   * caller retries one by one with `update`.
   */
  updateMany(
    conversations: ConversationPrimitives[],
  ): Promise<{ updated: ConversationPrimitives[]; conflicts: Id[] }>;
  /** Sorted by updatedAt desc. */
  list(filter: ConversationFilter, page: PageRequest): Promise<Page<ConversationPrimitives>>;
  /** Every conversation of a customer (for erasure and history); no paging, newest first. */
  listAllByCustomer(customerId: Id): Promise<ConversationPrimitives[]>;
  /** Conversations whose status is one of `statuses`, for background scans (SLA, auto-resolve). */
  listByStatus(statuses: ConversationStatus[], limit: number): Promise<ConversationPrimitives[]>;
  /** Conversations whose status is one of `statuses`, by id ascending after `page.afterId` (background scans). */
  scanByStatus(statuses: ConversationStatus[], page: ScanPage): Promise<ConversationPrimitives[]>;
  countByStatus(): Promise<Record<ConversationStatus, number>>;
  /**
   * Conversations active during `[from, to)` (reports): created before `to` and last changed at or
   * after `from`, so anything created, answered, resolved or rated in the range is among them.
   * Sorted by updatedAt desc (ties by id desc), at most `limit` (1..MAX_REPORT_ITEMS).
   */
  listActiveBetween(range: DateRange, limit: number): Promise<ConversationPrimitives[]>;
  delete(id: Id): Promise<void>;
}

export interface MessageRepository {
  /** Throws DuplicateError when `whatsappMessageId` (or an agent's `idempotencyKey`) already exists. */
  insert(message: MessagePrimitives): Promise<void>;
  findById(id: Id): Promise<MessagePrimitives | null>;
  findByWhatsappId(whatsappMessageId: string): Promise<MessagePrimitives | null>;
  /**
   * The messages whose WhatsApp id is one of `whatsappMessageIds` (one query; the batched inbound
   * path's dedupe). At most one per id, in no particular order; unknown ids are simply absent.
   */
  findByWhatsappIds(whatsappMessageIds: string[]): Promise<MessagePrimitives[]>;
  /**
   * Inserts several messages in one call (the batched inbound path). Each message is inserted or
   * refused on its own, with `insert`'s unique keys: the ones refused as duplicates (id, WhatsApp
   * message id, idempotency key — already stored, or repeated within `messages`) are not stored and
   * their ids are returned in `duplicates`, so that the caller can take the per-message path for
   * them; every other message is stored. Any other failure throws.
   */
  insertMany(messages: MessagePrimitives[]): Promise<{ duplicates: Id[] }>;
  findByIdempotencyKey(agentId: Id, key: string): Promise<MessagePrimitives | null>;
  /** Sorted by timestamp desc. */
  listByConversation(conversationId: Id, page: PageRequest): Promise<Page<MessagePrimitives>>;
  /** Merges `fields` into the message (attachments, AI fields, WhatsApp ids). Returns the stored message. */
  patch(id: Id, fields: Partial<Omit<MessagePrimitives, 'id'>>): Promise<MessagePrimitives | null>;
  /**
   * Moves the delivery status forward only: the update is applied when the stored status is
   * one of `from` (the statuses that precede `to`). Returns the stored message after the
   * update, or null when nothing changed (late or duplicate status).
   */
  advanceStatus(
    id: Id,
    from: MessageStatus[],
    to: MessageStatus,
    fields: Partial<
      Pick<
        MessagePrimitives,
        | 'whatsappStatus'
        | 'deliveredAt'
        | 'readAt'
        | 'sentAt'
        | 'failedAt'
        | 'whatsappError'
        | 'whatsappErrorCode'
        | 'whatsappMessageId'
        | 'whatsappTimestamp'
      >
    >,
  ): Promise<MessagePrimitives | null>;
  /**
   * Outbox: atomically claims up to `limit` outbound `pending` messages whose `nextAttemptAt`
   * is due and whose lease is free or expired, setting `leaseUntil`. A message is claimed by
   * one caller at a time.
   */
  claimOutbound(now: Date, leaseUntil: Date, limit: number): Promise<MessagePrimitives[]>;
  /**
   * Media fetcher: atomically claims up to `limit` inbound messages that have an attachment with
   * `storage: 'pending'` (a WhatsApp media id not yet stored), whose `nextAttemptAt` is due (or
   * absent) and whose lease is free or expired, setting `leaseUntil`. Oldest first. A message is
   * claimed by one caller at a time.
   */
  claimPendingMedia(now: Date, leaseUntil: Date, limit: number): Promise<MessagePrimitives[]>;
  /**
   * AI processing claim: atomically sets `aiProcessed` to true when it is false (by `_id`).
   * Returns true to exactly one caller (that caller processes the message with the AI), false when
   * it was already claimed or the message does not exist. Several nodes never both process it.
   */
  claimForAi(id: Id): Promise<boolean>;
  countByConversation(conversationId: Id): Promise<number>;
  deleteByConversation(conversationId: Id): Promise<number>;
}

export interface TicketFilter {
  status?: TicketStatus[];
  priority?: Priority;
  category?: TicketCategory;
  assignedAgent?: Id;
  customerId?: Id;
  conversationId?: Id;
  tags?: string[];
  escalated?: boolean;
  /**
   * Either assigned to this agent or unassigned (what a plain agent may list). Tickets of another
   * agent's conversation are not included even though `ticket.read` allows opening them one by one.
   */
  visibleTo?: Id;
}

export interface TicketRepository {
  insert(ticket: TicketPrimitives): Promise<void>;
  findById(id: Id): Promise<TicketPrimitives | null>;
  findByTicketId(ticketId: string): Promise<TicketPrimitives | null>;
  update(ticket: TicketPrimitives): Promise<TicketPrimitives>;
  /** Sorted by updatedAt desc. */
  list(filter: TicketFilter, page: PageRequest): Promise<Page<TicketPrimitives>>;
  listAllByCustomer(customerId: Id): Promise<TicketPrimitives[]>;
  /**
   * The tickets of any of `conversationIds` whose status is one of `statuses` (one query; the batched
   * inbound path's "tickets waiting on the customer"). In no particular order; ids are validated.
   */
  listByConversations(conversationIds: Id[], statuses: TicketStatus[]): Promise<TicketPrimitives[]>;
  /** Tickets whose status is one of `statuses`, by id ascending after `page.afterId` (background scans). */
  scanByStatus(statuses: TicketStatus[], page: ScanPage): Promise<TicketPrimitives[]>;
  /**
   * Tickets active during `[from, to)` (reports): created before `to` and last changed at or after
   * `from`. Sorted by updatedAt desc (ties by id desc), at most `limit` (1..MAX_REPORT_ITEMS).
   */
  listActiveBetween(range: DateRange, limit: number): Promise<TicketPrimitives[]>;
}

/** Gap-free per-key counters (ticket numbers per year). */
export interface SequenceRepository {
  /** Atomically increments the counter named `key` and returns the new value (first call returns 1). */
  next(key: string): Promise<number>;
}

export interface SettingsRepository {
  get(key: string): Promise<SystemSettingPrimitives | null>;
  getAll(): Promise<SystemSettingPrimitives[]>;
  /** Inserts or replaces by key. */
  put(setting: SystemSettingPrimitives): Promise<void>;
  /** Inserts only when the key is absent; returns true if it inserted. */
  insertIfAbsent(setting: SystemSettingPrimitives): Promise<boolean>;
}

export interface ActivityLogRepository {
  append(entry: ActivityLogPrimitives): Promise<void>;
  /** Several entries in one call (the batched inbound path). */
  appendMany(entries: ActivityLogPrimitives[]): Promise<void>;
  /** Sorted by timestamp desc. */
  listByEntity(entityType: EntityType, entityId: Id, page: PageRequest): Promise<Page<ActivityLogPrimitives>>;
  /** Sorted by timestamp desc. */
  listByAgent(agentId: Id, page: PageRequest): Promise<Page<ActivityLogPrimitives>>;
}

export interface ConversationThreadRepository {
  insert(thread: ConversationThreadPrimitives): Promise<void>;
  findActiveByConversation(conversationId: Id): Promise<ConversationThreadPrimitives | null>;
  update(thread: ConversationThreadPrimitives): Promise<void>;
  deleteByCustomer(customerId: Id): Promise<number>;
}

export interface SessionRecord {
  tokenHash: string; // sha-256 hex of the opaque token; the token itself is never stored
  agentId: Id;
  createdAt: Date;
  expiresAt: Date;
  ipAddress?: string;
  userAgent?: string;
}

export interface SessionRepository {
  insert(session: SessionRecord): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  delete(tokenHash: string): Promise<void>;
  deleteByAgent(agentId: Id): Promise<number>;
}
