/**
 * Migration phase 2 (schema design, "Migration Strategy"): the original bot's `userthreads`
 * (`{ _id, userId: phone, threadId, messageCount, lastInteraction, lastCleanup, createdAt,
 * updatedAt }`) become customers (one per phone, E.164), conversations (one per thread: open, AI on,
 * the thread's message count and dates) and `conversationthreads` (the thread itself, same `_id`,
 * now pointing at its conversation and customer).
 *
 * The design's script is neither idempotent nor resumable (a rerun duplicates every conversation).
 * This one is, batch by batch:
 * - customer: found by phone, or inserted; the unique phone index settles races and reruns (a
 *   duplicate key means "already there": look it up again). `521…` and `52…` are the same number.
 * - conversation: its `_id` is derived from the thread's `_id` (the same ObjectId), so a rerun finds
 *   the one it inserted before (duplicate key = already there) instead of opening a second one. Its
 *   `source` says where it came from: `userthread:<id>`.
 * - conversationthread: inserted last, keyed by the thread's `_id`: the commit point. A thread whose
 *   conversationthread exists is migrated; a rerun skips it.
 * - customer statistics and dates (totalConversations, totalMessages, firstContact,
 *   lastInteraction) are recomputed from what is stored (not incremented), so a rerun after a crash
 *   counts nothing twice; a customer seen in several threads gets the sum of all of them.
 * Threads whose phone cannot be parsed (or that lack a thread id) are reported and skipped; the
 * final verification (`verifyUserThreads`) then shows them as not migrated, and `dropUserThreads`
 * refuses to drop the source while any thread is not migrated.
 */
import { createHash } from 'node:crypto';
import { type Collection, type Db, type Document, type Filter, MongoBulkWriteError, ObjectId } from 'mongodb';
import { Conversation } from '../../../domain/conversation/conversation.js';
import { Customer } from '../../../domain/customer/customer.js';
import { PhoneNumber, type PhoneRegion } from '../../../domain/customer/phone-number.js';
import { COLLECTIONS, sameKey } from '../indexes.js';
import type { MongoCapabilities } from '../mongo-client.js';
import { conversationToDocument } from '../mongo-conversation-repository.js';
import { threadToDocument } from '../mongo-conversation-thread-repository.js';
import { customerToDocument } from '../mongo-customer-repository.js';
import { type WriteGuard, writeGuardFor } from '../write-guard.js';

/** The legacy collection of the original bot. */
export const USER_THREADS = 'userthreads';

export type UserThreadStage = 'customers' | 'conversations' | 'threads' | 'statistics';

export interface UserThreadProgress {
  batch: number;
  batches: number;
  processed: number;
  total: number;
  elapsedMs: number;
}

export type SkipReason = 'invalid_phone' | 'missing_thread_id';

export interface SkippedThread {
  id: string;
  userId: unknown;
  reason: SkipReason;
}

export interface UserThreadHooks {
  /** Called after each stage of each batch (not in a dry run). Throwing simulates a crash there. */
  afterStage?(stage: UserThreadStage, info: { batch: number; processed: number }): void | Promise<void>;
}

export interface UserThreadMigrationOptions {
  /** Region for numbers written without a country code (the `default_phone_region` setting). */
  defaultRegion: PhoneRegion;
  batchSize: number;
  /** Count what would happen; write nothing. */
  dryRun?: boolean;
  /** Look at no more than this many source threads in this run (a rerun goes on from there). */
  limit?: number;
  /**
   * Customers touched before their totals are recomputed (default 5,000; bounds memory). A customer
   * seen in several batches before that is recomputed once.
   */
  recomputeThreshold?: number;
  onProgress?(progress: UserThreadProgress): void;
  onSkipped?(thread: SkippedThread): void;
  hooks?: UserThreadHooks;
}

