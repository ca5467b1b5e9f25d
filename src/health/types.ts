// Public types of the health subsystem: what runners report, what the state machine emits and
// what the monitor's snapshot() returns. Times named `at`/`since`/`…Until` are wall-clock epoch
// milliseconds; durations end in `Ms`.
import type { CheckSpec } from "../manifest/types.js";

/**
 * INIT     no result yet (never announced; `initial: up` leaves INIT at start)
 * RISING   healthy, but fewer than `rise` consecutive successes (not announced)
 * UP       healthy (announced)
 * FALLING  failing, but fewer than `fall` consecutive failures (still announced)
 * DEGRADED healthy by its combine rule, but some checks fail, and `degraded: deprefer` says so
 *          (announced de-preferred)
 * DOWN     unhealthy, or held down after flapping (withdrawn or de-preferred, per on_failure)
 * DISABLED drained by the operator (the supervisor drains it gracefully)
 */
export type HealthStateName = "INIT" | "RISING" | "UP" | "FALLING" | "DEGRADED" | "DOWN" | "DISABLED";

/** every state, in the order status and metrics list them */
export const HEALTH_STATE_NAMES: readonly HealthStateName[] = ["INIT", "RISING", "UP", "FALLING", "DEGRADED", "DOWN", "DISABLED"];

/** The rise/fall machine underneath drain and hold-down. */
export type Phase = "INIT" | "RISING" | "UP" | "FALLING" | "DOWN";

/** Whether a service in this state has its prefixes announced as healthy. */
export function isAnnounced(state: HealthStateName): boolean {
  return state === "UP" || state === "FALLING" || state === "DEGRADED";
}

/** What one run of one check says, before the wrapper adds timing. */
export interface Outcome {
  ok: boolean;
  /** one line, bounded: "exit 1: <stderr tail>", "HTTP 503 (expected 200)", "connect ECONNREFUSED" */
  reason: string;
  /** exec: exit code (null when killed by a signal) */
  exitCode?: number | null;
  /** exec: the signal that ended the process */
  signal?: string | null;
  /** exec: bounded tail of stderr (or stdout when stderr is empty) */
  output?: string;
  /** http: the response status */
  status?: number;
  /** errno-style code of a failure: ECONNREFUSED, ETIMEDOUT, ENOENT, EPERM, ... */
  error?: string;
}

/** One run of one check. */
export interface CheckResult extends Outcome {
  check: string;
  type: CheckSpec["type"];
  /** wall clock when the run started (after any wait for a concurrency slot) */
  at: number;
  latencyMs: number;
  /** time spent waiting for a concurrency slot before the run started */
  queuedMs: number;
  timedOut: boolean;
}

/** One round: every check of a service run once, concurrently, combined by `combine`. */
export interface RoundResult {
  ok: boolean;
  /** "2/2 checks passed" or the failing checks' reasons */
  reason: string;
  passed: number;
  total: number;
  results: CheckResult[];
  /** wall clock when the round started */
  at: number;
  latencyMs: number;
}

export type TransitionCause = "start" | "check" | "hold" | "release" | "drain" | "undrain";

/**
 * A change of a service's health state. `cause: "hold"` may have from === to === "DOWN": the
 * service was already DOWN when flapping put it under hold-down.
 */
export interface HealthTransition {
  service: string;
  from: HealthStateName;
  to: HealthStateName;
  /** whether `to` announces the prefixes (UP, FALLING) */
  announced: boolean;
  cause: TransitionCause;
  reason: string;
  /** wall clock of the transition */
  at: number;
  /** wall clock when `from` began */
  fromSince: number;
  /** set while flap hold-down keeps the service DOWN */
  heldDownUntil: number | undefined;
  successes: number;
  failures: number;
  /** the round that caused it (empty unless cause is "check") */
  results: CheckResult[];
}

export interface HealthCounters {
  rounds: number;
  roundsFailed: number;
  checkRuns: number;
  checkFailures: number;
  checkTimeouts: number;
  /** a check was still running from its previous round (its runner ignored the deadline) */
  overlapsSkipped: number;
  transitions: number;
  /** times flap hold-down started (or restarted while held) */
  flapHolds: number;
}

/** what a reconcile reads of a service's health */
export type HealthBrief = Pick<ServiceSnapshot, "name" | "state" | "phase">;

export interface ServiceSnapshot {
  name: string;
  state: HealthStateName;
  announced: boolean;
  /** the rise/fall machine underneath drain and hold-down */
  phase: Phase;
  since: number;
  reason: string;
  successes: number;
  failures: number;
  rise: number;
  fall: number;
  drained: boolean;
  heldDownUntil: number | undefined;
  lastRound: RoundResult | undefined;
  /** latest result of each check, in manifest order (absent until it has run) */
  lastResults: CheckResult[];
  nextRunAt: number | undefined;
  counters: HealthCounters;
  /** worst-case time from a failure to DOWN (see bound.ts) */
  detectionBoundMs: number;
}

/** Monotonic time plus timers; injected so tests run on a fake clock. */
export interface Clock {
  /** monotonic milliseconds (arbitrary origin): every duration and deadline uses this */
  now(): number;
  /** wall-clock epoch milliseconds: only for timestamps shown to people */
  wall(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a runner may look at and update while it runs. */
export interface RunContext {
  /** aborted at the deadline (or when the monitor stops): stop work, kill children, release sockets */
  readonly signal: AbortSignal;
  /**
   * `fn` runs once when the run is aborted (at once if it already is): the cheap form of listening
   * to `signal`, which is made only when a runner asks for it (an AbortSignal costs more than a
   * TCP connect).
   */
  onAbort(fn: () => void): void;
  /** what the run is doing now, quoted in a timeout reason: "connecting", "waiting for headers" */
  phase: string;
  /** partial evidence for a timeout result (e.g. an exec check's output so far) */
  partial?: () => Partial<Outcome>;
  /** the outcome, for a runner that returns nothing; only the first call counts */
  settle(o: Outcome): void;
}

/**
 * A check made ready to run many times (URL parsed, regex compiled, ...). It returns its outcome's
 * promise, or nothing and calls `ctx.settle` once: the form without a promise is for the runners
 * a thousand services run every second (TCP).
 */
export type RunFn = (ctx: RunContext) => Promise<Outcome> | undefined;

/** A runner that always returns a promise (it has no use for `settle`): what hooks run exec commands with. */
export type PromiseRunFn = (ctx: Omit<RunContext, "settle">) => Promise<Outcome>;

/** Turns a check spec into its run function; the real one is prepareCheck (runners/index.ts). */
export type PrepareFn = (spec: CheckSpec) => RunFn;
