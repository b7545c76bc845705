/**
 * A circuit breaker (hand-written: ~60 lines do not justify a dependency).
 *
 *   closed ──(failureThreshold consecutive failures)──▶ open
 *   open ──(coolDownMs elapsed, next call)──▶ half-open: ONE trial call goes through, the others
 *                                              are refused as if open
 *   half-open ──trial succeeds──▶ closed      half-open ──trial fails──▶ open (cool-down again)
 *
 * While open, `run` rejects at once with CircuitOpenError (no call is made). Only errors for which
 * `isFailure` returns true count as failures; any other outcome (a success, or an error showing the
 * service answered, such as a refused request) resets the count and closes a half-open circuit.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export class CircuitOpenError extends Error {
  constructor(readonly retryInMs: number) {
    super(`circuit open: calls are refused for another ${Math.max(0, Math.ceil(retryInMs))} ms`);
    this.name = 'CircuitOpenError';
  }
}

export interface CircuitBreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
  isFailure?: (error: unknown) => boolean;
  /** Milliseconds clock (tests pass a fake). */
  now?: () => number;
  onStateChange?: (state: CircuitState) => void;
}

export class CircuitBreaker {
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialRunning = false;
  readonly #now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new Error('failureThreshold must be a positive integer');
    }
    if (!(options.coolDownMs >= 0)) throw new Error('coolDownMs must be >= 0');
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.#state;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const trial = this.#admit();
    try {
      const value = await call();
      this.#failures = 0;
      this.#set('closed');
      return value;
    } catch (error) {
      if (!(this.options.isFailure?.(error) ?? true)) {
        // The service answered (it refused this request): it is healthy.
        this.#failures = 0;
        this.#set('closed');
      } else if (trial || ++this.#failures >= this.options.failureThreshold) {
        this.#open();
      }
      throw error;
    } finally {
      if (trial) this.#trialRunning = false;
    }
  }

  /** Lets the call through (returning whether it is the half-open trial) or throws CircuitOpenError. */
  #admit(): boolean {
    if (this.#state === 'closed') return false;
    const waited = this.#now() - this.#openedAt;
    if (this.#state === 'open' && waited >= this.options.coolDownMs) this.#set('half_open');
    if (this.#state === 'half_open' && !this.#trialRunning) {
      this.#trialRunning = true;
      return true;
    }
    throw new CircuitOpenError(this.options.coolDownMs - waited);
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#failures = 0;
    this.#set('open');
  }

  #set(state: CircuitState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.options.onStateChange?.(state);
  }
}
