import { describe, expect, it } from 'vitest';
import { PollingWorker } from '../../../../src/infrastructure/workers/polling-worker.js';

const quiet = { error: () => {} };
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A round that waits until the test lets it finish. */
function gatedRun() {
  const calls: number[] = [];
  let open: (() => void) | undefined;
  let more = false;
  return {
    calls,
    setMore: (m: boolean) => {
      more = m;
    },
    release: () => open?.(),
    run: async () => {
      calls.push(Date.now());
      await new Promise<void>((r) => {
        open = r;
      });
      return more;
    },
  };
}

/** A worker whose rounds only count themselves; `more(n)` says whether round n leaves work waiting. */
function countingWorker(
  options: {
    nudgeDelayMs?: number;
    more?: (round: number) => boolean;
    next?: (round: number) => boolean | number;
  } = {},
) {
  const counter = { rounds: 0 };
  const worker = new PollingWorker({
    name: 't',
    intervalMs: 10_000,
    ...(options.nudgeDelayMs ? { nudgeDelayMs: options.nudgeDelayMs } : {}),
    log: quiet,
    run: async () => {
      counter.rounds += 1;
      return options.next?.(counter.rounds) ?? options.more?.(counter.rounds) ?? false;
    },
  });
  return { worker, counter };
}

describe('PollingWorker', () => {
  it('runs a round at start, then waits for the interval', async () => {
    const { worker, counter } = countingWorker();
    worker.start();
    await tick(30);
    expect(counter.rounds).toBe(1);
    await worker.stop();
  });

  it('a nudge starts a round now; nudges during a round fold into ONE more round (no busy loop)', async () => {
    const g = gatedRun();
    const worker = new PollingWorker({ name: 't', intervalMs: 10_000, log: quiet, run: g.run });
    worker.start();
    await tick(5);
    expect(g.calls).toHaveLength(1);
    worker.nudge();
    worker.nudge();
    worker.nudge();
    g.release();
    await tick(5);
    expect(g.calls).toHaveLength(2);
    g.release();
    await tick(20);
    expect(g.calls).toHaveLength(2); // idle until the interval or the next nudge
    worker.nudge();
    await tick(5);
    expect(g.calls).toHaveLength(3);
    g.release();
    await worker.stop();
  });

  it('with nudgeDelayMs, a burst of nudges gathers into ONE round after the delay', async () => {
    const { worker, counter } = countingWorker({ nudgeDelayMs: 30 });
    worker.start();
    await tick(5);
    expect(counter.rounds).toBe(1); // the start round

    for (let i = 0; i < 20; i++) worker.nudge();
    await tick(10);
    expect(counter.rounds).toBe(1); // still within the delay
    await tick(60);
    expect(counter.rounds).toBe(2); // one round for the whole burst
    worker.nudge();
    await tick(60);
    expect(counter.rounds).toBe(3);
    await worker.stop();
  });

  it('a round reporting more work is followed by the next at once', async () => {
    const { worker, counter } = countingWorker({ more: (round) => round < 5 });
    worker.start();
    await tick(50);
    expect(counter.rounds).toBe(5);
    await worker.stop();
  });

  it('a round saying when its next work falls due is followed by the next then, not after the interval', async () => {
    // Round 1 says "in 40 ms"; round 2 knows of nothing; the interval (10 s) is never reached.
    const { worker, counter } = countingWorker({ next: (round) => (round === 1 ? 40 : false) });
    worker.start();
    await tick(15);
    expect(counter.rounds).toBe(1);
    await tick(80);
    expect(counter.rounds).toBe(2);
    await tick(60);
    expect(counter.rounds).toBe(2);
    await worker.stop();
  });

  it('a nudged round in between (finding nothing due) does not lose the due time', async () => {
    // Round 1 says "in 60 ms"; a nudge at ~10 ms runs round 2, which knows of nothing; round 3
    // still comes at ~60 ms, not after the 10 s interval.
    const { worker, counter } = countingWorker({ next: (round) => (round === 1 ? 60 : false) });
    worker.start();
    await tick(10);
    worker.nudge();
    await tick(15);
    expect(counter.rounds).toBe(2);
    await tick(120);
    expect(counter.rounds).toBe(3);
    await worker.stop();
  });

  it('a due time beyond the interval waits for the interval only', async () => {
    let rounds = 0;
    const worker = new PollingWorker({
      name: 't',
      intervalMs: 40,
      log: quiet,
      run: async () => {
        rounds += 1;
        return 60_000;
      },
    });
    worker.start();
    await tick(110);
    expect(rounds).toBeGreaterThanOrEqual(2);
    await worker.stop();
  });

  it('logs a failed round and waits errorDelayMs before the next', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const worker = new PollingWorker({
      name: 't',
      intervalMs: 5,
      errorDelayMs: 10_000,
      log: { error: (obj) => errors.push(obj) },
      run: async () => {
        rounds += 1;
        throw new Error('db down');
      },
    });
    worker.start();
    await tick(50);
    expect(rounds).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ worker: 't', err: expect.any(Error) })]);
    await worker.stop();
  });

  it('stop waits for the round in progress and nothing runs afterwards', async () => {
    const g = gatedRun();
    const worker = new PollingWorker({ name: 't', intervalMs: 1, log: quiet, run: g.run });
    worker.start();
    await tick(5);
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await tick(5);
    expect(stopped).toBe(false);
    g.setMore(true);
    g.release();
    await stopping;
    worker.nudge();
    await tick(20);
    expect(g.calls).toHaveLength(1);
    expect(worker.running).toBe(false);
  });
});
