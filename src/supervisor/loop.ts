// The one reconcile loop. Every input (manifest change, health transition, SIGHUP, drain,
// periodic re-verify, daemon restart, retry) is a trigger; triggers that arrive while a reconcile
// runs merge into ONE follow-up run; two reconciles never run at once. A failed reconcile is
// retried with capped exponential backoff, and triggers arriving meanwhile wait for that retry
// instead of hammering a daemon that is down — except the daemon watch's "daemon" trigger (the
// daemon is back or restarted) and an operator's, which run at once.
import type { Clock } from "../health/types.js";

export type Trigger = "start" | "manifest" | "health" | "signal" | "reverify" | "daemon" | "drain" | "retry" | "stop" | "observe" | "probe" | "addresses";

/** triggers that may cut a retry backoff short (health changes never do) */
const OPERATOR_OR_DAEMON = new Set<Trigger>(["daemon", "manifest", "signal", "drain"]);

export interface ReconcileResult {
  ok: boolean;
}

export interface LoopOptions {
  run: (reasons: ReadonlySet<Trigger>) => Promise<ReconcileResult>;
  clock: Clock;
  /** periodic re-verify (0 = off) */
  reverifyMs: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** a thrown error (a bug: run() should return ok:false) is reported here and counts as a failure */
  onCrash?: (e: unknown) => void;
  /**
   * an operator's trigger (a changed manifest, SIGHUP) arrived while a run is in progress: the
   * run should stop waiting on the daemon (Engine.interrupt), so the newer input is taken at once
   */
  onSuperseded?: () => void;
}

export interface LoopStats {
  runs: number;
  failures: number;
  merged: number;
  consecutiveFailures: number;
  nextRetryMs: number | undefined;
}

export interface ReconcileLoop {
  trigger(reason: Trigger): void;
  /** resolves when no run is in progress or queued (tests, shutdown) */
  idle(): Promise<void>;
  stop(): Promise<void>;
  stats(): LoopStats;
}

/** the first retry's delay after a failure, doubled on each failure after it (docs/supervisor.md) */
export const BACKOFF_MIN_MS = 500;
/** the longest delay between retries */
export const BACKOFF_MAX_MS = 30_000;

export function createReconcileLoop(o: LoopOptions): ReconcileLoop {
  const minB = o.backoffMinMs ?? BACKOFF_MIN_MS;
  const maxB = o.backoffMaxMs ?? BACKOFF_MAX_MS;
  let pending = new Set<Trigger>();
  let running: Promise<void> | undefined;
  let scheduled: unknown;
  let retryTimer: unknown;
  let reverifyTimer: unknown;
  let backoff = 0;
  let stopped = false;
  const isStopped = () => stopped;
  const stats: LoopStats = { runs: 0, failures: 0, merged: 0, consecutiveFailures: 0, nextRetryMs: undefined };
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (running || scheduled !== undefined || (pending.size > 0 && retryTimer === undefined)) return;
    const w = idleWaiters;
    idleWaiters = [];
    w.forEach((f) => f());
  };

  const armReverify = () => {
    if (o.reverifyMs <= 0 || stopped) return;
    if (reverifyTimer !== undefined) o.clock.clearTimeout(reverifyTimer);
    reverifyTimer = o.clock.setTimeout(() => {
      reverifyTimer = undefined;
      trigger("reverify");
      armReverify();
    }, o.reverifyMs);
  };

  const schedule = (ms: number) => {
    if (scheduled !== undefined || running || stopped) return;
    scheduled = o.clock.setTimeout(() => {
      scheduled = undefined;
      void runOnce();
    }, ms);
  };

  async function runOnce(): Promise<void> {
    if (running || stopped || pending.size === 0) {
      settleIdle();
      return;
    }
    const reasons = pending;
    pending = new Set();
    stats.runs++;
    const attempt = (async () => {
      try {
        return (await o.run(reasons)).ok;
      } catch (e) {
        o.onCrash?.(e);
        return false;
      }
    })();
    running = attempt.then(() => undefined);
    const ok = await attempt;
    await running;
    running = undefined;
    if (ok) {
      backoff = 0;
      stats.consecutiveFailures = 0;
      stats.nextRetryMs = undefined;
    } else {
      stats.failures++;
      stats.consecutiveFailures++;
      backoff = backoff === 0 ? minB : Math.min(maxB, backoff * 2);
      stats.nextRetryMs = backoff;
      // stop() may have come while the reconcile ran. An operator's or the daemon's trigger that
      // came meanwhile (often the very one that cut this run short) is taken at once, as it
      // would be had it come during the backoff; the backoff still grows for the next failure.
      const urgent = [...pending].some((t) => OPERATOR_OR_DAEMON.has(t));
      if (retryTimer === undefined && !isStopped() && !urgent) {
        retryTimer = o.clock.setTimeout(() => {
          retryTimer = undefined;
          trigger("retry");
        }, backoff);
      }
    }
    if (pending.size > 0 && retryTimer === undefined) schedule(0);
    settleIdle();
  }

  function trigger(reason: Trigger): void {
    if (stopped) return;
    if (running && (reason === "manifest" || reason === "signal")) o.onSuperseded?.();
    if (pending.size > 0 || running) stats.merged++;
    pending.add(reason);
    if (retryTimer !== undefined && reason !== "retry") {
      // While a retry is armed the daemon is known to be failing: wait for the retry timer ...
      if (!OPERATOR_OR_DAEMON.has(reason)) return;
      // ... unless the daemon watch saw it come back (or restart), or an operator acted (a fixed
      // manifest, SIGHUP, drain): apply now, not at the end of a backoff that may have grown to
      // its cap. Those are rare by nature, so this cannot become a hot loop; a failure here arms
      // the next, longer, backoff as usual.
      o.clock.clearTimeout(retryTimer);
      retryTimer = undefined;
    }
    schedule(0);
  }

  armReverify();

  return {
    trigger,
    stats: () => ({ ...stats }),
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      }),
    async stop() {
      stopped = true;
      for (const t of [scheduled, retryTimer, reverifyTimer]) if (t !== undefined) o.clock.clearTimeout(t);
      scheduled = retryTimer = reverifyTimer = undefined;
      if (running) await running;
      pending.clear();
      settleIdle();
    },
  };
}
