import type { Ports } from '../ports/ports.js';

/** How long a once-only step stays marked: longer than any breach or window it is about. */
export const ONCE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Marks the step `key` as done and returns true to exactly one caller, however many nodes (or
 * event subscribers on several nodes) attempt it: a job lock that nobody renews or releases, taken
 * by a holder unique to this attempt. It is kept for `retentionMs`.
 */
export async function claimOnce(
  ports: Pick<Ports, 'jobLocks' | 'ids'>,
  key: string,
  retentionMs: number = ONCE_RETENTION_MS,
): Promise<boolean> {
  return ports.jobLocks.tryAcquire(`once:${key}`, `once-${ports.ids.next()}`, retentionMs);
}
