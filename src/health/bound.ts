// How long a failure can go unnoticed: the detection bound, derived from how the scheduler works.
//
// Scheduling (monitor.ts): a round runs every check of the service concurrently; it ends when
// every check has settled or hit its own timeout, so a round lasts at most T = the longest check
// timeout. The next round starts at  max(start + period, end)  where period is `interval` while
// the phase is INIT/UP/DOWN and `fast_interval` while RISING/FALLING (fixed rate, anchored to
// round starts, never overlapping: a late round starts as soon as the previous one ends).
//
// Failure → DOWN. Let the service be UP and let the failure begin at t_f, just after round 0
// started at s0 ≤ t_f (round 0 may still report success). Every timeout is below `interval`
// (a manifest rule), so round 0 ends before s0 + interval and
//     s1 = s0 + interval ≤ t_f + interval.
// Rounds 1..fall all fail. Round k (2 ≤ k ≤ fall) starts at
//     s_k = max(s_{k-1} + fast_interval, e_{k-1}) ≤ s_{k-1} + max(fast_interval, T)
// and DOWN is decided when round `fall` ends, e_fall ≤ s_fall + T. Hence
//
//     DOWN − t_f  ≤  interval + (fall − 1) · max(fast_interval, T) + T
//
// which is  interval + (fall − 1) · fast_interval + timeout  whenever timeout ≤ fast_interval.
// The bound is tight: a failure right after a round starts whose checks hang until their timeout
// reaches it (test/unit/health/bound.test.ts proves equality on a fake clock). When a check's
// timeout exceeds fast_interval the rounds cannot come faster without overlapping runs of one
// check, which the scheduler never allows; the max() term says so.
// With fall = 1 it is interval + T.
//
// Recovery → UP is symmetric: ≤ interval + (rise − 1) · max(fast_interval, T) + T.
//
// Outside the bound: waiting for a global concurrency slot (zero while fewer checks than the
// limit are running at once; a hung check holds its slot for at most its timeout), waiting for the
// previous run of a check to stop after its timeout (milliseconds for a runner that honours its
// abort, at most one timeout: run-check.ts) and event-loop lag of the timers themselves.
import type { Service } from "../manifest/types.js";

type Timing = Pick<Service, "intervalMs" | "fastIntervalMs" | "timeoutMs" | "fall" | "rise"> & { checks: { timeoutMs: number }[] };

/** The longest time one round can take: the longest check timeout (the service timeout when none). */
function roundTimeoutMs(s: Pick<Service, "timeoutMs"> & { checks: { timeoutMs: number }[] }): number {
  return s.checks.length === 0 ? 0 : Math.max(...s.checks.map((c) => c.timeoutMs));
}

/** Worst case from the start of a failure to DOWN, in ms (0 for a service without checks). */
export function detectionBoundMs(s: Timing): number {
  if (s.checks.length === 0) return 0;
  const t = roundTimeoutMs(s);
  return s.intervalMs + (s.fall - 1) * Math.max(s.fastIntervalMs, t) + t;
}

/** Worst case from the end of a failure to UP, in ms. */
export function recoveryBoundMs(s: Timing): number {
  if (s.checks.length === 0) return 0;
  const t = roundTimeoutMs(s);
  return s.intervalMs + (s.rise - 1) * Math.max(s.fastIntervalMs, t) + t;
}
