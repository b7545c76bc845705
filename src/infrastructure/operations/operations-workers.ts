/**
 * The operations every node runs (started and stopped with the app):
 *
 * Scheduled jobs (JobScheduler: one node at a time per job, through the JobLock):
 * - `sla-watcher` (every minute): warnings, escalations, 24-hour window notices (RunSlaWatcher);
 * - `auto-resolve` (every 5 minutes): conversations silent for `auto_resolve_after_hours`;
 * - `archive` (every 5 minutes it checks `archive_schedule`): once a day at `hourUtc`, when enabled
 *   and the data is in MongoDB, archives what is older than `olderThanDays`;
 * - `lock-purge` (hourly): deletes expired locks and once-markers where the store has no TTL.
 *
 * Event reactions (every node sees every event; each reaction is once-only across nodes):
 * - notifications (assignment, transfer, SLA warning, escalation, window) → NotifyOnEvent;
 * - a conversation resolved → the satisfaction survey (SendSatisfactionSurvey);
 * - a customer message → its survey answer, if it is one (HandleSurveyAnswer), and the customer's
 *   response time; an agent's message → the agent's response time (UpdateResponseStatistics).
 * Reactions run one after another off the publishing path (a queue), so a slow mail server never
 * holds up a request.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { NOTIFYING_EVENTS } from '../../application/notifications/notify-on-event.js';
import { claimOnce } from '../../application/operations/claim-once.js';
import type { EventBus, PublishedEvent } from '../../application/ports/gateways.js';
import type { Ports } from '../../application/ports/ports.js';
import { loadSettings } from '../../application/shared/settings.js';
import { responseStatisticsInput } from '../../application/statistics/update-response-statistics.js';
import type { UseCases } from '../../application/use-cases.js';
import type { ArchiveSchedule } from '../../domain/settings/setting-definitions.js';
import type { App } from '../container.js';
import { TOKENS } from '../tokens.js';
import { timeSlicedYield } from '../workers/time-sliced-yield.js';
import { JobScheduler, type ScheduledJob } from './job-scheduler.js';

export interface OperationsOptions {
  slaIntervalMs?: number;
  autoResolveIntervalMs?: number;
  archiveCheckIntervalMs?: number;
  lockPurgeIntervalMs?: number;
  /** Archives what is older than `cutoff` (MongoDB only); absent: scheduled archiving is not available. */
  archive?: (cutoff: Date) => Promise<unknown>;
  /** This node's name in job locks; default `host-pid-random`. */
  nodeId?: string;
}

export interface OperationsWorkers {
  nodeId: string;
  scheduler: JobScheduler;
  reactions: EventReactions;
}

interface Logger {
  error(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  debug?(obj: Record<string, unknown>, msg: string): void;
}

/** Whether the archive is due now under `schedule`: enabled, and this is its hour (UTC). */
export function archiveDue(schedule: ArchiveSchedule, now: Date): boolean {
  return schedule.enabled && now.getUTCHours() === schedule.hourUtc;
}

/**
 * The scheduled archive, once a day across nodes: the day's run is claimed once (`archive:<date>`)
 * before it starts. Returns what happened.
 */
export async function runScheduledArchive(
  ports: Pick<Ports, 'settings' | 'clock' | 'jobLocks' | 'ids'>,
  archive: ((cutoff: Date) => Promise<unknown>) | undefined,
): Promise<{
  outcome: 'disabled' | 'not_due' | 'done_today' | 'unavailable' | 'archived';
  cutoff?: Date;
  result?: unknown;
}> {
  const schedule = (await loadSettings(ports)).get('archive_schedule');
  const now = ports.clock.now();
  if (!schedule.enabled) return { outcome: 'disabled' };
  if (!archiveDue(schedule, now)) return { outcome: 'not_due' };
  if (!archive) return { outcome: 'unavailable' };
  if (!(await claimOnce(ports, `archive:${now.toISOString().slice(0, 10)}`, 3 * 24 * 3_600_000))) {
    return { outcome: 'done_today' };
  }
  const cutoff = new Date(now.getTime() - schedule.olderThanDays * 24 * 3_600_000);
  return { outcome: 'archived', cutoff, result: await archive(cutoff) };
}

/** A reaction waiting for its turn. */
interface Reaction {
  event: PublishedEvent;
  reaction: string;
  run: () => Promise<unknown>;
}

/**
 * Reactions to published events, run one at a time off the publisher's path: queued in arrival
 * order and run by one drain loop (one small record per reaction, not a chain of promises each).
 */
export class EventReactions {
  readonly #waiting: Reaction[] = [];
  #draining: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: { events: EventBus; useCases: UseCases; log: Logger }) {}

