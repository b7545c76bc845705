/**
 * Periodic jobs that every node runs and one node at a time does: each round a node first takes
 * (or renews) the job's lock (`JobLock`, named after the job) for `leaseMs`; the holder runs the job,
 * the others skip the round. The holder keeps the lock while it is alive (it renews it every round),
 * another node takes over once its lease has run out, and a stopping node releases it at once.
 * What a job does to each item is made once-only by the job itself (claimOnce, versioned updates):
 * the lock only keeps the nodes from doing the same scan side by side.
 */
import type { JobLock } from '../../application/ports/job-lock.js';
import { PollingWorker } from '../workers/polling-worker.js';

export interface SchedulerLogger {
  error(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  debug?(obj: Record<string, unknown>, msg: string): void;
}

export interface ScheduledJob {
  /** Also the lock's name. */
  name: string;
  intervalMs: number;
  /** How long the lock is held after each round; default max(2 × intervalMs, 30 s). */
  leaseMs?: number;
  run: () => Promise<unknown>;
}

export interface JobRun {
  job: string;
  ran: boolean;
  result?: unknown;
}

export class JobScheduler {
  readonly #workers = new Map<string, PollingWorker>();
  readonly #jobs = new Map<string, ScheduledJob>();
  /** Rounds in which this node held the lock and ran the job, per job (tests, metrics). */
  readonly runs = new Map<string, number>();

  constructor(
    private readonly deps: { locks: JobLock; nodeId: string; log: SchedulerLogger },
    jobs: ScheduledJob[],
  ) {
    for (const job of jobs) {
      this.#jobs.set(job.name, job);
      this.#workers.set(
        job.name,
        new PollingWorker({
          name: job.name,
          intervalMs: job.intervalMs,
          log: deps.log,
          run: async () => {
            await this.runOnce(job.name);
            return false;
          },
        }),
      );
    }
  }

  get jobNames(): string[] {
    return [...this.#jobs.keys()];
  }

  /** One round of `name`: takes the lock, runs the job when this node holds it. */
  async runOnce(name: string): Promise<JobRun> {
    const job = this.#jobs.get(name);
    if (!job) throw new Error(`unknown job ${name}`);
    const leaseMs = job.leaseMs ?? Math.max(2 * job.intervalMs, 30_000);
    if (!(await this.deps.locks.tryAcquire(job.name, this.deps.nodeId, leaseMs)))
      return { job: name, ran: false };
    const result = await job.run();
    this.runs.set(name, (this.runs.get(name) ?? 0) + 1);
    this.deps.log.debug?.({ job: name, result }, 'scheduled job ran');
    return { job: name, ran: true, result };
  }

  start(): void {
    for (const worker of this.#workers.values()) worker.start();
  }

  /** Stops every job (waiting for the rounds in progress) and hands their locks over. */
  async stop(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.stop()));
    await Promise.all(
      [...this.#jobs.keys()].map((name) =>
        this.deps.locks
          .release(name, this.deps.nodeId)
          .catch((err: unknown) => this.deps.log.error({ err, job: name }, 'could not release a job lock')),
      ),
    );
  }
}
