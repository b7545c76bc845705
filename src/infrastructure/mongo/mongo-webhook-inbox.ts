import { BSON, type Collection, type Db, type Document, MongoServerError } from 'mongodb';
import { z } from 'zod';
import {
  clampInboxBatch,
  type InboxEvent,
  type InboxRecord,
  MAX_INBOX_BATCH,
  type WebhookInbox,
} from '../../application/ports/webhook-inbox.js';
import { COLLECTIONS } from './indexes.js';
import {
  assertDate,
  assertString,
  BULK_CHUNK,
  bulkWriteChunked,
  describeIssues,
  InvalidDocumentError,
  insertManyReportingDuplicates,
  opt,
  readDocument,
  zDate,
} from './mongo-common.js';

/**
 * The webhook inbox on MongoDB / FerretDB: collection `webhookinbox`, one document per event with
 * `_id` = the event key, so the `_id` index is what refuses a redelivered event (atomic on every
 * server, FerretDB v1 included). The events of the webhooks arriving together are stored by one
 * `insertMany` (group commit, see #write); a processed batch is deleted by one command. Records
 * are not leased one by one: the processor holds the inbox's job lock (JobLock), so a batch costs
 * the same few round trips whatever its size.
 */

const eventSchema = z.looseObject({
  kind: z.enum(['message', 'status']),
  key: z.string(),
  orderKey: z.string(),
});

const recordSchema = z.object({
  _id: z.string(),
  // Relaxed Extended JSON text (what `add` writes), or the event as a sub-document (records written
  // before the inbox stored its events as text).
  event: z.union([z.string(), eventSchema]),
  receivedAt: zDate,
  position: z.number(),
  attempts: z.number(),
  dueAt: opt(zDate),
  waitingFor: opt(z.string()),
  lastError: opt(z.string()),
});

interface InboxDocument {
  _id: string;
  /**
   * The event as relaxed Extended JSON text (dates kept as `{"$date": …}`): the inbox is a queue of
   * opaque payloads (nothing is ever queried inside an event), and as one string field a record is
   * cheap to decode for a server that decodes every document it scans (FerretDB v1: reading 500 due
   * records of 2,000 took 170 ms instead of 380–460 ms with the event as a sub-document).
   */
  event: string;
  receivedAt: Date;
  position: number;
  attempts: number;
  dueAt?: Date;
  waitingFor?: string;
  lastError?: string;
}

function fromDocument(doc: Document): InboxRecord {
  const { _id, event, ...rest } = readDocument(COLLECTIONS.webhookInbox, recordSchema, doc);
  const decoded = typeof event === 'string' ? decodeEvent(event, _id) : event;
  return { key: _id, event: decoded as unknown as InboxEvent, ...rest };
}

/** An event written as Extended JSON text, checked like one stored as a sub-document. */
function decodeEvent(text: string, id: string): z.output<typeof eventSchema> {
  let value: unknown;
  try {
    value = BSON.EJSON.parse(text, { relaxed: true });
  } catch (error) {
    throw new InvalidDocumentError(COLLECTIONS.webhookInbox, id, [
      `event: not Extended JSON (${String(error)})`,
    ]);
  }
  const parsed = eventSchema.safeParse(value);
  if (!parsed.success)
    throw new InvalidDocumentError(COLLECTIONS.webhookInbox, id, describeIssues(parsed.error));
  return parsed.data;
}

/** A webhook's records waiting for the group commit (see #write). */
interface PendingAdd {
  docs: InboxDocument[];
  resolve: (counts: { added: number; duplicates: number }) => void;
  reject: (error: unknown) => void;
}

export class MongoWebhookInbox implements WebhookInbox {
  private readonly records: Collection<InboxDocument>;
  readonly #waiting: PendingAdd[] = [];
  #writing = false;

  constructor(db: Db) {
    this.records = db.collection<InboxDocument>(COLLECTIONS.webhookInbox);
  }

