import type { MessageStatusUpdate } from '../messages/apply-message-status.js';
import type { InboundMessage } from '../messages/receive-inbound-message.js';

/**
 * The webhook inbox: WhatsApp events stored durably BEFORE the webhook is acknowledged, then
 * processed asynchronously (src/application/webhook-inbox/process-webhook-inbox.ts). One record
 * per event (not per HTTP request), keyed by the event's dedupe key, so a redelivered webhook adds
 * nothing while its first copy is still waiting. Processed records are deleted: after that,
 * de-duplication is the job of the stores themselves (the unique WhatsApp message id of
 * `messages`, and statuses that only ever move forward).
 */

/** A customer's message or a delivery status, as the webhook route stored it. */
export type InboxEvent =
  | {
      kind: 'message';
      /** `message:<wamid>`. */
      key: string;
      /** Events with the same order key are processed one at a time, in arrival order (the customer's wa_id). */
      orderKey: string;
      message: InboundMessage;
    }
  | {
      kind: 'status';
      /** `status:<wamid>:<status>`. */
      key: string;
      orderKey: string;
      status: MessageStatusUpdate;
    };

export interface InboxRecord {
  key: string;
  event: InboxEvent;
  receivedAt: Date;
  /** Position of the event in its webhook body (ties of receivedAt keep the body's order). */
  position: number;
  /** Failed or waiting attempts so far. */
  attempts: number;
  /** When the record may be processed (again); absent on a dead record (given up, kept for inspection). */
  dueAt?: Date;
  /** A status waiting for its message to get this WhatsApp id (see `wake`). */
  waitingFor?: string;
  lastError?: string;
}

/**
 * Most records `due()` returns in one call: a batch is processed as a whole (ReceiveInboundMessages
 * amortises its reads and writes over it), so a larger one costs fewer commands per message, up to
 * the point where its writes hold the database long enough to delay webhooks' acknowledgements.
 */
export const MAX_INBOX_BATCH = 1_000;

/** `limit` as `due()` honours it: a whole number from 1 to MAX_INBOX_BATCH. */
export function clampInboxBatch(limit: number): number {
  if (!Number.isFinite(limit) || limit < 1) return 1;
  return Math.min(Math.trunc(limit), MAX_INBOX_BATCH);
}

export interface WebhookInbox {
  /**
   * Stores `events` received at `receivedAt`; an event whose key is already in the inbox is skipped.
   * When the promise resolves the new records are durable (the webhook may be acknowledged).
   */
  add(events: InboxEvent[], receivedAt: Date): Promise<{ added: number; duplicates: number }>;
  /**
   * Up to `limit` (clampInboxBatch) records due at `now`, oldest first (dueAt, receivedAt,
   * position). Nothing is leased here: the processor holds the inbox's job lock (one processor at a
   * time across nodes).
   */
  due(now: Date, limit: number): Promise<InboxRecord[]>;
  /** Deletes processed records. */
  complete(keys: string[]): Promise<void>;
  /**
   * Records a failed or waiting attempt: `attempts`, the next `dueAt` (undefined: dead, never due
   * again), `waitingFor`, `lastError`.
   */
  reschedule(
    key: string,
    fields: { attempts: number; dueAt?: Date; waitingFor?: string; lastError?: string },
  ): Promise<void>;
  /** Statuses waiting for `whatsappMessageId` become due at `now`. Returns how many. */
  wake(whatsappMessageId: string, now: Date): Promise<number>;
  /** Records by state at `now`: due, due later (retries, statuses waiting for their message), dead. */
  counts(now: Date): Promise<{ due: number; waiting: number; dead: number }>;
}
