import {
  clampInboxBatch,
  type InboxEvent,
  type InboxRecord,
  type WebhookInbox,
} from '../../application/ports/webhook-inbox.js';
import { copy, ms } from './memory-support.js';

/** A stored record with its sort key precomputed (see `#queue`). */
interface Entry {
  record: InboxRecord;
  /** `record.dueAt` in ms; meaningless for a dead record (not queued). */
  due: number;
  received: number;
  /** Order of the key's first `add`: the last tie-break, as Map insertion order was. */
  seq: number;
}

/** The order of `due()`: dueAt, receivedAt, position, then first arrival. */
const byDueOrder = (a: Entry, b: Entry): number =>
  a.due - b.due || a.received - b.received || a.record.position - b.record.position || a.seq - b.seq;

/**
 * The webhook inbox in process memory (lost on restart: the in-memory adapters are for development
 * and tests). Same contract as the MongoDB one (test/contract/webhook-inbox.contract.ts).
 *
 * Besides the records by key, two indexes keep every operation from scanning the whole inbox:
 * `#queue`, the records that have a `dueAt`, kept sorted in `due()` order (binary-search insert and
 * removal), so `due()` reads only the front and `counts()` is a binary search; and `#waiting`, the keys
 * parked on a WhatsApp message id, for `wake()`. Every change of a record's `dueAt` or `waitingFor`
 * goes through #queueEntry / #unqueueEntry / #park / #unpark.
 */
export class InMemoryWebhookInbox implements WebhookInbox {
  readonly #records = new Map<string, Entry>();
  readonly #queue: Entry[] = [];
  readonly #waiting = new Map<string, Set<string>>();
  #seq = 0;

  async add(events: InboxEvent[], receivedAt: Date): Promise<{ added: number; duplicates: number }> {
    let added = 0;
    const received = ms(receivedAt);
    events.forEach((event, position) => {
      if (this.#records.has(event.key)) return;
      const record: InboxRecord = copy({
        key: event.key,
        event,
        receivedAt,
        position,
        attempts: 0,
        dueAt: receivedAt,
      });
      const entry: Entry = { record, due: received, received, seq: this.#seq++ };
      this.#records.set(event.key, entry);
      this.#queueEntry(entry);
      added += 1;
    });
    return { added, duplicates: events.length - added };
  }

  async due(now: Date, limit: number): Promise<InboxRecord[]> {
    const at = ms(now);
    const max = clampInboxBatch(limit);
    const due: InboxRecord[] = [];
    for (const entry of this.#queue) {
      if (due.length >= max || entry.due > at) break;
      due.push(copy(entry.record));
    }
    return due;
  }

  async complete(keys: string[]): Promise<void> {
    const gone = new Set<Entry>();
    for (const key of keys) {
      const entry = this.#records.get(key);
      if (!entry) continue;
      this.#records.delete(key);
      this.#unpark(entry);
      if (entry.record.dueAt !== undefined) gone.add(entry);
    }
    // A processed batch is usually the front of the queue: drop that run in one splice (one shift of
    // the backlog per batch, not one per record), then whatever is left one by one.
    let front = 0;
    while (front < this.#queue.length && gone.has(this.#queue[front]!)) front += 1;
    if (front > 0) this.#queue.splice(0, front);
    if (front < gone.size) {
      for (const entry of gone) this.#unqueueEntry(entry); // the front run is no longer found
    }
  }

  async reschedule(
    key: string,
    fields: { attempts: number; dueAt?: Date; waitingFor?: string; lastError?: string },
  ): Promise<void> {
    const entry = this.#records.get(key);
    if (!entry) return;
    this.#unqueueEntry(entry);
    this.#unpark(entry);
    const next: InboxRecord = { ...entry.record, attempts: fields.attempts };
    delete next.dueAt;
    delete next.waitingFor;
    delete next.lastError;
    if (fields.dueAt) next.dueAt = new Date(fields.dueAt);
    if (fields.waitingFor !== undefined) next.waitingFor = fields.waitingFor;
    if (fields.lastError !== undefined) next.lastError = fields.lastError;
    entry.record = next;
    if (next.dueAt !== undefined) entry.due = ms(next.dueAt);
    this.#queueEntry(entry);
    this.#park(entry);
  }

  async wake(whatsappMessageId: string, now: Date): Promise<number> {
    const at = ms(now);
    let woken = 0;
    for (const key of this.#waiting.get(whatsappMessageId) ?? []) {
      const entry = this.#records.get(key)!;
      if (entry.record.dueAt === undefined || entry.due <= at) continue;
      this.#unqueueEntry(entry);
      entry.record.dueAt = new Date(now);
      entry.due = at;
      this.#queueEntry(entry);
      woken += 1;
    }
    return woken;
  }

  async counts(now: Date): Promise<{ due: number; waiting: number; dead: number }> {
    const due = this.#firstAfter((entry) => entry.due > ms(now));
    return {
      due,
      waiting: this.#queue.length - due,
      dead: this.#records.size - this.#queue.length,
    };
  }

  /** Index in `#queue` of the first entry for which `after` holds (the queue is sorted for it). */
  #firstAfter(after: (entry: Entry) => boolean): number {
    let lo = 0;
    let hi = this.#queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (after(this.#queue[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  #queueEntry(entry: Entry): void {
    if (entry.record.dueAt === undefined) return;
    // Mostly appended at the end (new records arrive in time order): check that first.
    const last = this.#queue.at(-1);
    if (last === undefined || byDueOrder(last, entry) < 0) this.#queue.push(entry);
    else
      this.#queue.splice(
        this.#firstAfter((other) => byDueOrder(other, entry) > 0),
        0,
        entry,
      );
  }

  /** Call before changing `entry.due`: the entry is found by its current sort key. */
  #unqueueEntry(entry: Entry): void {
    if (entry.record.dueAt === undefined) return;
    const at = this.#firstAfter((other) => byDueOrder(other, entry) >= 0);
    if (this.#queue[at] === entry) this.#queue.splice(at, 1);
  }

  #park(entry: Entry): void {
    const id = entry.record.waitingFor;
    if (id === undefined) return;
    let keys = this.#waiting.get(id);
    if (!keys) {
      keys = new Set();
      this.#waiting.set(id, keys);
    }
    keys.add(entry.record.key);
  }

  #unpark(entry: Entry): void {
    const id = entry.record.waitingFor;
    if (id === undefined) return;
    const keys = this.#waiting.get(id);
    keys?.delete(entry.record.key);
    if (keys?.size === 0) this.#waiting.delete(id);
  }
}
