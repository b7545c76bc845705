import { type Collection, type Db, type Document, MongoBulkWriteError } from 'mongodb';
import { z } from 'zod';
import { clampLimit } from '../../application/ports/pagination.js';
import type { InboxEvent, InboxRecord, WebhookInbox } from '../../application/ports/webhook-inbox.js';
import { COLLECTIONS } from './indexes.js';
import {
  assertDate,
  assertString,
  dropUndefined,
  isDuplicateKeyError,
  opt,
  readDocument,
  zDate,
} from './mongo-common.js';

/**
 * The webhook inbox on MongoDB / FerretDB: collection `webhookinbox`, one document per event with
 * `_id` = the event key (so the `_id` index is what refuses a redelivered event), and the inbox
 * lease as one document of `workerleases` (`_id: 'webhook-inbox'`).
 *
 * Why a lease over the whole inbox instead of a lease per record: taking a lease is one insert
 * against a unique `_id`, which is atomic on every server (FerretDB v1's updates are not, see
 * write-guard.ts), and a batch then costs three round trips (renew, find, delete) whatever its size.
 * The price is that one node processes the inbox at a time; the others stand by and take over within
 * LEASE duration if it dies.
 */

const LEASE_ID = 'webhook-inbox';

const recordSchema = z.object({
  _id: z.string(),
  event: z.looseObject({ kind: z.enum(['message', 'status']), key: z.string(), orderKey: z.string() }),
  receivedAt: zDate,
  position: z.number(),
  attempts: z.number(),
  dueAt: opt(zDate),
  waitingFor: opt(z.string()),
  lastError: opt(z.string()),
});

interface InboxDocument {
  _id: string;
  event: InboxEvent;
  receivedAt: Date;
  position: number;
  attempts: number;
  dueAt?: Date;
  waitingFor?: string;
  lastError?: string;
}

interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

function fromDocument(doc: Document): InboxRecord {
  const { _id, event, ...rest } = readDocument(COLLECTIONS.webhookInbox, recordSchema, doc);
  return { key: _id, event: event as unknown as InboxEvent, ...rest };
}

export class MongoWebhookInbox implements WebhookInbox {
  private readonly records: Collection<InboxDocument>;
  private readonly leases: Collection<LeaseDocument>;

  constructor(db: Db) {
    this.records = db.collection<InboxDocument>(COLLECTIONS.webhookInbox);
    this.leases = db.collection<LeaseDocument>(COLLECTIONS.workerLeases);
  }

  async add(events: InboxEvent[], receivedAt: Date): Promise<{ added: number; duplicates: number }> {
    assertDate('receivedAt', receivedAt);
    if (events.length === 0) return { added: 0, duplicates: 0 };
    const docs = events.map((event, position): InboxDocument => ({
      _id: assertString('key', event.key),
      event: dropUndefined(event),
      receivedAt,
      position,
      attempts: 0,
      dueAt: receivedAt,
    }));
    try {
      // Unordered: every new event is written even when some of its neighbours are duplicates.
      const result = await this.records.insertMany(docs, { ordered: false });
      return { added: result.insertedCount, duplicates: 0 };
    } catch (error) {
      if (error instanceof MongoBulkWriteError && onlyDuplicates(error)) {
        const added = error.result.insertedCount;
        return { added, duplicates: events.length - added };
      }
      if (docs.length === 1 && isDuplicateKeyError(error)) return { added: 0, duplicates: 1 };
      throw error;
    }
  }

  async claim(worker: string, now: Date, leaseUntil: Date, limit: number): Promise<InboxRecord[]> {
    assertDate('now', now);
    assertDate('leaseUntil', leaseUntil);
    if (!(await this.#takeLease(worker, now, leaseUntil))) return [];
    const docs = await this.records
      .find({ dueAt: { $lte: now } })
      .sort({ dueAt: 1, receivedAt: 1, position: 1 })
      .limit(clampLimit(limit))
      .toArray();
    return docs.map(fromDocument);
  }

  async release(worker: string): Promise<void> {
    await this.leases.deleteOne({ _id: LEASE_ID, owner: assertString('worker', worker) });
  }

  async complete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.records.deleteMany({ _id: { $in: keys.map((k) => assertString('key', k)) } });
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
    await this.records.updateOne({ _id: assertString('key', key) }, { $set: set, $unset: unset });
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

  /**
   * Renews the lease when `worker` holds it; otherwise takes it if it is free or expired. Taking is
   * an insert on the unique `_id`: of several nodes racing for it, exactly one wins.
   */
  async #takeLease(worker: string, now: Date, until: Date): Promise<boolean> {
    const owner = assertString('worker', worker);
    const renewed = await this.leases.updateOne({ _id: LEASE_ID, owner }, { $set: { expiresAt: until } });
    if (renewed.matchedCount === 1) return true;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.leases.insertOne({ _id: LEASE_ID, owner, expiresAt: until });
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const held = await this.leases.findOne({ _id: LEASE_ID });
      if (held && held.expiresAt.getTime() > now.getTime()) return false;
      // Expired (its holder died or stalled): remove exactly that lease, then compete again.
      if (held) await this.leases.deleteOne({ _id: LEASE_ID, owner: held.owner });
    }
    return false;
  }
}

function onlyDuplicates(error: MongoBulkWriteError): boolean {
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && writeErrors.every((w) => w.code === 11000 || w.code === 11001);
}