export interface UserThreadMigrationResult {
  dryRun: boolean;
  /** Source threads when the run started. */
  source: number;
  /** Source threads looked at in this run. */
  processed: number;
  /** Threads that already had their conversationthread before this run. */
  alreadyMigrated: number;
  /** Threads migrated by this run (dry run: that would be). */
  migrated: number;
  skipped: { invalidPhone: number; missingThreadId: number };
  /** Distinct customers (by phone) this run created, and found already there (dry run: would). */
  customers: { created: number; existing: number };
  /** Conversations this run inserted, and found already there from an interrupted run. */
  conversations: { created: number; existing: number };
  /** Customers whose statistics or dates were recomputed to a new value. */
  statisticsUpdated: number;
  /** True when `limit` stopped the run before the end of the source. */
  limited: boolean;
  elapsedMs: number;
}

export interface UserThreadVerification {
  /** Documents in `userthreads`. */
  source: number;
  /** Of those, how many have their conversationthread (and so their conversation and customer). */
  migrated: number;
  missing: number;
  /** A few ids of threads not migrated, for the report. */
  missingSample: string[];
}

interface LegacyThread {
  sourceId: unknown;
  key: string;
  id: ObjectId;
  userId: string;
  threadId: string;
  messageCount: number;
  lastInteraction?: Date;
  lastCleanup?: Date;
  createdAt: Date;
  updatedAt: Date;
}

interface PendingThread extends LegacyThread {
  phone: string;
}

const STATISTICS_RETRIES = 5;
/** Touched customers kept before their totals are recomputed (bounds memory on huge sources). */
const RECOMPUTE_THRESHOLD = 5_000;
/** Customers recomputed per round trip. */
const RECOMPUTE_CHUNK = 500;

/** The id a thread keeps after migration: its own ObjectId, or one derived from a non-ObjectId `_id`. */
export function migratedIdOf(sourceId: unknown): ObjectId {
  if (sourceId instanceof ObjectId) return sourceId;
  const digest = createHash('sha256')
    .update(`userthread:${keyOf(sourceId)}`)
    .digest();
  return new ObjectId(digest.subarray(0, 12));
}

function keyOf(id: unknown): string {
  if (id instanceof ObjectId) return id.toHexString();
  return typeof id === 'string' ? id : JSON.stringify(id);
}

