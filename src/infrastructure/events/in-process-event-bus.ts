import type { EventBus, PublishedEvent } from '../../application/ports/gateways.js';
import type { DomainEvent } from '../../domain/shared/events.js';

/** Width of the zero-padded counter: ids compare correctly as strings up to 10^16 events. */
const ID_WIDTH = 16;

export const formatEventId = (n: number): string => n.toString().padStart(ID_WIDTH, '0');

export interface EventBusLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

/**
 * Single-process event bus. Ids are a zero-padded counter (so string order is numeric order);
 * the last `capacity` events stay in a ring buffer for subscribers that reconnect with
 * `lastEventId` (tRPC `tracked()` subscriptions). A handler that throws is logged and does not stop
 * delivery to the others.
 */
export class InProcessEventBus implements EventBus {
  /**
   * Copy-on-write: subscribe/unsubscribe replace the array, never change it, so `publish` iterates
   * the array current when each event starts (a handler (un)subscribing during delivery affects the
   * next event, not this one) without copying the list for every event.
   */
  #handlers: readonly ((event: PublishedEvent) => void)[] = [];
  readonly #ring: (PublishedEvent | undefined)[];
  #seq = 0;

  constructor(
    private readonly capacity = 10_000,
    private readonly log?: EventBusLogger,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
    this.#ring = new Array(capacity);
  }

  async publish(events: DomainEvent[]): Promise<void> {
    for (const event of events) {
      this.#seq += 1;
      const published: PublishedEvent = { ...event, id: formatEventId(this.#seq) };
      this.#ring[(this.#seq - 1) % this.capacity] = published;
      for (const handler of this.#handlers) {
        try {
          // A handler typed as returning void may still be async: keep its rejection from crashing us.
          const result: unknown = handler(published);
          if (result instanceof Promise) result.catch((err: unknown) => this.#failed(err, published));
        } catch (err) {
          this.#failed(err, published);
        }
      }
    }
  }

  subscribe(handler: (event: PublishedEvent) => void): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const wrapped = (event: PublishedEvent) => handler(event);
    this.#handlers = [...this.#handlers, wrapped];
    return () => {
      this.#handlers = this.#handlers.filter((h) => h !== wrapped);
    };
  }

  #failed(err: unknown, event: PublishedEvent): void {
    this.log?.error({ err, eventType: event.type, eventId: event.id }, 'event handler failed');
  }

  /**
   * Buffered events with an id greater than `lastEventId`, oldest first. An id that is not one of
   * ours (or is older than the buffer) replays whatever is still buffered after it.
   */
  replaySince(lastEventId: string): PublishedEvent[] {
    const last = /^\d+$/.test(lastEventId) ? Number(lastEventId) : 0;
    const oldest = Math.max(1, this.#seq - this.capacity + 1);
    const from = Math.max(last + 1, oldest);
    const out: PublishedEvent[] = [];
    for (let n = from; n <= this.#seq; n++) {
      const event = this.#ring[(n - 1) % this.capacity];
      if (event) out.push(event);
    }
    return out;
  }

  /** Number of live subscriptions (for tests and metrics). */
  get subscriberCount(): number {
    return this.#handlers.length;
  }
}
