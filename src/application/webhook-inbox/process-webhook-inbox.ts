import { retryBackoffMs } from '../../domain/message/message.js';
import type { SystemSettingPrimitives } from '../../domain/settings/settings.types.js';
import { ConcurrencyError, DomainError } from '../../domain/shared/errors.js';
import { ApplyMessageStatus } from '../messages/apply-message-status.js';
import { ReceiveInboundMessage } from '../messages/receive-inbound-message.js';
import { ReceiveInboundMessages } from '../messages/receive-inbound-messages.js';
import type { Ports } from '../ports/ports.js';
import type { SettingsRepository } from '../ports/repositories.js';
import type { InboxEvent, InboxRecord } from '../ports/webhook-inbox.js';

/** The job lock that makes one worker at a time (across nodes) process the inbox. */
export const WEBHOOK_INBOX_JOB = 'webhook-inbox';
/** How long a worker holds the inbox per batch (renewed every batch; a batch must finish well within it). */
export const INBOX_LEASE_MS = 30_000;
/** Attempts at processing one event before it is given up (kept in the inbox as dead). */
export const MAX_INBOX_ATTEMPTS = 10;
/**
 * How long a status waits for its message to get its WhatsApp id. The usual gap is the time
 * between WhatsApp's answer to our send and our write of `sent` (milliseconds); a status still
 * unknown after this is for a message this CRM did not send, or whose send result was lost.
 */
export const STATUS_WAIT_LIMIT_MS = 60 * 60_000;
/** Customers processed side by side within a batch (one customer's events stay in order). */
export const DEFAULT_INBOX_CONCURRENCY = 8;

export interface InboxFailure {
  key: string;
  error: string;
  /** dead: given up (kept in the inbox); dropped: a status whose message never became known (deleted). */
  outcome: 'retry' | 'dead' | 'dropped';
}

export interface InboxReport {
  claimed: number;
  /** Done and deleted: stored, applied, or found to be a duplicate / an outdated status. */
  processed: number;
  /** Statuses parked until their message gets its WhatsApp id. */
  waiting: number;
  retried: number;
  dead: number;
  dropped: number;
  failures: InboxFailure[];
}

type Outcome =
  | { done: true }
  | {
      done: false;
      attempts: number;
      dueAt?: Date;
      waitingFor?: string;
      lastError: string;
      failure?: InboxFailure;
    };

/**
 * Processes a batch of the webhook inbox: takes the inbox's job lock (one worker at a time across
 * nodes; renewed every batch, released when the worker stops), reads the due records, hands them to
 * their use cases — all the customers' messages at once to ReceiveInboundMessages (the batched path:
 * idempotent on the WhatsApp message id, each customer's messages in arrival order, one outcome per
 * message), then each status to ApplyMessageStatus (forward only) — and then deletes the processed
 * records in one call.
 *
 * Statuses (of messages we sent) run after the batch's messages; those of different customers run
 * side by side (up to `concurrency`), one customer's one after another, in arrival order. A status for a message whose WhatsApp id is not known yet
 * (`unknown_message`) is parked (`waitingFor`) and re-attempted when ReleaseWaitingStatuses wakes it,
 * or on its own back-off, for up to STATUS_WAIT_LIMIT_MS. A failure is retried with back-off; a
 * domain refusal (the event can never be stored) or MAX_INBOX_ATTEMPTS failures leave the record
 * dead in the inbox, never silently lost.
 */
type InboxPorts = Pick<
  Ports,
  | 'webhookInbox'
  | 'jobLocks'
  | 'customers'
  | 'conversations'
  | 'messages'
  | 'tickets'
  | 'agents'
  | 'settings'
  | 'activity'
  | 'events'
  | 'ids'
  | 'clock'
>;

export class ProcessWebhookInbox {
  readonly #concurrency: number;

  constructor(
    private readonly ports: InboxPorts,
    options: { concurrency?: number } = {},
  ) {
    this.#concurrency = Math.max(1, options.concurrency ?? DEFAULT_INBOX_CONCURRENCY);
  }

