// Run one check once: take concurrency slots, start the runner, enforce the deadline on the
// injected clock, never overlap two runs of the same check. The deadline is the scheduler's, not
// the runner's: at `timeoutMs` the run is decided (a timeout failure), the runner is aborted and
// the slots are released, even if a misbehaving runner never settles. A run that finds the
// previous one still stopping (an aborted exec check's process group takes a few ms to go) waits
// for it within its own timeout: one stalled check is one failure, not a timeout and, a moment
// later, a second failure for the overlap.
import type { CheckSpec } from "../manifest/types.js";
import { acquireSlots, releaseSlots, tryAcquireSlots, type Limits } from "./limiter.js";
import type { CheckResult, Clock, Outcome, RunContext, RunFn } from "./types.js";

/** A check as the monitor holds it between runs. */
export interface CheckSlot {
  spec: CheckSpec;
  /** identity of the spec: a reloaded manifest keeps slots whose key is unchanged */
  key: string;
  run: RunFn;
  /** a runner of this check has not settled yet */
  inFlight: boolean;
  /** called once the runner in flight settles (only while a run waits for it) */
  onSettled: (() => void)[] | undefined;
  last: CheckResult | undefined;
}

export interface RunEnv {
  clock: Clock;
  limits: Limits;
  /** runs in progress register their stop function here; the monitor calls them all on stop() */
  active?: Set<() => void>;
  /** set on stop(): a run still waiting for a slot then does not start */
  stopped?: boolean;
}

export function checkKey(spec: CheckSpec): string {
  return JSON.stringify(spec);
}

export function makeSlot(spec: CheckSpec, run: RunFn): CheckSlot {
  return { spec, key: checkKey(spec), run, inFlight: false, onSettled: undefined, last: undefined };
}

function timeoutReason(ms: number, ctx: RunContext): Outcome {
  const partial = ctx.partial?.() ?? {};
  const out = partial.output ? `; output: ${partial.output}` : "";
  return { ...partial, ok: false, reason: `timeout after ${ms}ms (${ctx.phase})${out}`, error: "ETIMEDOUT" };
}

/** whether the run in flight settles within `ms` (on the injected clock) */
function previousStopped(slot: CheckSlot, clock: Clock, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    (slot.onSettled ??= []).push(() => {
      clock.clearTimeout(timer);
      resolve(true);
    });
  });
}

function settled(slot: CheckSlot): void {
  slot.inFlight = false;
  const fns = slot.onSettled;
  if (!fns) return;
  slot.onSettled = undefined;
  for (const fn of fns) fn();
}

const ms3 = (x: number) => Math.round(x * 1000) / 1000;

/** One shape for every result (absent fields undefined), so the code that reads them stays fast. */
function result(o: Outcome, spec: CheckSpec, at: number, latencyMs: number, queuedMs: number, timedOut: boolean): CheckResult {
  return {
    ok: o.ok,
    reason: o.reason,
    exitCode: o.exitCode,
    signal: o.signal,
    output: o.output,
    status: o.status,
    error: o.error,
    check: spec.name,
    type: spec.type,
    at,
    latencyMs: ms3(latencyMs),
    queuedMs: ms3(queuedMs),
    timedOut,
  };
}

/** The context of one run; its AbortSignal is made only when a runner reads `signal`. */
class Context implements RunContext {
  phase = "starting";
  partial: (() => Partial<Outcome>) | undefined = undefined;
  private ac: AbortController | undefined = undefined;
  private reason: Error | undefined = undefined;
  private listeners: (() => void)[] | undefined = undefined;

  get signal(): AbortSignal {
    this.ac ??= new AbortController();
    if (this.reason && !this.ac.signal.aborted) this.ac.abort(this.reason);
    return this.ac.signal;
  }

  onAbort(fn: () => void): void {
    if (this.reason) fn();
    else (this.listeners ??= []).push(fn);
  }

  abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.ac?.abort(reason);
    const fns = this.listeners;
    this.listeners = undefined;
    if (fns) for (const fn of fns) fn();
  }
}

/** One run of the check: its result, on the deadline at the latest. */
export function runCheck(slot: CheckSlot, env: RunEnv): Promise<CheckResult> {
  const isExec = slot.spec.type === "exec";
  // the usual case, with nothing to wait for, takes no extra turn of the event loop
  if (!slot.inFlight && !env.stopped && tryAcquireSlots(env.limits, isExec)) {
    slot.inFlight = true;
    try {
      const now = env.clock.now();
      return start(slot, env, now, now);
    } catch (e) {
      // a clock that throws: a rejected run, as from the queued path
      releaseSlots(env.limits, isExec);
      settled(slot);
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
  return queued(slot, env, isExec);
}

async function queued(slot: CheckSlot, env: RunEnv, isExec: boolean): Promise<CheckResult> {
  const { clock, limits } = env;
  const spec = slot.spec;
  const queuedFrom = clock.now();
  // a loop: another run waiting for the same runner may take the slot first
  while (slot.inFlight) {
    const left = queuedFrom + spec.timeoutMs - clock.now();
    if (left <= 0 || !(await previousStopped(slot, clock, left))) {
      return result({ ok: false, reason: `the previous run is still in progress (it did not stop within ${spec.timeoutMs}ms of its timeout)`, error: "EBUSY" }, spec, clock.wall(), 0, clock.now() - queuedFrom, false);
    }
  }
  slot.inFlight = true;
  try {
    await acquireSlots(limits, isExec);
  } catch (e) {
    settled(slot);
    throw e;
  }
  if (env.stopped) {
    releaseSlots(limits, isExec);
    settled(slot);
    return result({ ok: false, reason: "stopped", error: "ECANCELED" }, spec, clock.wall(), 0, clock.now() - queuedFrom, false);
  }
  return start(slot, env, queuedFrom, clock.now());
}

/** Start the runner, holding the slot and the concurrency slots; decided once, by the runner, the deadline or stop(). */
function start(slot: CheckSlot, env: RunEnv, queuedFrom: number, started: number): Promise<CheckResult> {
  const { clock, limits } = env;
  const spec = slot.spec;
  const isExec = spec.type === "exec";
  const at = clock.wall();
  const queuedMs = started - queuedFrom;
  const ctx = new Context();

  return new Promise<CheckResult>((resolve) => {
    let decided = false;
    const decide = (o: Outcome, timedOut: boolean) => {
      if (decided) return;
      decided = true;
      clock.clearTimeout(timer);
      env.active?.delete(onStop);
      releaseSlots(limits, isExec);
      resolve(result(o, spec, at, clock.now() - started, queuedMs, timedOut));
    };
    const onStop = () => {
      decide({ ok: false, reason: "stopped", error: "ECANCELED" }, false);
      ctx.abort(new Error("stopped"));
    };
    const timer = clock.setTimeout(() => {
      decide(timeoutReason(spec.timeoutMs, ctx), true);
      ctx.abort(new Error(`timeout after ${spec.timeoutMs}ms`));
    }, spec.timeoutMs);
    env.active?.add(onStop);

    let p: Promise<Outcome>;
    try {
      p = slot.run(ctx);
    } catch (e) {
      p = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    p.then(
      (o) => {
        settled(slot);
        decide(o, false);
      },
      (e: unknown) => {
        settled(slot);
        decide({ ok: false, reason: `check error: ${e instanceof Error ? e.message : String(e)}`, error: "EINTERNAL" }, false);
      },
    );
  });
}
