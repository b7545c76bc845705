import type { InboxEvent, InboxRecord, WebhookInbox } from '../../application/ports/webhook-inbox.js';
import { copy, ms } from './memory-support.js';

/**
 * The webhook inbox in process memory (lost on restart: the in-memory adapters are for development
 * and tests). Same contract as the MongoDB one (test/contract/webhook-inbox.contract.ts).
 */
export class InMemoryWebhookInbox implements WebhookInbox {
  readonly #records = new Map<string, InboxRecord>();

  async add(events: InboxEvent[], receivedAt: Date): Promise<{ added: number; duplicates: number }> {
    let added = 0;
    events.forEach((event, position) => {
      if (this.#records.has(event.key)) return;
      this.#records.set(
        event.key,
        copy({ key: event.key, event, receivedAt, position, attempts: 0, dueAt: receivedAt }),
      );
      added += 1;
    });
    return { added, duplicates: events.length - added };
  }

  async due(now: Date, limit: number): Promise<InboxRecord[]> {
    const at = ms(now);
    const due: InboxRecord[] = [];
    for (const record of this.#records.values()) {
      if (record.dueAt !== undefined && ms(record.dueAt) <= at) due.push(record);
    }
    due.sort(
      (a, b) => ms(a.dueAt!) - ms(b.dueAt!) || ms(a.receivedAt) - ms(b.receivedAt) || a.position - b.position,
    );
    return due.slice(0, Math.max(1, limit)).map(copy);
  }

  async complete(keys: string[]): Promise<void> {
    for (const key of keys) this.#records.delete(key);
  }

  async reschedule(
    key: string,
    fields: { attempts: number; dueAt?: Date; waitingFor?: string; lastError?: string },
  ): Promise<void> {
    const record = this.#records.get(key);
    if (!record) return;
    const next: InboxRecord = { ...record, attempts: fields.attempts };
    delete next.dueAt;
    delete next.waitingFor;
    delete next.lastError;
    if (fields.dueAt) next.dueAt = new Date(fields.dueAt);
    if (fields.waitingFor !== undefined) next.waitingFor = fields.waitingFor;
    if (fields.lastError !== undefined) next.lastError = fields.lastError;
    this.#records.set(key, next);
  }

  async wake(whatsappMessageId: string, now: Date): Promise<number> {
    let woken = 0;
    for (const record of this.#records.values()) {
      if (
        record.waitingFor === whatsappMessageId &&
        record.dueAt !== undefined &&
        ms(record.dueAt) > ms(now)
      ) {
        record.dueAt = new Date(now);
        woken += 1;
      }
    }
    return woken;
  }

  async counts(now: Date): Promise<{ due: number; waiting: number; dead: number }> {
    const counts = { due: 0, waiting: 0, dead: 0 };
    for (const record of this.#records.values()) {
      if (record.dueAt === undefined) counts.dead += 1;
      else if (ms(record.dueAt) <= ms(now)) counts.due += 1;
      else counts.waiting += 1;
    }
    return counts;
  }
}