  /**
   * `between` (optional) runs after each record: the worker passes a yield to the event loop, so
   * that a batch on fast (in-memory) stores never holds incoming webhooks up for its whole length.
   */
  async execute(input: {
    worker: string;
    limit?: number;
    concurrency?: number;
    between?: () => Promise<void>;
  }): Promise<InboxReport> {
    const report: InboxReport = {
      claimed: 0,
      processed: 0,
      waiting: 0,
      retried: 0,
      dead: 0,
      dropped: 0,
      failures: [],
    };
    // Another node holds the inbox: it processes, this one stands by (and takes over if it dies).
    if (!(await this.ports.jobLocks.tryAcquire(WEBHOOK_INBOX_JOB, input.worker, INBOX_LEASE_MS)))
      return report;
    const records = await this.ports.webhookInbox.due(this.ports.clock.now(), input.limit ?? 100);
    report.claimed = records.length;
    if (records.length === 0) return report;

    // The settings are read once per batch (not two or three times per message): a change of
    // settings applies from the next batch on.
    const batch = batchUseCases({ ...this.ports, settings: settingsReadOnce(this.ports.settings) });

    const done: string[] = [];
    const later: Promise<void>[] = [];
    const settle = (record: InboxRecord, outcome: Outcome) => {
      if (outcome.done) {
        done.push(record.key);
        return;
      }
      if (outcome.failure) report.failures.push(outcome.failure);
      if (outcome.failure?.outcome === 'dropped') {
        report.dropped += 1;
        done.push(record.key);
        return;
      }
      if (outcome.waitingFor !== undefined) report.waiting += 1;
      else if (outcome.dueAt === undefined) report.dead += 1;
      else report.retried += 1;
      const { attempts, dueAt, waitingFor, lastError } = outcome;
      later.push(
        this.ports.webhookInbox.reschedule(record.key, {
          attempts,
          lastError,
          ...(dueAt ? { dueAt } : {}),
          ...(waitingFor !== undefined ? { waitingFor } : {}),
        }),
      );
    };

    // The customers' messages of the batch, all at once (in arrival order, so each customer's in
    // order): ReceiveInboundMessages amortises the reads and writes over the batch.
    const messages = records.filter((r) => r.event.kind === 'message');
    if (messages.length > 0) {
      const outcomes = await batch.receiveMany.execute(
        messages.map((r) => (r.event as Extract<InboxEvent, { kind: 'message' }>).message),
        input.between ? { between: input.between } : {},
      );
      for (const [i, record] of messages.entries()) {
        const outcome = outcomes[i]!;
        settle(record, outcome.ok ? { done: true } : this.#failed(record, outcome.error));
      }
    }

    // Then the statuses (of messages we sent), per customer in arrival order.
    const groups = new Map<string, InboxRecord[]>();
    for (const record of records) {
      if (record.event.kind === 'message') continue;
      const group = groups.get(record.event.orderKey);
      if (group) group.push(record);
      else groups.set(record.event.orderKey, [record]);
    }
    const lanes = Math.max(1, input.concurrency ?? this.#concurrency);
    await runLimited([...groups.values()], lanes, async (group) => {
      for (const record of group) {
        settle(record, await this.#process(record, batch));
        await input.between?.();
      }
    });
    report.processed = done.length - report.dropped;
    await Promise.all([this.ports.webhookInbox.complete(done), ...later]);
    return report;
  }

  /** Gives the inbox up (a stopping worker), so another node takes over at once. */
  release(worker: string): Promise<void> {
    return this.ports.jobLocks.release(WEBHOOK_INBOX_JOB, worker);
  }

  async #process(
    record: InboxRecord,
    use: { receive: ReceiveInboundMessage; applyStatus: ApplyMessageStatus },
  ): Promise<Outcome> {
    const attempts = record.attempts + 1;
    const event = record.event;
    try {
      if (event.kind === 'message') {
        await use.receive.execute(event.message);
        return { done: true };
      }
      const outcome = await use.applyStatus.execute(event.status);
      if (outcome !== 'unknown_message') return { done: true };
      const now = this.ports.clock.now();
      const lastError = `no message with WhatsApp id ${event.status.whatsappMessageId} yet`;
      if (now.getTime() - record.receivedAt.getTime() >= STATUS_WAIT_LIMIT_MS) {
        return {
          done: false,
          attempts,
          lastError,
          failure: { key: record.key, error: lastError, outcome: 'dropped' },
        };
      }
      return {
        done: false,
        attempts,
        dueAt: new Date(now.getTime() + retryBackoffMs(Math.min(attempts, 20), 2_000, 5 * 60_000)),
        waitingFor: event.status.whatsappMessageId,
        lastError,
      };
    } catch (error) {
      return this.#failed(record, error);
    }
  }

  /** A failed attempt: retried with back-off, or dead after a domain refusal or MAX_INBOX_ATTEMPTS. */
  #failed(record: InboxRecord, error: unknown): Outcome {
    const attempts = record.attempts + 1;
    const lastError = describe(error);
    const permanent = error instanceof DomainError && !(error instanceof ConcurrencyError);
    if (permanent || attempts >= MAX_INBOX_ATTEMPTS) {
      return {
        done: false,
        attempts,
        lastError,
        failure: { key: record.key, error: lastError, outcome: 'dead' },
      };
    }
    const now = this.ports.clock.now();
    return {
      done: false,
      attempts,
      dueAt: new Date(now.getTime() + retryBackoffMs(attempts, 1_000, 5 * 60_000)),
      lastError,
      failure: { key: record.key, error: lastError, outcome: 'retry' },
    };
  }
}

function batchUseCases(ports: InboxPorts) {
  return {
    receive: new ReceiveInboundMessage(ports),
    receiveMany: new ReceiveInboundMessages(ports),
    applyStatus: new ApplyMessageStatus(ports),
  };
}

/** The settings repository with `getAll` read from the store once, then served as the same array. */
function settingsReadOnce(settings: SettingsRepository): SettingsRepository {
  let all: Promise<SystemSettingPrimitives[]> | undefined;
  return {
    get: (key) => settings.get(key),
    getAll: () => {
      all ??= settings.getAll();
      return all;
    },
    put: (setting) => settings.put(setting),
    insertIfAbsent: (setting) => settings.insertIfAbsent(setting),
  };
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/** Runs `fn` over `items` with at most `limit` running at once. */
async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}
