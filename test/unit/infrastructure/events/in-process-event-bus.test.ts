import { describe, expect, it } from 'vitest';
import type { PublishedEvent } from '../../../../src/application/ports/gateways.js';
import { InProcessEventBus } from '../../../../src/infrastructure/events/in-process-event-bus.js';

const event = (n: number) => ({ type: 'message.received', occurredAt: new Date(0), payload: { n } });

describe('InProcessEventBus', () => {
  it('delivers events to every subscriber with increasing ids that also compare as strings', async () => {
    const bus = new InProcessEventBus();
    const got: PublishedEvent[] = [];
    bus.subscribe((e) => got.push(e));
    for (let i = 0; i < 12; i++) await bus.publish([event(i)]);

    expect(got.map((e) => e.payload.n)).toEqual([...Array(12).keys()]);
    const ids = got.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids); // "10" > "9" holds thanks to zero padding
    expect(new Set(ids).size).toBe(12);
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new InProcessEventBus();
    const got: unknown[] = [];
    const off = bus.subscribe((e) => got.push(e));
    await bus.publish([event(1)]);
    off();
    await bus.publish([event(2)]);
    expect(got).toHaveLength(1);
  });

  it('keeps delivering to others when a handler throws', async () => {
    const bus = new InProcessEventBus();
    const got: unknown[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((e) => got.push(e));
    await bus.publish([event(1)]);
    expect(got).toHaveLength(1);
  });

  it('replays what was published after an id', async () => {
    const bus = new InProcessEventBus();
    await bus.publish([event(1), event(2), event(3)]);
    const [first] = bus.replaySince('0');
    expect(bus.replaySince(first!.id).map((e) => e.payload.n)).toEqual([2, 3]);
    expect(bus.replaySince(bus.replaySince('0')[2]!.id)).toEqual([]);
  });

  it('replays only what the ring buffer still holds', async () => {
    const bus = new InProcessEventBus(3);
    for (let i = 1; i <= 5; i++) await bus.publish([event(i)]);
    expect(bus.replaySince('0').map((e) => e.payload.n)).toEqual([3, 4, 5]);
    expect(bus.replaySince('not-an-id').map((e) => e.payload.n)).toEqual([3, 4, 5]);
  });
});