  async add(events: InboxEvent[], receivedAt: Date): Promise<{ added: number; duplicates: number }> {
    assertDate('receivedAt', receivedAt);
    if (events.length === 0) return { added: 0, duplicates: 0 };
    const docs = events.map(
      (event, position): InboxDocument => ({
        _id: assertString('key', event.key),
        // Keys whose value is undefined are left out, as JSON does.
        event: BSON.EJSON.stringify(event, { relaxed: true }),
        receivedAt,
        position,
        attempts: 0,
        dueAt: receivedAt,
      }),
    );
    return new Promise((resolve, reject) => {
      this.#waiting.push({ docs, resolve, reject });
      if (!this.#writing) void this.#write();
    });
  }

  /**
   * Group commit: while one insert is in flight, the webhooks arriving meanwhile wait, and then go
   * to the database together as ONE unordered insertMany (each still answered with its own counts,
   * and only once its records are stored). No timer: a lone webhook is written at once; under load
   * one command (one transaction on FerretDB's single writer) carries dozens of webhooks instead
   * of one each. A group the server refuses for another reason than duplicates is retried webhook
   * by webhook, so that one bad webhook does not fail its neighbours (a record the failed command had
   * stored before failing then counts as a duplicate in its webhook's answer: stored either way). A
   * group that failed without the server's answer (network, no server, timeout) fails as a whole at
   * once: retrying it webhook by webhook would make the last one wait for every failure before it.
   */
  async #write(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#waiting.length > 0) {
        const group = this.#takeGroup();
        try {
          await this.#insertGroup(group);
        } catch (error) {
          if (group.length === 1 || !(error instanceof MongoServerError))
            for (const one of group) one.reject(error);
          else for (const one of group) await this.#insertGroup([one]).catch(one.reject);
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  /** The waiting webhooks, oldest first, up to MAX_INBOX_BATCH records (a webhook is never split). */
  #takeGroup(): PendingAdd[] {
    let records = 0;
    let n = 0;
    while (n < this.#waiting.length) {
      const size = this.#waiting[n]!.docs.length;
      if (n > 0 && records + size > MAX_INBOX_BATCH) break;
      records += size;
      n += 1;
    }
    return this.#waiting.splice(0, n);
  }

  async #insertGroup(group: PendingAdd[]): Promise<void> {
    const docs = group.flatMap((g) => g.docs);
    // Unordered: every new event is written even when some of its neighbours are duplicates.
    const { duplicates } = await insertManyReportingDuplicates(this.records, docs);
    const refused = new Set(duplicates);
    let offset = 0;
    for (const one of group) {
      let dup = 0;
      for (let i = 0; i < one.docs.length; i++) if (refused.has(offset + i)) dup += 1;
      offset += one.docs.length;
      one.resolve({ added: one.docs.length - dup, duplicates: dup });
    }
  }

  async due(now: Date, limit: number): Promise<InboxRecord[]> {
    const n = clampInboxBatch(limit);
    const docs = await this.records
      .find({ dueAt: { $lte: assertDate('now', now) } })
      .sort({ dueAt: 1, receivedAt: 1, position: 1 })
      .limit(n)
      // The whole batch in the first reply (the default first batch is 101 documents: a batch of
      // 500 took two more round trips, each a getMore).
      .batchSize(n)
      .toArray();
    return docs.map(fromDocument);
  }

  async complete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    for (const k of keys) assertString('key', k);
    // A small batch (one command's worth): a delete statement per key, whose cost follows the batch.
    // A larger one: one `deleteMany` by `_id $in` per MAX_INBOX_BATCH keys — on MongoDB an index
    // lookup per key; on FerretDB v1 (which answers only a lone `_id` from its index) one scan of the
    // inbox, measured cheaper than a statement per key (each its own SQLite transaction, ~0.7 ms) up
    // to inboxes of several thousand records (500 keys: 124–140 ms against 348–400 ms).
    if (keys.length <= BULK_CHUNK) {
      await bulkWriteChunked(
        this.records,
        keys.map((k) => ({ deleteOne: { filter: { _id: k } } })),
      );
      return;
    }
    for (let start = 0; start < keys.length; start += MAX_INBOX_BATCH) {
      await this.records.deleteMany({ _id: { $in: keys.slice(start, start + MAX_INBOX_BATCH) } });
    }
  }

  async reschedule(
    key: string,
    fields: { attempts: number; dueAt?: Date; waitingFor?: string; lastError?: string },
  ): Promise<void> {
    const set: Document = { attempts: fields.attempts };
    const unset: Record<string, ''> = {};
    for (const name of ['dueAt', 'waitingFor', 'lastError'] as const) {
      if (fields[name] === undefined) unset[name] = '';
      else set[name] = fields[name];
    }
    const update = Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set };
    await this.records.updateOne({ _id: assertString('key', key) }, update);
  }

  async wake(whatsappMessageId: string, now: Date): Promise<number> {
    const result = await this.records.updateMany(
      { waitingFor: assertString('whatsappMessageId', whatsappMessageId), dueAt: { $gt: now } },
      { $set: { dueAt: assertDate('now', now) } },
    );
    return result.modifiedCount;
  }

  async counts(now: Date): Promise<{ due: number; waiting: number; dead: number }> {
    const [due, waiting, dead] = await Promise.all([
      this.records.countDocuments({ dueAt: { $lte: now } }),
      this.records.countDocuments({ dueAt: { $gt: now } }),
      this.records.countDocuments({ dueAt: { $exists: false } }),
    ]);
    return { due, waiting, dead };
  }
}