  start(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.deps.events.subscribe((event) => this.#onEvent(event));
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.idle();
  }

  /** Resolves when every reaction queued so far has run. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  #onEvent(event: PublishedEvent): void {
    const { operations, statistics } = this.deps.useCases;
    const p = event.payload as Record<string, unknown>;
    const messageId = typeof p.messageId === 'string' ? p.messageId : undefined;
    if (NOTIFYING_EVENTS.has(event.type))
      this.#enqueue(event, 'notify', () => operations.notifyOnEvent.execute(event));
    if (
      event.type === 'conversation.status_changed' &&
      p.to === 'resolved' &&
      typeof p.conversationId === 'string'
    ) {
      const conversationId = p.conversationId;
      this.#enqueue(event, 'survey', () => operations.sendSatisfactionSurvey.execute({ conversationId }));
    }
    if (event.type === 'message.received' && messageId && (p.type === 'interactive' || p.type === 'button')) {
      this.#enqueue(event, 'survey-answer', () => operations.handleSurveyAnswer.execute({ messageId }));
    }
    const responseTime = responseStatisticsInput(event);
    if (responseTime) {
      this.#enqueue(event, 'response-time', () => statistics.updateResponseTimes.execute(responseTime));
    }
  }

  #enqueue(event: PublishedEvent, reaction: string, run: () => Promise<unknown>): void {
    this.#waiting.push({ event, reaction, run });
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    await undefined; // never on the publisher's path
    // On in-memory stores a reaction never waits for I/O: without this, a queue of thousands (after
    // a burst of webhooks) would run in one go and hold every request up until it is empty.
    const between = timeSlicedYield();
    for (let next = this.#waiting.shift(); next; next = this.#waiting.shift()) {
      const { event, reaction, run } = next;
      try {
        const result = await run();
        this.deps.log.debug?.({ reaction, eventId: event.id, result }, 'event reaction done');
      } catch (err) {
        this.deps.log.error(
          { err, reaction, eventType: event.type, eventId: event.id },
          'event reaction failed',
        );
      }
      await between();
    }
    this.#draining = undefined;
  }
}

/** Creates the scheduler and the event reactions, registers them (`TOKENS.OperationsWorkers`) and hooks them to the app. */
export function registerOperationsWorkers(app: App, options: OperationsOptions = {}): OperationsWorkers {
  const { container } = app;
  const log = app.logger.child({ component: 'operations' });
  const ports = container.resolve<Ports>(TOKENS.Ports);
  const useCases = container.resolve<UseCases>(TOKENS.UseCases);
  const nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;

  if (!ports.mailer)
    log.info({}, 'e-mail notifications are off (SMTP_URL is not set): agents get live notifications only');

  const jobs: ScheduledJob[] = [
    {
      name: 'sla-watcher',
      intervalMs: options.slaIntervalMs ?? 60_000,
      run: async () => {
        const report = await useCases.operations.slaWatcher.execute();
        for (const problem of report.problems) log.warn(problem, 'SLA watcher could not act on an item');
        return report;
      },
    },
    {
      name: 'auto-resolve',
      intervalMs: options.autoResolveIntervalMs ?? 5 * 60_000,
      run: () => useCases.operations.autoResolve.execute(),
    },
    {
      name: 'archive',
      intervalMs: options.archiveCheckIntervalMs ?? 5 * 60_000,
      // An archive run can take long: hold the lock for up to two hours.
      leaseMs: 2 * 3_600_000,
      run: async () => {
        const result = await runScheduledArchive(ports, options.archive);
        if (result.outcome === 'archived')
          log.info({ cutoff: result.cutoff, result: result.result }, 'scheduled archive done');
        if (result.outcome === 'unavailable')
          log.warn({}, 'archive_schedule is enabled but the data is not in MongoDB: nothing archived');
        return result;
      },
    },
    {
      name: 'lock-purge',
      intervalMs: options.lockPurgeIntervalMs ?? 3_600_000,
      run: () => ports.jobLocks.purgeExpired(),
    },
  ];

  const scheduler = new JobScheduler({ locks: ports.jobLocks, nodeId, log }, jobs);
  const reactions = new EventReactions({ events: ports.events, useCases, log });
  const workers: OperationsWorkers = { nodeId, scheduler, reactions };
  container.register(TOKENS.OperationsWorkers, { useValue: workers });
  app.onStart(() => {
    reactions.start();
    scheduler.start();
  });
  app.onStop(async () => {
    await scheduler.stop();
    await reactions.stop();
  });
  return workers;
}
