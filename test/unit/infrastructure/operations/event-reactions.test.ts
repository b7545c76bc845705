import { describe, expect, it, vi } from 'vitest';
import type { UseCases } from '../../../../src/application/use-cases.js';
import { InProcessEventBus } from '../../../../src/infrastructure/events/in-process-event-bus.js';
import { EventReactions } from '../../../../src/infrastructure/operations/operations-workers.js';

const MESSAGE_ID = '65f0c0ffee0000000000000';

/** EventReactions wired to a real event bus, with a response-time use case that records its runs. */
function setup(run: (messageId: string) => Promise<unknown>) {
  const events = new InProcessEventBus();
  const log = { error: vi.fn(), debug: vi.fn(), info: vi.fn(), warn: vi.fn() };
  const useCases = {
    statistics: { updateResponseTimes: { execute: (input: { messageId: string }) => run(input.messageId) } },
    operations: {},
  } as unknown as UseCases;
  const reactions = new EventReactions({ events, useCases, log: log as never });
  reactions.start();
  const sent = (n: number) =>
    events.publish([
      {
        type: 'message.sent',
        occurredAt: new Date(),
        payload: { messageId: `${MESSAGE_ID}${n}`, sender: 'agent' },
      },
    ]);
  return { reactions, log, sent };
}

describe('EventReactions', () => {
  it('runs reactions one at a time, in arrival order, never inside publish', async () => {
    const order: string[] = [];
    let running = 0;
    let overlapped = false;
    const { reactions, sent } = setup(async (id) => {
      running += 1;
      if (running > 1) overlapped = true;
      order.push(`start ${id.at(-1)}`);
      await new Promise((r) => setTimeout(r, 2));
      order.push(`end ${id.at(-1)}`);
      running -= 1;
    });

    const publishing = [sent(1), sent(2)];
    expect(order).toEqual([]); // queued, not run on the publisher's path
    await Promise.all(publishing);
    await sent(3);
    await reactions.idle();

    expect(overlapped).toBe(false);
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('logs a failed reaction and goes on with the next; idle waits for reactions queued while draining', async () => {
    const ran: string[] = [];
    const { reactions, log, sent } = setup(async (id) => {
      ran.push(id.at(-1)!);
      if (id.endsWith('1')) throw new Error('boom');
      if (id.endsWith('2')) await sent(4); // queued while the drain runs
    });

    await Promise.all([sent(1), sent(2), sent(3)]);
    await reactions.idle();

    expect(ran).toEqual(['1', '2', '3', '4']);
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(log.error.mock.calls[0]![0]).toMatchObject({
      reaction: 'response-time',
      eventType: 'message.sent',
    });
  });

  it('lets other work run while a long queue drains (a reaction that never waits for I/O cannot hold the thread)', async () => {
    const ran: number[] = [];
    let immediateRanAfter = -1;
    const { reactions, sent } = setup(async (id) => {
      const start = performance.now();
      while (performance.now() - start < 0.5); // half a millisecond of work, no I/O
      ran.push(Number(id.at(-1)));
    });

    await Promise.all(Array.from({ length: 10 }, (_, i) => sent(i)));
    setImmediate(() => {
      immediateRanAfter = ran.length;
    });
    await reactions.idle();

    expect(ran).toHaveLength(10);
    // The event loop got its turn (timers, I/O, immediates) before the queue was empty.
    expect(immediateRanAfter).toBeGreaterThan(0);
    expect(immediateRanAfter).toBeLessThan(10);
  });
});
