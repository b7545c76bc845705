/**
 * The background workers every node runs (see README.md here):
 * - `webhook-inbox`: processes the WhatsApp events the webhook route stored (ProcessWebhookInbox);
 * - `outbox`: sends the pending outbound messages (DeliverOutboundMessages);
 * - `media`: fetches inbound media into the MediaStore (StoreInboundMedia), only with a MediaStore.
 * Each polls on an interval and is nudged by the events that bring it work; all of them claim
 * their work in the database, so any number of nodes may run them.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventBus } from '../../application/ports/gateways.js';
import { clampInboxBatch } from '../../application/ports/webhook-inbox.js';
import type { UseCases } from '../../application/use-cases.js';
import type { App } from '../container.js';
import type { Metrics } from '../metrics.js';
import { TOKENS } from '../tokens.js';
import { PollingWorker } from './polling-worker.js';
import { timeSlicedYield } from './time-sliced-yield.js';

export interface WorkerOptions {
  inboxIntervalMs?: number;
  /** How long the inbox worker lets a burst of webhooks gather before a round (default 10 ms). */
  inboxNudgeDelayMs?: number;
  /** Inbox records per batch (default 500, at most MAX_INBOX_BATCH). */
  inboxBatch?: number;
  /** Customers processed side by side in a batch (default: DEFAULT_INBOX_CONCURRENCY). */
  inboxConcurrency?: number;
  outboxIntervalMs?: number;
  outboxBatch?: number;
  mediaIntervalMs?: number;
  mediaBatch?: number;
}

export interface BackgroundWorkers {
  /** This node's name in leases (`host-pid-random`). */
  nodeId: string;
  inbox: PollingWorker;
  outbox: PollingWorker;
  /** Undefined without a MediaStore (no CLOUDINARY_URL). */
  media?: PollingWorker;
}

const MEDIA_MESSAGE_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/**
 * Creates the workers, registers them in the container (`TOKENS.BackgroundWorkers`, so the webhook
 * route can nudge the inbox worker) and hooks them to the app's start and stop.
 */
export function registerBackgroundWorkers(app: App, options: WorkerOptions = {}): BackgroundWorkers {
  const { container } = app;
  const log = app.logger.child({ component: 'workers' });
  const useCases = container.resolve<UseCases>(TOKENS.UseCases);
  const metrics = container.resolve<Metrics>(TOKENS.Metrics);
  const events = container.resolve<EventBus>(TOKENS.EventBus);
  const nodeId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;

  // 500: measured on FerretDB, 1,000 webhooks from 100 customers end to end at 259–401 msg/s against
  // 189–248 with 200 (fewer conversation/customer updates and scans per message); 1,000 added little
  // and doubled the acknowledgements' p99 (its writes hold the database longer).
  const inboxBatch = clampInboxBatch(options.inboxBatch ?? 500);
  const inbox = new PollingWorker({
    name: 'webhook-inbox',
    intervalMs: options.inboxIntervalMs ?? 1_000,
    // Each webhook nudges the worker: under load, 10 ms gathers the events of many webhooks into
    // one batch (the batched use case pays its fixed reads once), at 10 ms of added latency.
    nudgeDelayMs: options.inboxNudgeDelayMs ?? 10,
    log,
    run: async () => {
      const report = await useCases.webhookInbox.process.execute({
        worker: nodeId,
        limit: inboxBatch,
        ...(options.inboxConcurrency ? { concurrency: options.inboxConcurrency } : {}),
        between: timeSlicedYield(),
      });
      if (report.claimed === 0) return false;
      metrics.webhookEvents.inc({ outcome: 'processed' }, report.processed);
      for (const outcome of ['waiting', 'retried', 'dead', 'dropped'] as const) {
        if (report[outcome] > 0) metrics.webhookEvents.inc({ outcome }, report[outcome]);
      }
      for (const f of report.failures) {
        const fields = { key: f.key, error: f.error, outcome: f.outcome };
        if (f.outcome === 'dead') log.error(fields, 'webhook event given up: kept in the inbox as dead');
        else if (f.outcome === 'dropped')
          log.warn(fields, 'status dropped: its message never got this WhatsApp id');
        else log.warn(fields, 'webhook event failed; will retry');
      }
      return report.claimed >= inboxBatch;
    },
  });

  const outboxBatch = options.outboxBatch ?? 20;
  const outbox = new PollingWorker({
    name: 'outbox',
    // Rounds come from nudges (every queued message publishes `message.sent`) and from the retries
    // a round schedules (it says when the first falls due); the poll only finds what no nudge
    // announced here (why 30 s, measured: README.md here).
    intervalMs: options.outboxIntervalMs ?? 30_000,
    log,
    run: async () => {
      const report = await useCases.messages.deliver.execute({ limit: outboxBatch });
      if (report.sent > 0) metrics.outboundMessages.inc({ status: 'sent' }, report.sent);
      if (report.failed > 0) metrics.outboundMessages.inc({ status: 'failed' }, report.failed);
      if (report.retried > 0) metrics.outboundMessages.inc({ status: 'retried' }, report.retried);
      return report.claimed >= outboxBatch || (report.retryInMs ?? false);
    },
  });

  const storeMedia = useCases.messages.storeMedia;
  const mediaBatch = options.mediaBatch ?? 5;
  const media = storeMedia
    ? new PollingWorker({
        name: 'media',
        intervalMs: options.mediaIntervalMs ?? 5_000,
        log,
        run: async () => {
          const report = await storeMedia.execute({ limit: mediaBatch });
          for (const f of report.failures) {
            const fields = { messageId: f.messageId, error: f.error };
            if (f.final) log.error(fields, 'inbound media given up: attachment marked failed');
            else log.warn(fields, 'inbound media fetch failed; will retry');
          }
          return report.claimed >= mediaBatch;
        },
      })
    : undefined;

  const workers: BackgroundWorkers = { nodeId, inbox, outbox, ...(media ? { media } : {}) };
  container.register(TOKENS.BackgroundWorkers, { useValue: workers });

  let unsubscribe: (() => void) | undefined;
  app.onStart(() => {
    unsubscribe = events.subscribe((event) => {
      const payload = event.payload as Record<string, unknown>;
      if (event.type === 'message.sent') {
        outbox.nudge(); // queued by an agent, the AI or the system
      } else if (
        event.type === 'message.status_changed' &&
        payload.to === 'sent' &&
        typeof payload.whatsappMessageId === 'string'
      ) {
        // Statuses that arrived before this WhatsApp id was recorded can be applied now.
        useCases.webhookInbox.releaseWaitingStatuses.execute(payload.whatsappMessageId).then(
          (woken) => {
            if (woken > 0) inbox.nudge();
          },
          (err: unknown) => log.warn({ err }, 'could not release waiting statuses'),
        );
      } else if (event.type === 'message.received' && MEDIA_MESSAGE_TYPES.has(String(payload.type))) {
        media?.nudge();
      }
    });
    inbox.start();
    outbox.start();
    media?.start();
  });
  app.onStop(async () => {
    unsubscribe?.();
    await Promise.all([inbox.stop(), outbox.stop(), media?.stop()]);
    // Hand the inbox over at once instead of letting the lease run out.
    await useCases.webhookInbox.process
      .release(nodeId)
      .catch((err: unknown) => log.warn({ err }, 'could not release the webhook inbox lock'));
  });
  return workers;
}
