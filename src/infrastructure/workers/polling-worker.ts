/**
 * A background loop: runs one round of work, then waits `intervalMs` before the next, except that
 * - a round that says there is more to do is followed by the next one at once (on the next turn of
 *   the event loop, so HTTP requests keep being served between rounds); a round that says when its
 *   next work falls due (a number of milliseconds: a retry it scheduled) is followed by the next
 *   one then, if that is sooner than `intervalMs` — nudged rounds in between do not cancel it;
 * - `nudge()` (new work just arrived) starts a round now (or after `nudgeDelayMs`), or right after
 *   the one running: nudges during a round, or within the delay, are folded into one extra round,
 *   never a busy loop;
 * - a failed round is logged and retried after `errorDelayMs`.
 * `stop()` waits for the round in progress.
 */

export interface WorkerLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface PollingWorkerOptions {
  name: string;
  intervalMs: number;
  /**
   * One round of work; resolves `true` when more work is waiting right now, a number of
   * milliseconds when work it knows of falls due then (the next round runs then, or after
   * `intervalMs` if that is sooner), `false` when it knows of none.
   */
  run: () => Promise<boolean | number>;
  log: WorkerLogger;
  /** Pause after a failed round. Default: max(intervalMs, 1 s). */
  errorDelayMs?: number;
  /**
   * How long a nudge waits before it starts a round (default 0: the next turn of the event loop).
   * A few milliseconds let a burst of nudges (one per webhook) gather into one batch instead of a
   * round per event, each paying the round's fixed cost.
   */
  nudgeDelayMs?: number;
}

export class PollingWorker {
  readonly name: string;
  readonly #options: PollingWorkerOptions;
  #stopped = true;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #round: Promise<void> | undefined;
  #nudged = false;
  /** A nudge has scheduled a round after nudgeDelayMs (later nudges fold into it). */
  #nudgePending = false;
  /**
   * When rounds said their next work falls due (epoch ms), until a round starts at or after it: a
   * nudged round in between (which may find nothing due yet) does not lose the wake-up.
   */
  #dueAt: number[] = [];
  /** Rounds completed (successful or not): lets tests wait for the worker. */
  rounds = 0;

  constructor(options: PollingWorkerOptions) {
    if (!(options.intervalMs > 0)) throw new Error(`${options.name}: intervalMs must be positive`);
    this.name = options.name;
    this.#options = options;
  }

  get running(): boolean {
    return !this.#stopped;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** New work: run a round now (or right after the current one). */
  nudge(): void {
    if (this.#stopped) return;
    if (this.#round) {
      this.#nudged = true;
      return;
    }
    if (this.#nudgePending) return; // a round is already due within the delay
    const delay = this.#options.nudgeDelayMs ?? 0;
    this.#schedule(delay);
    this.#nudgePending = delay > 0;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clear();
    await this.#round;
  }

  #clear(): void {
    this.#nudgePending = false;
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    this.#clear();
    if (delayMs <= 0) {
      this.#timer = setImmediate(() => this.#runRound());
    } else {
      const timer = setTimeout(() => this.#runRound(), delayMs);
      timer.unref();
      this.#timer = timer;
    }
  }

  #runRound(): void {
    this.#timer = undefined;
    this.#nudgePending = false;
    if (this.#stopped || this.#round) return;
    this.#nudged = false;
    let next = this.#options.intervalMs;
    const startedAt = Date.now();
    this.#round = (async () => {
      try {
        const outcome = await this.#options.run();
        // Due times this round has seen come due were its work; later ones still wait for a round.
        this.#dueAt = this.#dueAt.filter((at) => at > startedAt);
        if (typeof outcome === 'number') this.#dueAt.push(Date.now() + Math.max(0, outcome));
        if (outcome === true) next = 0;
        // (+1 ms: a timer may fire a fraction of a millisecond early by Date.now(); the round it
        // starts must see its due time as come.)
        else if (this.#dueAt.length > 0)
          next = Math.min(next, Math.max(0, Math.min(...this.#dueAt) - Date.now() + 1));
      } catch (err) {
        this.#options.log.error({ err, worker: this.name }, 'background worker round failed');
        next = this.#options.errorDelayMs ?? Math.max(this.#options.intervalMs, 1_000);
      }
    })().finally(() => {
      this.#round = undefined;
      this.rounds += 1;
      if (this.#stopped) return;
      this.#schedule(this.#nudged ? Math.min(next, this.#options.nudgeDelayMs ?? 0) : next);
    });
  }
}
