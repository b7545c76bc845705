/**
 * The AI worker: runs the assistant on inbound messages, off the inbound path.
 *
 * It listens on the EventBus:
 * - `message.received` (the customer's message is stored) → `ai.processInbound` (classify, maybe
 *   answer or hand off). The handler only enqueues: the bus, and so the inbound flow, never waits for
 *   OpenAI and never sees its failures;
 * - `message.sent` by an agent, `conversation.assigned` by a person (`assignedBy` set) and
 *   `conversation.transferred` → `ai.takeOver` (a human took the conversation: AI off for it).
 *
 * Inbound processing runs with bounded concurrency (`concurrency`, default 4), one message at a time
 * per conversation (in arrival order, so answers keep their order), with a bounded queue
 * (`maxQueue`, default 1,000: beyond it new messages are left unprocessed and logged). Across nodes
 * the message claim (`messages.claimForAi`) makes sure one node processes each message.
 */
import type { EventBus, PublishedEvent } from '../../application/ports/gateways.js';
import type { Ports } from '../../application/ports/ports.js';
import type { UseCases } from '../../application/use-cases.js';
import type { App } from '../container.js';
import type { Metrics } from '../metrics.js';
import { TOKENS } from '../tokens.js';

export interface AiWorkerLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
  debug?(obj: Record<string, unknown>, msg: string): void;
}

export interface AiWorkerOptions {
  concurrency?: number;
  maxQueue?: number;
}

interface Task {
  key: string;
  run: () => Promise<void>;
}

export class AiWorker {
  readonly #pending: Task[] = [];
  readonly #busyKeys = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #concurrency: number;
  readonly #maxQueue: number;
  #running = 0;
  #unsubscribe: (() => void) | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: {
      events: EventBus;
      useCases: Pick<UseCases, 'ai'>;
      log: AiWorkerLogger;
      metrics?: Pick<Metrics, 'aiInboundOutcomes' | 'aiHandoffs'>;
    },
    options: AiWorkerOptions = {},
  ) {
    this.#concurrency = options.concurrency ?? 4;
    this.#maxQueue = options.maxQueue ?? 1_000;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1)
      throw new Error('concurrency must be >= 1');
  }

  get running(): boolean {
    return this.#unsubscribe !== undefined;
  }

  /** Messages waiting for a slot. */
  get queued(): number {
    return this.#pending.length;
  }

  start(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.deps.events.subscribe((event) => {
      try {
        this.#onEvent(event);
      } catch (err) {
        this.deps.log.error({ err, eventType: event.type }, 'AI worker could not take an event');
      }
    });
  }

  /** Stops listening, drops what is queued (the messages stay unprocessed) and waits for the work in progress. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#pending.length = 0;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Resolves when nothing is queued or running (tests). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #onEvent(event: PublishedEvent): void {
    const p = event.payload as Record<string, unknown>;
    const conversationId = typeof p.conversationId === 'string' ? p.conversationId : undefined;
    if (!conversationId) return;
    const ai = this.deps.useCases.ai;
    if (event.type === 'message.received' && typeof p.messageId === 'string') {
      const messageId = p.messageId;
      this.#enqueue({ key: conversationId, run: () => this.#process(messageId) });
    } else if (event.type === 'message.sent' && p.sender === 'agent') {
      this.#now(() => ai.takeOver.execute({ conversationId, cause: 'agent_message', ...agent(p.agentId) }));
    } else if (event.type === 'conversation.assigned' && typeof p.assignedBy === 'string') {
      this.#now(() =>
        ai.takeOver.execute({ conversationId, cause: 'manual_assignment', ...agent(p.assignedBy) }),
      );
    } else if (event.type === 'conversation.transferred') {
      this.#now(() => ai.takeOver.execute({ conversationId, cause: 'transfer', ...agent(p.assignedAgent) }));
    }
  }

  async #process(messageId: string): Promise<void> {
    const result = await this.deps.useCases.ai.processInbound.execute({ messageId });
    this.deps.metrics?.aiInboundOutcomes.inc({ outcome: result.outcome });
    if (result.outcome === 'handed_off') {
      this.deps.metrics?.aiHandoffs.inc({ reason: result.reason });
      this.deps.log.warn(
        { messageId, reason: result.reason, ...(result.failure ? { failure: result.failure } : {}) },
        'AI handed the conversation to a person',
      );
    } else {
      this.deps.log.debug?.({ messageId, ...result }, 'AI processed an inbound message');
    }
  }

  /** Take-overs are quick database writes: they run at once, ahead of any queued AI work. */
  #now(run: () => Promise<unknown>): void {
    this.#track(
      run().then(
        () => undefined,
        (err: unknown) => this.deps.log.error({ err }, 'AI take-over failed'),
      ),
    );
  }

  #enqueue(task: Task): void {
    if (this.#pending.length >= this.#maxQueue) {
      this.deps.metrics?.aiInboundOutcomes.inc({ outcome: 'dropped' });
      this.deps.log.warn({ queued: this.#pending.length }, 'AI queue full: inbound message left unprocessed');
      return;
    }
    this.#pending.push(task);
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#concurrency) {
      const index = this.#pending.findIndex((t) => !this.#busyKeys.has(t.key));
      if (index < 0) return;
      const [task] = this.#pending.splice(index, 1) as [Task];
      this.#running += 1;
      this.#busyKeys.add(task.key);
      // Started on a later turn of the event loop: the publisher (the inbound flow) is never held up.
      const done = new Promise<void>((resolve) => setImmediate(resolve))
        .then(task.run)
        .catch((err: unknown) => this.deps.log.error({ err }, 'AI processing of an inbound message failed'))
        .finally(() => {
          this.#running -= 1;
          this.#busyKeys.delete(task.key);
          this.#pump();
        });
      this.#track(done);
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    work.finally(() => {
      this.#inFlight.delete(work);
      if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    });
  }

  #isIdle(): boolean {
    return this.#pending.length === 0 && this.#inFlight.size === 0;
  }
}

const agent = (id: unknown): { agentId?: string } => (typeof id === 'string' ? { agentId: id } : {});

/**
 * Starts the AI worker with the app when an assistant is configured (`Ports.ai`); registers it as
 * `TOKENS.AiWorker`. Without an assistant nothing is registered and inbound messages are untouched.
 */
export function registerAiWorker(app: App, options: AiWorkerOptions = {}): AiWorker | undefined {
  const { container } = app;
  if (!container.resolve<Ports>(TOKENS.Ports).ai) return undefined;
  const worker = new AiWorker(
    {
      events: container.resolve<EventBus>(TOKENS.EventBus),
      useCases: container.resolve<UseCases>(TOKENS.UseCases),
      log: app.logger.child({ component: 'ai-worker' }),
      metrics: container.resolve<Metrics>(TOKENS.Metrics),
    },
    options,
  );
  container.register(TOKENS.AiWorker, { useValue: worker });
  app.onStart(() => worker.start());
  app.onStop(() => worker.stop());
  return worker;
}
