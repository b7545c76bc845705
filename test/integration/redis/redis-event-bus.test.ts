/** The Redis Stream event bus against the local Redis (127.0.0.1:6379), a unique prefix per test. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublishedEvent } from '../../../src/application/ports/gateways.js';
import {
  decodeEvent,
  encodeEvent,
  formatStreamId,
  RedisEventBus,
} from '../../../src/infrastructure/redis/redis-event-bus.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisEventBus', () => {
  const buses: RedisEventBus[] = [];
  const prefixes: string[] = [];
  const bus = (prefix: string, capacity?: number) => {
    const b = new RedisEventBus({ url: REDIS_URL, prefix, blockMs: 200, ...(capacity ? { capacity } : {}) });
    buses.push(b);
    return b;
  };
  const newPrefix = () => {
    const p = `crm-test:${randomBytes(6).toString('hex')}:`;
    prefixes.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    const redis = new Redis(REDIS_URL);
    for (const p of prefixes.splice(0)) await redis.del(`${p}events`);
    redis.disconnect();
  });

  it('delivers to the subscribers of every node, in one order, with the same monotonic ids and Dates intact', async () => {
    const prefix = newPrefix();
    const a = bus(prefix);
    const b = bus(prefix);
    await Promise.all([a.ready(), b.ready()]);
    const onA: PublishedEvent[] = [];
    const onB: PublishedEvent[] = [];
    a.subscribe((e) => onA.push(e));
    b.subscribe((e) => onB.push(e));

    const at = new Date('2026-03-02T16:00:00.123Z');
    await a.publish([
      {
        type: 'message.received',
        occurredAt: at,
        payload: { conversationId: 'c1', dueAt: at, nested: { when: [at] } },
      },
    ]);
    await b.publish([
      { type: 'conversation.updated', occurredAt: at, payload: { conversationId: 'c1' } },
      { type: 'sla.warning', occurredAt: at, payload: { conversationId: 'c1' } },
    ]);
    // publish resolves once the publisher's own subscribers have the events.
    expect(onB.map((e) => e.type)).toEqual(['message.received', 'conversation.updated', 'sla.warning']);
    await new Promise((r) => setTimeout(r, 100));
    expect(onA.map((e) => e.id)).toEqual(onB.map((e) => e.id));
    expect([...onA.map((e) => e.id)].sort()).toEqual(onA.map((e) => e.id));
    expect(onA[0]?.occurredAt).toEqual(at);
    expect(onA[0]?.payload).toEqual({ conversationId: 'c1', dueAt: at, nested: { when: [at] } });

    // Resuming on the other node from an id received on this one.
    expect(b.replaySince(onA[0]!.id).map((e) => e.type)).toEqual(['conversation.updated', 'sla.warning']);
  });

  it('a node that starts later can replay what was published before it started', async () => {
    const prefix = newPrefix();
    const a = bus(prefix);
    await a.publish(
      [1, 2, 3].map((n) => ({ type: 'ticket.updated', occurredAt: new Date(), payload: { n } })),
    );
    const late = bus(prefix, 2);
    await late.ready();
    const all = a.replaySince('0');
    expect(all).toHaveLength(3);
    expect(late.replaySince(all[0]!.id).map((e) => e.payload.n)).toEqual([2, 3]);
    expect(late.replaySince('not-an-id')).toHaveLength(2); // unknown id: everything still buffered
  });

  it('keeps handler failures away from the publisher and the other handlers', async () => {
    const a = bus(newPrefix());
    const got: string[] = [];
    a.subscribe(() => {
      throw new Error('boom');
    });
    a.subscribe((e) => got.push(e.type));
    await a.publish([{ type: 'agent.updated', occurredAt: new Date(), payload: {} }]);
    expect(got).toEqual(['agent.updated']);
  });

  it('writes ids with fixed widths so string order is stream order', () => {
    expect(formatStreamId('1732550400000-3')).toBe('0001732550400000-00000003');
    expect(formatStreamId('1732550400000-10')! > formatStreamId('1732550400000-9')!).toBe(true);
    expect(formatStreamId('nope')).toBeUndefined();
    const event = { type: 'x', occurredAt: new Date(0), payload: { d: new Date(5), s: 'text', n: null } };
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });
});
