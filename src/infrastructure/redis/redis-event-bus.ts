/**
 * The EventBus across nodes, on a Redis Stream (`<prefix>events`).
 *
 * - `publish` appends each event with `XADD` (trimmed to about `maxLength` entries). Redis gives
 *   every entry an id that grows monotonically across all nodes (`<ms>-<seq>`).
 * - Every node reads the stream with a blocking `XREAD` on its own connection and delivers each
 *   event, in stream order, to its local subscribers. `publish` resolves once this node has
 *   delivered what it published, so a publisher's own subscribers have seen its events when it
 *   returns (as with the in-process bus).
 * - The last `capacity` events stay in a local buffer (filled from the stream's tail at start), so
 *   `replaySince(lastEventId)` can resume a subscriber from an id it got from ANY node: ids are the
 *   stream's, the same everywhere.
 * Event ids are the stream ids written with fixed widths (`0001732550400000-00000000`), so that
 * string order is stream order, like the zero-padded counter of the in-process bus.
 * Dates inside events survive the trip (they are tagged in the JSON).
 */
import { Redis } from 'ioredis';
import type { EventBus, PublishedEvent } from '../../application/ports/gateways.js';
import type { DomainEvent } from '../../domain/shared/events.js';

export interface RedisEventBusLogger {
  error(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface RedisEventBusOptions {
  url: string;
  /** Key prefix (one deployment, or one test): the stream is `<prefix>events`. Default `crm:`. */
  prefix?: string;
  /** Entries kept in the stream (approximate trimming). Default 100,000. */
  maxLength?: number;
  /** Events kept in this node's replay buffer. Default 10,000. */
  capacity?: number;
  /** How long one XREAD blocks, ms. Default 5,000. */
  blockMs?: number;
  /** How long `publish` waits for its events to come back from the stream. Default 5,000. */
  deliveryTimeoutMs?: number;
  log?: RedisEventBusLogger;
}

type StreamEntry = [id: string, fields: string[]];
type Waiter = { id: string; resolve: () => void };

/** `1732550400000-3` → `0001732550400000-00000003`; anything else → undefined. */
export function formatStreamId(streamId: string): string | undefined {
  const match = /^(\d{1,16})-(\d{1,8})$/.exec(streamId);
  return match ? `${match[1]!.padStart(16, '0')}-${match[2]!.padStart(8, '0')}` : undefined;
}

/** A published id (or a raw stream id) in comparable form; undefined when it is neither. */
const comparable = (id: string): string | undefined => formatStreamId(id.replace(/^0+(?=\d)/, ''));

export function encodeEvent(event: DomainEvent): string {
  return JSON.stringify(event, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : value;
  });
}

export function decodeEvent(json: string): DomainEvent {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const tagged = value as { $date?: unknown };
      if (typeof tagged.$date === 'string' && Object.keys(value).length === 1) return new Date(tagged.$date);
    }
    return value;
  }) as DomainEvent;
}

export class RedisEventBus implements EventBus {
  readonly #writer: Redis;
  readonly #reader: Redis;
  readonly #stream: string;
  readonly #maxLength: number;
  readonly #capacity: number;
  readonly #blockMs: number;
  readonly #deliveryTimeoutMs: number;
  readonly #log: RedisEventBusLogger | undefined;
  readonly #handlers = new Set<(event: PublishedEvent) => void>();
  readonly #buffer: PublishedEvent[] = [];
  /** Publishers waiting until this node has delivered their last event. */
  #waiters: Waiter[] = [];
  /** Stream id of the last entry delivered (where the next XREAD starts). */
  #lastStreamId = '0-0';
  #lastDelivered = '';
  #closed = false;
  readonly #ready: Promise<void>;
  #loop: Promise<void> | undefined;