export async function migrateUserThreads(
  db: Db,
  capabilities: Pick<MongoCapabilities, 'atomicUpdates'>,
  options: UserThreadMigrationOptions,
): Promise<UserThreadMigrationResult> {
  const started = Date.now();
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new Error('batchSize must be a positive integer');
  }
  const dryRun = options.dryRun === true;
  const source = db.collection(USER_THREADS);
  const customers = db.collection(COLLECTIONS.customers);
  const conversations = db.collection(COLLECTIONS.conversations);
  const threads = db.collection(COLLECTIONS.conversationThreads);
  const guard = writeGuardFor(db, capabilities);
  if (!dryRun) await assertUniquePhoneIndex(db);

  const total = await source.countDocuments({});
  const target = options.limit === undefined ? total : Math.min(total, Math.max(0, options.limit));
  const batches = Math.ceil(target / options.batchSize);
  const result: UserThreadMigrationResult = {
    dryRun,
    source: total,
    processed: 0,
    alreadyMigrated: 0,
    migrated: 0,
    skipped: { invalidPhone: 0, missingThreadId: 0 },
    customers: { created: 0, existing: 0 },
    conversations: { created: 0, existing: 0 },
    statisticsUpdated: 0,
    limited: false,
    elapsedMs: 0,
  };
  /** Phones already counted in `customers` (created or existing), so each counts once per run. */
  const countedPhones = new Set<string>();
  const stage = async (name: UserThreadStage, batch: number) => {
    if (!dryRun) await options.hooks?.afterStage?.(name, { batch, processed: result.processed });
  };

  /**
   * Customers whose totals must be recomputed. A crash before they are leaves nothing wrong behind
   * for good: the rerun meets the same threads (migrated ones too) and recomputes their customers.
   */
  const touchedCustomers = new Map<string, ObjectId>();

  let lastId: unknown;
  let batch = 0;
  while (result.processed < target) {
    const size = Math.min(options.batchSize, target - result.processed);
    const docs = await source.find(afterId(lastId)).sort({ _id: 1 }).limit(size).toArray();
    if (docs.length === 0) break;
    lastId = docs.at(-1)!._id;
    batch += 1;
    result.processed += docs.length;

    const legacy = docs.map(readLegacyThread);

    // Already migrated: their conversationthread exists (the commit point).
    const done = await threads
      .find({ _id: { $in: legacy.map((t) => t.id) } }, { projection: { _id: 1, customerId: 1 } })
      .toArray();
    const doneIds = new Set(done.map((d) => keyOf(d._id)));
    result.alreadyMigrated += doneIds.size;
    for (const d of done) touchedCustomers.set(keyOf(d.customerId), d.customerId as ObjectId);

    // Validate and normalise the phones of the others.
    const pending: PendingThread[] = [];
    for (const thread of legacy) {
      if (doneIds.has(thread.id.toHexString())) continue;
      if (!thread.threadId) {
        result.skipped.missingThreadId += 1;
        options.onSkipped?.({ id: thread.key, userId: thread.userId, reason: 'missing_thread_id' });
        continue;
      }
      const phone = normalisePhone(thread.userId, options.defaultRegion);
      if (!phone) {
        result.skipped.invalidPhone += 1;
        options.onSkipped?.({ id: thread.key, userId: thread.userId, reason: 'invalid_phone' });
        continue;
      }
      pending.push({ ...thread, phone });
    }

    // Customers: one per phone, found or inserted.
    const byPhone = groupBy(pending, (t) => t.phone);
    const customerIds = await findCustomerIds(customers, [...byPhone.keys()]);
    const missing = [...byPhone.keys()].filter((phone) => !customerIds.has(phone));
    for (const phone of byPhone.keys()) {
      if (countedPhones.has(phone)) continue;
      if (customerIds.has(phone)) result.customers.existing += 1;
      else if (dryRun) result.customers.created += 1;
      else continue; // counted below, from what the insert really did
      countedPhones.add(phone);
    }
    if (!dryRun && missing.length > 0) {
      const newDocs = missing.map((phone) =>
        newCustomerDocument(phone, byPhone.get(phone)!, options.defaultRegion),
      );
      const inserted = await insertIgnoringDuplicates(customers, newDocs);
      const found = await findCustomerIds(customers, missing);
      for (const phone of missing) {
        const id = found.get(phone);
        if (!id) throw new Error(`customer ${phone} neither inserted nor found`);
        customerIds.set(phone, id);
        if (countedPhones.has(phone)) continue;
        countedPhones.add(phone);
        if (inserted.has(phone)) result.customers.created += 1;
        else result.customers.existing += 1;
      }
    }
    await stage('customers', batch);

    // Conversations: one per thread, with the thread's id.
    const existingConversations = await conversations
      .find({ _id: { $in: pending.map((t) => t.id) } }, { projection: { _id: 1 } })
      .toArray();
    const existingConversationIds = new Set(existingConversations.map((c) => keyOf(c._id)));
    result.conversations.existing += existingConversationIds.size;
    const toOpen = pending.filter((t) => !existingConversationIds.has(t.id.toHexString()));
    if (dryRun) {
      result.conversations.created += toOpen.length;
      result.migrated += pending.length;
      report(batch);
      continue;
    }
    const conversationDocs = toOpen.map((t) =>
      newConversationDocument(t, customerIds.get(t.phone)!.toHexString()),
    );
    const openedNow = await insertIgnoringDuplicates(conversations, conversationDocs);
    result.conversations.created += openedNow.size;
    result.conversations.existing += conversationDocs.length - openedNow.size;
    await stage('conversations', batch);

    // Conversationthreads: the commit point of each thread.
    const threadDocs = pending.map((t) => newThreadDocument(t, customerIds.get(t.phone)!.toHexString()));
    const committed = await insertIgnoringDuplicates(threads, threadDocs);
    result.migrated += committed.size;
    result.alreadyMigrated += threadDocs.length - committed.size;
    await stage('threads', batch);

    // Statistics and dates of the customers touched so far, recomputed from what is stored: once
    // many are pending, and at the end. A customer seen in several batches is recomputed once.
    for (const t of pending) {
      const id = customerIds.get(t.phone)!;
      touchedCustomers.set(id.toHexString(), id);
    }
    if (touchedCustomers.size >= (options.recomputeThreshold ?? RECOMPUTE_THRESHOLD)) {
      result.statisticsUpdated += await recomputeCustomers(db, guard, [...touchedCustomers.values()]);
      touchedCustomers.clear();
      await stage('statistics', batch);
    }
    report(batch);
  }
  if (!dryRun && touchedCustomers.size > 0) {
    result.statisticsUpdated += await recomputeCustomers(db, guard, [...touchedCustomers.values()]);
    touchedCustomers.clear();
    await stage('statistics', batch);
  }
  result.limited = options.limit !== undefined && result.processed < total;
  result.elapsedMs = Date.now() - started;
  return result;

  function report(batchDone: number) {
    options.onProgress?.({
      batch: batchDone,
      batches: Math.max(batches, batchDone),
      processed: result.processed,
      total: target,
      elapsedMs: Date.now() - started,
    });
  }
}

