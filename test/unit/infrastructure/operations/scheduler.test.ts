import { describe, expect, it } from 'vitest';
import { InMemoryJobLock } from '../../../../src/infrastructure/memory/in-memory-job-lock.js';
import { JobScheduler } from '../../../../src/infrastructure/operations/job-scheduler.js';
import {
  archiveDue,
  runScheduledArchive,
} from '../../../../src/infrastructure/operations/operations-workers.js';
import { makeTestPorts } from '../../../support/test-ports.js';
import { setSetting } from '../../application/operations/operations-fixture.js';

const quiet = { error: () => {}, info: () => {} };

describe('JobScheduler', () => {
  it('runs a job on one node per round, keeps it there while the node lives, and hands it over on stop', async () => {
    const ports = makeTestPorts();
    const locks = new InMemoryJobLock(ports.clock);
    const ran: string[] = [];
    const job = (node: string) => ({
      name: 'sla-watcher',
      intervalMs: 60_000,
      run: async () => ran.push(node),
    });
    const a = new JobScheduler({ locks, nodeId: 'a', log: quiet }, [job('a')]);
    const b = new JobScheduler({ locks, nodeId: 'b', log: quiet }, [job('b')]);

    for (let round = 0; round < 3; round++) {
      await Promise.all([a.runOnce('sla-watcher'), b.runOnce('sla-watcher')]);
      ports.clock.advanceMinutes(1);
    }
    expect(ran).toEqual(['a', 'a', 'a']);

    // Node a dies without releasing: b takes over once the lease (2 × interval) has run out.
    ports.clock.advanceMinutes(3);
    await b.runOnce('sla-watcher');
    expect(ran.at(-1)).toBe('b');
    await b.stop();
    expect((await a.runOnce('sla-watcher')).ran).toBe(true);
  });

  it('starts and stops its polling workers', async () => {
    const locks = new InMemoryJobLock();
    let runs = 0;
    const s = new JobScheduler({ locks, nodeId: 'a', log: quiet }, [
      { name: 'j', intervalMs: 10, run: async () => runs++ },
    ]);
    s.start();
    await new Promise((r) => setTimeout(r, 60));
    await s.stop();
    const after = runs;
    expect(after).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(runs).toBe(after);
    expect(await locks.tryAcquire('j', 'b', 1_000)).toBe(true); // released on stop
  });
});

describe('scheduled archiving (archive_schedule)', () => {
  it('is due only when enabled and at its UTC hour', () => {
    const at3 = new Date('2026-03-02T03:10:00Z');
    expect(archiveDue({ enabled: true, olderThanDays: 365, hourUtc: 3 }, at3)).toBe(true);
    expect(archiveDue({ enabled: true, olderThanDays: 365, hourUtc: 4 }, at3)).toBe(false);
    expect(archiveDue({ enabled: false, olderThanDays: 365, hourUtc: 3 }, at3)).toBe(false);
  });

  it('archives once a day across nodes, with the cutoff of olderThanDays', async () => {
    const ports = makeTestPorts();
    Object.assign(ports, { jobLocks: new InMemoryJobLock(ports.clock) });
    const cutoffs: Date[] = [];
    const archive = async (cutoff: Date) => {
      cutoffs.push(cutoff);
      return { archived: 3 };
    };
    ports.clock.set('2026-03-02T03:05:00Z');
    expect((await runScheduledArchive(ports, archive)).outcome).toBe('disabled'); // the default

    await setSetting(ports, 'archive_schedule', { enabled: true, olderThanDays: 30, hourUtc: 3 });
    const [first, second] = await Promise.all([
      runScheduledArchive(ports, archive),
      runScheduledArchive(ports, archive),
    ]);
    expect([first.outcome, second.outcome].sort()).toEqual(['archived', 'done_today']);
    expect(cutoffs).toEqual([new Date('2026-01-31T03:05:00Z')]);

    ports.clock.set('2026-03-02T03:50:00Z');
    expect((await runScheduledArchive(ports, archive)).outcome).toBe('done_today');
    ports.clock.set('2026-03-02T04:05:00Z');
    expect((await runScheduledArchive(ports, archive)).outcome).toBe('not_due');
    ports.clock.set('2026-03-03T03:01:00Z');
    expect((await runScheduledArchive(ports, archive)).outcome).toBe('archived');
    expect((await runScheduledArchive(ports, undefined)).outcome).toBe('unavailable'); // in-memory data
  });
});
