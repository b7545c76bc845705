/** How long background work may hold the thread before it lets pending I/O run. */
export const YIELD_AFTER_MS = 1;

/**
 * A `between()` for background work on the request thread: called often (per customer, per message,
 * per reaction) but yielding to the event loop (setImmediate: pending I/O, such as incoming webhooks,
 * runs first) only once the work has had the thread for YIELD_AFTER_MS, so work on fast (in-memory)
 * stores never holds an acknowledgement up for longer than a slice.
 */
export function timeSlicedYield(): () => Promise<void> {
  let sliceStart = performance.now();
  return async () => {
    if (performance.now() - sliceStart < YIELD_AFTER_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };
}