  constructor(options: RedisEventBusOptions) {
    this.#stream = `${options.prefix ?? 'crm:'}events`;
    this.#maxLength = options.maxLength ?? 100_000;
    this.#capacity = options.capacity ?? 10_000;
    this.#blockMs = options.blockMs ?? 5_000;
    this.#deliveryTimeoutMs = options.deliveryTimeoutMs ?? 5_000;
    this.#log = options.log;
    this.#writer = new Redis(options.url, { maxRetriesPerRequest: 3 });
    this.#reader = new Redis(options.url, { maxRetriesPerRequest: null });
    for (const [name, client] of [
      ['writer', this.#writer],
      ['reader', this.#reader],
    ] as const) {
      client.on('error', (err: unknown) => {
        if (!this.#closed) this.#log?.warn({ err, connection: name }, 'Redis event bus connection error');
      });
    }
    this.#ready = this.#start();
    this.#ready.catch((err: unknown) => this.#log?.error({ err }, 'Redis event bus could not start'));
  }

  /** Resolves once the replay buffer is filled from the stream and the reader runs. */
  ready(): Promise<void> {
    return this.#ready;
  }

  async publish(events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.#closed) throw new Error('the event bus is closed');
    await this.#ready;
    let lastId: string | undefined;
    try {
      const pipeline = this.#writer.pipeline();
      for (const event of events) {
        pipeline.xadd(this.#stream, 'MAXLEN', '~', String(this.#maxLength), '*', 'e', encodeEvent(event));
      }
      const results = (await pipeline.exec()) ?? [];
      for (const [err, id] of results) {
        if (err) throw err;
        lastId = formatStreamId(String(id)) ?? lastId;
      }
    } catch (err) {
      // The change behind the events is already stored: a lost live event must not undo the request.
      this.#log?.error({ err, events: events.map((e) => e.type) }, 'could not publish events to Redis');
      return;
    }
    if (lastId) await this.#delivered(lastId);
  }

  subscribe(handler: (event: PublishedEvent) => void): () => void {
    const wrapped = (event: PublishedEvent) => handler(event);
    this.#handlers.add(wrapped);
    return () => {
      this.#handlers.delete(wrapped);
    };
  }

  replaySince(lastEventId: string): PublishedEvent[] {
    const after = comparable(lastEventId);
    return after === undefined ? [...this.#buffer] : this.#buffer.filter((e) => e.id > after);
  }

  get subscriberCount(): number {
    return this.#handlers.size;
  }

  /** Stops reading and closes both connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    this.#reader.disconnect();
    await this.#loop?.catch(() => {});
    await this.#writer.quit().catch(() => this.#writer.disconnect());
  }

  async #start(): Promise<void> {
    const tail = (await this.#writer.xrevrange(
      this.#stream,
      '+',
      '-',
      'COUNT',
      this.#capacity,
    )) as StreamEntry[];
    for (const entry of tail.reverse()) this.#remember(entry);
    if (tail.length > 0) this.#lastStreamId = tail.at(-1)![0];
    else this.#lastStreamId = (await this.#lastEntryId()) ?? '0-0';
    this.#loop = this.#read();
  }

  async #lastEntryId(): Promise<string | undefined> {
    const [last] = (await this.#writer.xrevrange(this.#stream, '+', '-', 'COUNT', 1)) as StreamEntry[];
    return last?.[0];
  }

  async #read(): Promise<void> {
    while (!this.#closed) {
      try {
        const reply = (await this.#reader.xread(
          'COUNT',
          500,
          'BLOCK',
          this.#blockMs,
          'STREAMS',
          this.#stream,
          this.#lastStreamId,
        )) as [string, StreamEntry[]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const entry of entries) {
            this.#lastStreamId = entry[0];
            const event = this.#remember(entry);
            if (event) this.#deliver(event);
          }
        }
      } catch (err) {
        if (this.#closed) return;
        this.#log?.warn({ err }, 'reading the Redis event stream failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  #remember([streamId, fields]: StreamEntry): PublishedEvent | undefined {
    const id = formatStreamId(streamId);
    const json = fields[fields.indexOf('e') + 1];
    if (!id || json === undefined) return undefined;
    let event: DomainEvent;
    try {
      event = decodeEvent(json);
    } catch (err) {
      this.#log?.error({ err, streamId }, 'unreadable event in the Redis stream; skipped');
      return undefined;
    }
    const published: PublishedEvent = { ...event, id };
    this.#buffer.push(published);
    if (this.#buffer.length > this.#capacity) this.#buffer.splice(0, this.#buffer.length - this.#capacity);
    return published;
  }

  #deliver(event: PublishedEvent): void {
    for (const handler of [...this.#handlers]) {
      const fail = (err: unknown) =>
        this.#log?.error({ err, eventType: event.type, eventId: event.id }, 'event handler failed');
      try {
        const result: unknown = handler(event);
        if (result instanceof Promise) result.catch(fail);
      } catch (err) {
        fail(err);
      }
    }
    this.#lastDelivered = event.id;
    if (this.#waiters.length > 0) {
      const still: Waiter[] = [];
      for (const waiter of this.#waiters) {
        if (waiter.id <= event.id) waiter.resolve();
        else still.push(waiter);
      }
      this.#waiters = still;
    }
  }

  #delivered(id: string): Promise<void> {
    if (this.#lastDelivered >= id || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        this.#log?.warn({ eventId: id }, 'published event not read back from Redis in time');
        resolve();
      }, this.#deliveryTimeoutMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push({ id, resolve: done });
    });
  }
}
