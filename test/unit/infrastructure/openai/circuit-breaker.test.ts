import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  type CircuitState,
} from '../../../../src/infrastructure/openai/circuit-breaker.js';

const boom = () => Promise.reject(new Error('down'));
const fine = () => Promise.resolve('ok');

function breaker(
  options: { failureThreshold?: number; coolDownMs?: number; isFailure?: (e: unknown) => boolean } = {},
) {
  const clock = { now: 0 };
  const changes: CircuitState[] = [];
  const b = new CircuitBreaker({
    failureThreshold: options.failureThreshold ?? 3,
    coolDownMs: options.coolDownMs ?? 1_000,
    now: () => clock.now,
    onStateChange: (s) => changes.push(s),
    ...(options.isFailure ? { isFailure: options.isFailure } : {}),
  });
  return { b, clock, changes };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and opens at N consecutive failures', async () => {
    const { b, changes } = breaker({ failureThreshold: 3 });
    await expect(b.run(boom)).rejects.toThrow('down');
    await expect(b.run(boom)).rejects.toThrow('down');
    expect(b.state).toBe('closed');
    await expect(b.run(boom)).rejects.toThrow('down');
    expect(b.state).toBe('open');
    expect(changes).toEqual(['open']);
  });

  it('refuses calls while open, without running them', async () => {
    const { b } = breaker({ failureThreshold: 1 });
    await expect(b.run(boom)).rejects.toThrow();
    let ran = false;
    await expect(
      b.run(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(ran).toBe(false);
  });

  it('after the cool-down lets one trial through: success closes, failure reopens', async () => {
    const { b, clock, changes } = breaker({ failureThreshold: 1, coolDownMs: 1_000 });
    await expect(b.run(boom)).rejects.toThrow();
    clock.now = 999;
    await expect(b.run(fine)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.now = 1_000;
    await expect(b.run(boom)).rejects.toThrow('down'); // the trial failed
    expect(b.state).toBe('open');
    clock.now = 1_500;
    await expect(b.run(fine)).rejects.toBeInstanceOf(CircuitOpenError); // a new cool-down started at 1000
    clock.now = 2_000;
    await expect(b.run(fine)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('lets only one trial run at a time while half-open', async () => {
    const { b, clock } = breaker({ failureThreshold: 1 });
    await expect(b.run(boom)).rejects.toThrow();
    clock.now = 1_000;
    let release!: () => void;
    const trial = b.run(() => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    await expect(b.run(fine)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).resolves.toBe('ok');
    await expect(b.run(fine)).resolves.toBe('ok');
  });

  it('a success resets the count: only consecutive failures open it', async () => {
    const { b } = breaker({ failureThreshold: 2 });
    await expect(b.run(boom)).rejects.toThrow();
    await b.run(fine);
    await expect(b.run(boom)).rejects.toThrow();
    expect(b.state).toBe('closed');
  });

  it('errors that isFailure rejects do not count, and close a half-open circuit', async () => {
    const refused = new Error('400');
    const { b, clock } = breaker({ failureThreshold: 1, isFailure: (e) => e !== refused });
    await expect(b.run(() => Promise.reject(refused))).rejects.toBe(refused);
    expect(b.state).toBe('closed');
    await expect(b.run(boom)).rejects.toThrow();
    clock.now = 1_000;
    await expect(b.run(() => Promise.reject(refused))).rejects.toBe(refused);
    expect(b.state).toBe('closed');
  });

  it('validates its options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, coolDownMs: 1 })).toThrow();
    expect(() => new CircuitBreaker({ failureThreshold: 1, coolDownMs: -1 })).toThrow();
  });
});
