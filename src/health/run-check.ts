// Run one check once: take concurrency slots, start the runner, enforce the deadline on the
// injected clock, never overlap two runs of the same check. The deadline is the scheduler's, not
// the runner's: at `timeoutMs` the run is decided (a timeout failure), the runner is aborted and
// the slots are released, even if a misbehaving runner never settles. A run that finds the
// previous one still stopping (an aborted exec check's process group takes a few ms to go) waits
// for it within its own timeout: one stalled check is one failure, not a timeout and, a moment
// later, a second failure for the overlap.
import type { CheckSpec } from "../manifest/types.js";
import { acquireSlots, releaseSlots, tryAcquireSlots, type Limits } from "./limiter.js";
import { TimerQueue, type Waiting } from "./timer-queue.js";
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
  /** runs in progress register here; the monitor stops them all on stop() */
  active?: ActiveRuns;
  /** set on stop(): a run still waiting for a slot then does not start */
  stopped?: boolean;
  /** where each run's deadline waits (the monitor's queue of rounds; made on first use if absent) */
  deadlines?: TimerQueue;
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

/** `to` made equal to `from`, field by field: faster than Object.assign for a result kept in place each round. */
export function copyResult(to: CheckResult, from: CheckResult): CheckResult {
  to.ok = from.ok;
  to.reason = from.reason;
  to.exitCode = from.exitCode;
  to.signal = from.signal;
  to.output = from.output;
  to.status = from.status;
  to.error = from.error;
  to.check = from.check;
  to.type = from.type;
  to.at = from.at;
  to.latencyMs = from.latencyMs;
  to.queuedMs = from.queuedMs;
  to.timedOut = from.timedOut;
  return to;
}

/** The runs in progress, linked through the runs themselves: nothing is allocated per run. */
export class ActiveRuns {
  private head: Run | undefined = undefined;

  add(r: Run): void {
    r.next = this.head;
    if (this.head) this.head.prev = r;
    this.head = r;
  }

  delete(r: Run): void {
    if (r.prev) r.prev.next = r.next;
    else if (this.head === r) this.head = r.next;
    else return;
    if (r.next) r.next.prev = r.prev;
    r.prev = r.next = undefined;
  }

  /** stop every run in progress (each leaves the list as it is decided) */
  stopAll(): void {
    while (this.head) this.head.stop();
  }
}

/** Receives a run's result, once. */
export type ResultFn = (r: CheckResult) => void;

/**
 * One run in progress: its context for the runner and its decision, made once, by the runner, the
 * deadline or stop(). One object per run, not a promise and a closure per step: a thousand checks
 * a second make these.
 */
class Run implements RunContext, Waiting {
  phase = "starting";
  /** the deadline, as a wait in the env's queue (Waiting) */
  dueAt = 0;
  queued = -1;
  seq = 0;
  /** links in the env's ActiveRuns */
  prev: Run | undefined = undefined;
  next: Run | undefined = undefined;
  partial: (() => Partial<Outcome>) | undefined = undefined;
  private ac: AbortController | undefined = undefined;
  private reason: Error | undefined = undefined;
  /** one function, or more in a list (a runner usually registers one) */
  private listeners: (() => void) | (() => void)[] | undefined = undefined;
  private decided = false;
  /** the runner has settled: its first outcome counts */
  private ran = false;

  constructor(
    private readonly slot: CheckSlot,
    private readonly env: RunEnv,
    private readonly isExec: boolean,
    private readonly at: number,
    private readonly started: number,
    private readonly queuedMs: number,
    private readonly done: ResultFn,
  ) {}

  get signal(): AbortSignal {
    this.ac ??= new AbortController();
    if (this.reason && !this.ac.signal.aborted) this.ac.abort(this.reason);
    return this.ac.signal;
  }

  onAbort(fn: () => void): void {
    const fns = this.listeners;
    if (this.reason) fn();
    else if (fns === undefined) this.listeners = fn;
    else if (typeof fns === "function") this.listeners = [fns, fn];
    else fns.push(fn);
  }

