// Wall-clock time in microseconds, comparable with FRR's `log timestamp precision 6` lines (both
// are CLOCK_REALTIME on this machine). Date.now() has only millisecond resolution, so the
// monotonic clock is used and its offset to the wall clock is calibrated on a millisecond edge.
let offsetMs = 0;

/**
 * Re-measure the offset between performance.now() and the wall clock: spin until Date.now()
 * ticks, then read the monotonic clock. Reading late only makes the offset look smaller, so the
 * largest of a few samples is the best estimate (error: tens of microseconds).
 */
export function calibrate(samples = 5): number {
  let best = -Infinity;
  for (let i = 0; i < samples; i++) {
    const a = Date.now();
    let b: number;
    while ((b = Date.now()) === a);
    best = Math.max(best, b - (performance.timeOrigin + performance.now()));
  }
  offsetMs = best;
  return best;
}

/** epoch microseconds */
export function wallUs(): number {
  return (performance.timeOrigin + performance.now() + offsetMs) * 1000;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** a uniformly random delay in [0, ms): failures land at a random phase of the check schedule */
export const randomPhase = (ms: number) => sleep(Math.random() * ms);

calibrate();