/** Counts the source threads that have their conversationthread. Reads only. */
export async function verifyUserThreads(db: Db, batchSize = 1000): Promise<UserThreadVerification> {
  const source = db.collection(USER_THREADS);
  const threads = db.collection(COLLECTIONS.conversationThreads);
  const verification: UserThreadVerification = { source: 0, migrated: 0, missing: 0, missingSample: [] };
  let lastId: unknown;
  for (;;) {
    const ids = await source
      .find(afterId(lastId), { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .limit(batchSize)
      .toArray();
    if (ids.length === 0) break;
    lastId = ids.at(-1)!._id;
    const migratedIds = ids.map((d) => migratedIdOf(d._id));
    const found = await threads.find({ _id: { $in: migratedIds } }, { projection: { _id: 1 } }).toArray();
    const foundSet = new Set(found.map((d) => keyOf(d._id)));
    verification.source += ids.length;
    verification.migrated += foundSet.size;
    for (const d of ids) {
      if (foundSet.has(migratedIdOf(d._id).toHexString())) continue;
      verification.missing += 1;
      if (verification.missingSample.length < 10) verification.missingSample.push(keyOf(d._id));
    }
  }
  // A thread added while verifying is counted as source and missing: never a false "complete".
  const now = await source.countDocuments({});
  if (now !== verification.source) {
    verification.missing += Math.max(0, now - verification.source);
    verification.source = Math.max(now, verification.source);
  }
  return verification;
}

export type DropOutcome =
  | { dropped: true; verification: UserThreadVerification }
  | { dropped: false; reason: 'absent' }
  | { dropped: false; reason: 'incomplete'; verification: UserThreadVerification };

/** Drops `userthreads`, but only when every thread in it is migrated (checked right before). */
export async function dropUserThreads(db: Db): Promise<DropOutcome> {
  if (!(await userThreadsExist(db))) return { dropped: false, reason: 'absent' };
  const verification = await verifyUserThreads(db);
  if (verification.missing > 0 || verification.migrated !== verification.source) {
    return { dropped: false, reason: 'incomplete', verification };
  }
  await db.collection(USER_THREADS).drop();
  return { dropped: true, verification };
}

export async function userThreadsExist(db: Db): Promise<boolean> {
  const found = await db.listCollections({ name: USER_THREADS }, { nameOnly: true }).toArray();
  return found.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Reading the legacy documents

function readLegacyThread(doc: Document): LegacyThread {
  const id = migratedIdOf(doc._id);
  const createdAt =
    toDate(doc.createdAt) ??
    (doc._id instanceof ObjectId ? doc._id.getTimestamp() : undefined) ??
    toDate(doc.updatedAt) ??
    toDate(doc.lastInteraction) ??
    new Date(0);
  const updatedAt = toDate(doc.updatedAt) ?? toDate(doc.lastInteraction) ?? createdAt;
  const count = Number(doc.messageCount);
  const thread: LegacyThread = {
    sourceId: doc._id,
    key: keyOf(doc._id),
    id,
    userId: typeof doc.userId === 'string' || typeof doc.userId === 'number' ? String(doc.userId) : '',
    threadId: typeof doc.threadId === 'string' ? doc.threadId.trim() : '',
    messageCount: Number.isFinite(count) && count > 0 ? Math.floor(count) : 0,
    createdAt,
    updatedAt,
  };
  const lastInteraction = toDate(doc.lastInteraction);
  const lastCleanup = toDate(doc.lastCleanup);
  if (lastInteraction) thread.lastInteraction = lastInteraction;
  if (lastCleanup) thread.lastCleanup = lastCleanup;
  return thread;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

function normalisePhone(raw: string, region: PhoneRegion): string | undefined {
  try {
    return PhoneNumber.parse(raw, region).value;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The new documents (built through the entities and the adapters' mappers, so they read back)

function newCustomerDocument(phone: string, threads: PendingThread[], region: PhoneRegion): Document {
  const firstContact = minDate(threads.map((t) => t.createdAt))!;
  const customer = Customer.create(
    { phoneNumber: phone },
    { id: new ObjectId().toHexString(), now: firstContact, defaultRegion: region },
  ).toPrimitives();
  const lastInteraction = maxDate(threads.map((t) => t.lastInteraction ?? t.updatedAt));
  return customerToDocument({
    ...customer,
    firstContact,
    ...(lastInteraction ? { lastInteraction } : {}),
    statistics: {
      ...customer.statistics,
      totalConversations: threads.length,
      totalMessages: threads.reduce((sum, t) => sum + t.messageCount, 0),
    },
    createdAt: firstContact,
    updatedAt: maxDate(threads.map((t) => t.updatedAt)) ?? firstContact,
  });
}

function newConversationDocument(thread: PendingThread, customerId: string): Document {
  const conversation = Conversation.open(
    { customerId, source: `userthread:${thread.key}`.slice(0, 200), isAIEnabled: true },
    { id: thread.id.toHexString(), now: thread.createdAt },
  ).toPrimitives();
  return conversationToDocument({
    ...conversation,
    status: 'open',
    messageCount: thread.messageCount,
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt,
  });
}

function newThreadDocument(thread: PendingThread, customerId: string): Document {
  return threadToDocument({
    id: thread.id.toHexString(),
    conversationId: thread.id.toHexString(),
    customerId,
    userId: thread.userId,
    threadId: thread.threadId,
    messageCount: thread.messageCount,
    ...(thread.lastInteraction ? { lastInteraction: thread.lastInteraction } : {}),
    ...(thread.lastCleanup ? { lastCleanup: thread.lastCleanup } : {}),
    isActive: true,
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt,
  });
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * `insertMany` (unordered) that treats duplicate keys as "already there". Returns the keys of the
 * documents it inserted: `phoneNumber` for customers, the hex `_id` otherwise.
 */
async function insertIgnoringDuplicates(collection: Collection, docs: Document[]): Promise<Set<string>> {
  const keyOfDoc = (doc: Document) =>
    typeof doc.phoneNumber === 'string' && collection.collectionName === COLLECTIONS.customers
      ? doc.phoneNumber
      : keyOf(doc._id);
  if (docs.length === 0) return new Set();
  try {
    await collection.insertMany(docs, { ordered: false });
    return new Set(docs.map(keyOfDoc));
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    if (!writeErrors.every(isDuplicateWrite)) throw error;
    const failed = new Set(writeErrors.map((w) => w.index));
    return new Set(docs.filter((_, i) => !failed.has(i)).map(keyOfDoc));
  }
}

function isDuplicateWrite(w: { code?: number; errmsg?: string }): boolean {
  return w.code === 11000 || w.code === 11001 || /duplicate key|UNIQUE constraint/i.test(w.errmsg ?? '');
}

/** Without the unique phone index two customers could get the same phone: refuse to start. */
async function assertUniquePhoneIndex(db: Db): Promise<void> {
  const indexes = await db
    .collection(COLLECTIONS.customers)
    .listIndexes()
    .toArray()
    .catch(() => []);
  if (!indexes.some((ix) => ix.unique === true && sameKey(ix.key, { phoneNumber: 1 }))) {
    throw new Error(
      'customers has no unique index on phoneNumber: run `migrate up` first (it creates every collection and index)',
    );
  }
}

async function findCustomerIds(customers: Collection, phones: string[]): Promise<Map<string, ObjectId>> {
  if (phones.length === 0) return new Map();
  const found = await customers
    .find({ phoneNumber: { $in: phones } }, { projection: { _id: 1, phoneNumber: 1 } })
    .toArray();
  return new Map(found.map((c) => [c.phoneNumber as string, c._id as ObjectId]));
}

/**
 * Sets each customer's conversation and message totals to what its stored conversations add up
 * to, `firstContact` to the earliest conversation (or the earlier stored value), and
 * `lastInteraction` / `updatedAt` to the latest thread activity (or the later stored value).
 * Writes only what differs, each write conditional on the version read (and under the document
 * lock where updates are not atomic); a customer changed meanwhile is read and computed again.
 * Returns how many customers changed.
 */
async function recomputeCustomers(db: Db, guard: WriteGuard, ids: ObjectId[]): Promise<number> {
  let changed = 0;
  for (let start = 0; start < ids.length; start += RECOMPUTE_CHUNK) {
    let pending = ids.slice(start, start + RECOMPUTE_CHUNK);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > STATISTICS_RETRIES) {
        throw new Error(`customers kept changing while their totals were recomputed: ${pending.join(', ')}`);
      }
      const updates = await customerUpdates(db, pending);
      const written = await applyCustomerUpdates(db, guard, updates);
      changed += written.size;
      pending = updates.filter((u) => !written.has(u.key)).map((u) => u.filter._id);
    }
  }
  return changed;
}

interface CustomerUpdate {
  key: string;
  filter: { _id: ObjectId; version: number | { $exists: false } };
  set: Document;
}

/** What must change on each customer of `ids` (customers already right, or gone, are left out). */
async function customerUpdates(db: Db, ids: ObjectId[]): Promise<CustomerUpdate[]> {
  const [customers, convs, threads] = await Promise.all([
    db
      .collection(COLLECTIONS.customers)
      .find(
        { _id: { $in: ids } },
        { projection: { statistics: 1, firstContact: 1, lastInteraction: 1, updatedAt: 1, version: 1 } },
      )
      .toArray(),
    db
      .collection(COLLECTIONS.conversations)
      .find({ customerId: { $in: ids } }, { projection: { customerId: 1, createdAt: 1, messageCount: 1 } })
      .toArray(),
    db
      .collection(COLLECTIONS.conversationThreads)
      .find({ customerId: { $in: ids } }, { projection: { customerId: 1, lastInteraction: 1, updatedAt: 1 } })
      .toArray(),
  ]);
  const convsOf = groupBy(convs, (c) => keyOf(c.customerId));
  const threadsOf = groupBy(threads, (t) => keyOf(t.customerId));
  const updates: CustomerUpdate[] = [];
  for (const current of customers) {
    const key = keyOf(current._id);
    const mine = convsOf.get(key) ?? [];
    const myThreads = threadsOf.get(key) ?? [];
    const set: Document = {};
    const totalConversations = mine.length;
    const totalMessages = mine.reduce((sum, c) => sum + (Number(c.messageCount) || 0), 0);
    if (current.statistics?.totalConversations !== totalConversations) {
      set['statistics.totalConversations'] = totalConversations;
    }
    if (current.statistics?.totalMessages !== totalMessages) set['statistics.totalMessages'] = totalMessages;
    const firstContact = minDate([toDate(current.firstContact), ...mine.map((c) => toDate(c.createdAt))]);
    if (firstContact && !sameDate(firstContact, current.firstContact)) set.firstContact = firstContact;
    const lastInteraction = maxDate([
      toDate(current.lastInteraction),
      ...myThreads.map((t) => toDate(t.lastInteraction) ?? toDate(t.updatedAt)),
    ]);
    if (lastInteraction && !sameDate(lastInteraction, current.lastInteraction)) {
      set.lastInteraction = lastInteraction;
    }
    const updatedAt = maxDate([toDate(current.updatedAt), ...myThreads.map((t) => toDate(t.updatedAt))]);
    if (updatedAt && !sameDate(updatedAt, current.updatedAt)) set.updatedAt = updatedAt;
    if (Object.keys(set).length === 0) continue;
    const version = typeof current.version === 'number' ? current.version : undefined;
    set.version = (version ?? 0) + 1;
    updates.push({
      key,
      filter: { _id: current._id as ObjectId, version: version === undefined ? { $exists: false } : version },
      set,
    });
  }
  return updates;
}

/** Applies the updates; returns the keys of the customers written (the others changed meanwhile). */
async function applyCustomerUpdates(
  db: Db,
  guard: WriteGuard,
  updates: CustomerUpdate[],
): Promise<Set<string>> {
  const customers = db.collection(COLLECTIONS.customers);
  const written = new Set<string>();
  if (updates.length === 0) return written;
  if (guard.native) {
    await customers.bulkWrite(
      updates.map((u) => ({ updateOne: { filter: u.filter, update: { $set: u.set } } })),
      { ordered: false },
    );
    // The bulk result does not say which matched: a customer is written when it has the new version.
    const after = await customers
      .find({ _id: { $in: updates.map((u) => u.filter._id) } }, { projection: { version: 1 } })
      .toArray();
    const versions = new Map(after.map((c) => [keyOf(c._id), c.version]));
    for (const u of updates) if (versions.get(u.key) === u.set.version) written.add(u.key);
    return written;
  }
  // One at a time: FerretDB v1 (the only server without atomic updates) serialises writes in
  // SQLite, and concurrent ones only wait on each other's locks.
  for (const u of updates) {
    const result = await guard.exclusive(COLLECTIONS.customers, u.key, () =>
      customers.updateOne(u.filter, { $set: u.set }),
    );
    if (result.matchedCount === 1) written.add(u.key);
  }
  return written;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Keyset on `_id` (ascending). */
function afterId(lastId: unknown): Filter<Document> {
  return lastId === undefined ? {} : { _id: { $gt: lastId as ObjectId } };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function minDate(dates: (Date | undefined)[]): Date | undefined {
  let min: Date | undefined;
  for (const d of dates) if (d && (!min || d.getTime() < min.getTime())) min = d;
  return min;
}

function maxDate(dates: (Date | undefined)[]): Date | undefined {
  let max: Date | undefined;
  for (const d of dates) if (d && (!max || d.getTime() > max.getTime())) max = d;
  return max;
}

function sameDate(a: Date, b: unknown): boolean {
  return b instanceof Date && a.getTime() === b.getTime();
}