  private abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.ac?.abort(reason);
    const fns = this.listeners;
    this.listeners = undefined;
    if (typeof fns === "function") fns();
    else if (fns) for (const fn of fns) fn();
  }

  begin(): void {
    const env = this.env;
    (env.deadlines ??= new TimerQueue(env.clock)).add(this, this.started + this.slot.spec.timeoutMs);
    env.active?.add(this);
    let p: Promise<Outcome> | undefined;
    try {
      p = this.slot.run(this);
    } catch (e) {
      this.failed(e);
      return;
    }
    if (p !== undefined)
      p.then(
        (o) => this.settle(o),
        (e: unknown) => this.failed(e),
      );
  }

  /** the deadline */
  fire(): void {
    const ms = this.slot.spec.timeoutMs;
    this.end(timeoutReason(ms, this), true, new Error(`timeout after ${ms}ms`));
  }

  settle(o: Outcome): void {
    if (this.ran) return;
    this.ran = true;
    settled(this.slot);
    // aborted: the deadline or stop() decides (a runner may settle from inside its abort listener)
    if (!this.reason) this.decide(o, false);
  }

  private failed(e: unknown): void {
    this.settle({ ok: false, reason: `check error: ${e instanceof Error ? e.message : String(e)}`, error: "EINTERNAL" });
  }

  stop(): void {
    this.end({ ok: false, reason: "stopped", error: "ECANCELED" }, false, new Error("stopped"));
  }

  /**
   * Decided before the runner settled (deadline, stop): the runner is aborted first, and the
   * result goes out on the next microtask, so a runner that stops at once has settled before
   * the next run of its check can start.
   */
  private end(o: Outcome, timedOut: boolean, why: Error): void {
    if (this.decided) return;
    this.abort(why);
    this.decide(o, timedOut, true);
  }

  private decide(o: Outcome, timedOut: boolean, later = false): void {
    if (this.decided) return;
    this.decided = true;
    const { clock } = this.env;
    this.env.deadlines?.remove(this);
    this.env.active?.delete(this);
    releaseSlots(this.env.limits, this.isExec);
    const r = result(o, this.slot.spec, this.at, clock.now() - this.started, this.queuedMs, timedOut);
    if (later) queueMicrotask(() => this.done(r));
    else this.done(r);
  }
}

/**
 * Run the check once and pass its result to `done`, on the deadline at the latest. With free
 * concurrency slots and nothing in flight the run starts before this returns; a clock that throws
 * throws here.
 */
export function startCheck(slot: CheckSlot, env: RunEnv, done: ResultFn): void {
  const isExec = slot.spec.type === "exec";
  if (!slot.inFlight && !env.stopped && tryAcquireSlots(env.limits, isExec)) {
    slot.inFlight = true;
    let now: number;
    let at: number;
    try {
      now = env.clock.now();
      at = env.clock.wall();
    } catch (e) {
      releaseSlots(env.limits, isExec);
      settled(slot);
      throw e;
    }
    new Run(slot, env, isExec, at, now, 0, done).begin();
    return;
  }
  queued(slot, env, isExec, done).catch((e: unknown) => done(internalError(slot.spec, e, env.clock.wall())));
}

/** One run of the check: its result, on the deadline at the latest. */
export function runCheck(slot: CheckSlot, env: RunEnv): Promise<CheckResult> {
  return new Promise((resolve) => startCheck(slot, env, resolve));
}

/** The result of a run that could not be made (a fault of svcroute's, not of the check). */
export function internalError(spec: CheckSpec, e: unknown, at: number): CheckResult {
  const reason = `internal error: ${e instanceof Error ? e.message : String(e)}`;
  return result({ ok: false, reason, error: "EINTERNAL" }, spec, at, 0, 0, false);
}

async function queued(slot: CheckSlot, env: RunEnv, isExec: boolean, done: ResultFn): Promise<void> {
  const { clock, limits } = env;
  const spec = slot.spec;
  const queuedFrom = clock.now();
  // a loop: another run waiting for the same runner may take the slot first
  while (slot.inFlight) {
    const left = queuedFrom + spec.timeoutMs - clock.now();
    if (left <= 0 || !(await previousStopped(slot, clock, left))) {
      done(result({ ok: false, reason: `the previous run is still in progress (it did not stop within ${spec.timeoutMs}ms of its timeout)`, error: "EBUSY" }, spec, clock.wall(), 0, clock.now() - queuedFrom, false));
      return;
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
    done(result({ ok: false, reason: "stopped", error: "ECANCELED" }, spec, clock.wall(), 0, clock.now() - queuedFrom, false));
    return;
  }
  const started = clock.now();
  new Run(slot, env, isExec, clock.wall(), started, started - queuedFrom, done).begin();
}
