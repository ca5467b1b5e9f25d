// The health monitor: schedules each service's rounds, feeds round verdicts to the pure state
// machine and reports transitions. Effects come only through `deps` (clock, runners), so the whole
// thing runs on a fake clock in tests. The API is documented in index.ts.
//
// Steady rounds sit on a grid of the monotonic clock, one point per interval, at an offset derived
// from the service's checks and timing (splay.ts): a thousand services do not fire in the same
// millisecond, and services with identical checks and timing (a group) fall due together. A round
// takes the results of its group's latest run when that run was started for a round due at or
// after its own (as fresh as a run of its own), so N services behind the same endpoint cost one
// run per interval, not N. Rounds while deciding (RISING, FALLING) come every fast_interval after the last.
import type { Service } from "../manifest/types.js";
import { detectionBoundMs } from "./bound.js";
import { combineResults } from "./combine.js";
import { realClock } from "./clock.js";
import { DEFAULT_CONCURRENCY, createLimits } from "./limiter.js";
import { checkKey, makeSlot, runCheck, type CheckSlot, type RunEnv } from "./run-check.js";
import { prepareCheck } from "./runners/index.js";
import { gridPoint } from "./splay.js";
import { initialHealthState, nextDelayKind, reduce, type HealthEvent, type HealthState, type StateConfig } from "./state.js";
import {
  isAnnounced,
  type CheckResult,
  type Clock,
  type HealthCounters,
  type HealthTransition,
  type PrepareFn,
  type RoundResult,
  type HealthBrief,
  type ServiceSnapshot,
} from "./types.js";

export interface HealthDeps {
  clock: Clock;
  /** check spec → run function (default: the real runners) */
  prepare: PrepareFn;
  /** most check runs at once, and most exec runs at once (default 64 and 16) */
  concurrency: { total: number; exec: number };
}

export interface HealthMonitorOptions {
  services: readonly Service[];
  deps?: Partial<HealthDeps>;
  /** every state change, in order, per service */
  onTransition?: (t: HealthTransition) => void;
  /** every completed round (for metrics and debug logs) */
  onRound?: (service: string, round: RoundResult) => void;
  /** an exception thrown by onTransition/onRound (default: rethrown asynchronously) */
  onError?: (e: unknown) => void;
}

export interface HealthMonitor {
  /** start scheduling (first rounds splayed over one interval); idempotent */
  start(): void;
  /** stop every timer, abort runs in progress; state is kept, start() resumes */
  stop(): void;
  /** manifest reload: keep unchanged services, add new ones, drop removed ones */
  update(services: readonly Service[]): void;
  /** the drained services (DISABLED): a list of names, or "all"; replaces the previous set */
  setDrained(names: readonly string[] | "all"): void;
  snapshot(): ServiceSnapshot[];
  /** each service's state and rise/fall phase only: what a reconcile reads, at the cost of the names */
  states(): HealthBrief[];
  get(name: string): ServiceSnapshot | undefined;
  /**
   * Run a service's checks now, as one round that counts toward rise/fall like any other (the
   * next scheduled round follows one period later); after a round already running, never beside
   * it. Resolves with the round, or undefined for an unknown, check-less or stopped service.
   */
  runNow(name: string): Promise<RoundResult | undefined>;
}

/** One run of a group's checks, shared by the rounds that fall due while it starts. */
interface SharedRun {
  /** monotonic: when the round that started it was due (a timer may fire a little early) */
  due: number;
  /** monotonic */
  startedAt: number;
  /** wall clock */
  at: number;
  env: RunEnv;
  results: Promise<CheckResult[]>;
}

interface Group {
  key: string;
  members: number;
  last: SharedRun | undefined;
}

interface Entry {
  service: Service;
  cfg: StateConfig;
  timingKey: string;
  slots: CheckSlot[];
  group: Group;
  st: HealthState;
  timer: unknown;
  nextRunAt: number | undefined;
  holdTimer: unknown;
  holdAt: number | undefined;
  running: boolean;
  /** the round in progress, for runNow to wait on */
  current: Promise<void> | undefined;
  lastRoundStart: number | undefined;
  lastRound: RoundResult | undefined;
  counters: Omit<HealthCounters, "transitions" | "flapHolds">;
  gone: boolean;
}

const stateConfig = (s: Service): StateConfig => ({
  rise: s.rise,
  fall: s.fall,
  initial: s.checks.length === 0 ? "up" : s.initial,
  degraded: s.degraded === "deprefer",
  flap: s.flap,
});
const timingKey = (s: Service) => `${s.intervalMs}/${s.fastIntervalMs}`;
/** services with the same checks (type, target, settings, name) and timing share runs */
export const groupKey = (s: Service) => `${timingKey(s)} ${s.checks.map(checkKey).join(" ")}`;

export function createHealthMonitor(opts: HealthMonitorOptions): HealthMonitor {
  const clock = opts.deps?.clock ?? realClock;
  const prepare = opts.deps?.prepare ?? prepareCheck;
  const limits = createLimits(opts.deps?.concurrency ?? DEFAULT_CONCURRENCY);
  const entries = new Map<string, Entry>();
  const groups = new Map<string, Group>();
  let started = false;
  let env: RunEnv = { clock, limits, active: new Set() };
  let drained: ReadonlySet<string> | "all" = new Set();

  const toWall = (mono: number) => Math.round(clock.wall() - (clock.now() - mono));
  const report = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (opts.onError) opts.onError(e);
      else queueMicrotask(() => {
        throw e;
      });
    }
  };

  function makeSlots(s: Service, old: CheckSlot[] = []): CheckSlot[] {
    const byKey = new Map(old.map((c) => [c.key, c]));
    return s.checks.map((spec) => byKey.get(checkKey(spec)) ?? makeSlot(spec, prepare(spec)));
  }

  function joinGroup(s: Service): Group {
    const key = groupKey(s);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, members: 0, last: undefined }));
    g.members++;
    return g;
  }

  function leaveGroup(g: Group): void {
    if (--g.members === 0) groups.delete(g.key);
  }

  const onGrid = (e: Entry, t: number, strictly = false) => gridPoint(e.group.key, e.service.intervalMs, t, strictly);

  function newEntry(s: Service): Entry {
    return {
      service: s,
      cfg: stateConfig(s),
      timingKey: timingKey(s),
      slots: makeSlots(s),
      group: joinGroup(s),
      st: initialHealthState(clock.now()),
      timer: undefined,
      nextRunAt: undefined,
      holdTimer: undefined,
      holdAt: undefined,
      running: false,
      current: undefined,
      lastRoundStart: undefined,
      lastRound: undefined,
      counters: { rounds: 0, roundsFailed: 0, checkRuns: 0, checkFailures: 0, checkTimeouts: 0, overlapsSkipped: 0 },
      gone: false,
    };
  }

  function dispatch(e: Entry, ev: HealthEvent, results: CheckResult[] = []): void {
    const step = reduce(e.cfg, e.st, ev, clock.now());
    e.st = step.state;
    for (const t of step.transitions) {
      const event: HealthTransition = {
        service: e.service.name,
        from: t.from,
        to: t.to,
        announced: isAnnounced(t.to),
        cause: t.cause,
        reason: t.reason,
        at: toWall(t.at),
        fromSince: toWall(t.fromSince),
        heldDownUntil: t.heldUntil === undefined ? undefined : toWall(t.heldUntil),
        successes: e.st.successes,
        failures: e.st.failures,
        results: t.cause === "check" || t.cause === "hold" ? results : [],
      };
      if (opts.onTransition) report(() => opts.onTransition!(event));
    }
    armHoldTimer(e);
  }

  function armHoldTimer(e: Entry): void {
    const until = started && !e.gone ? e.st.heldUntil : undefined;
    if (until === e.holdAt) return;
    if (e.holdTimer !== undefined) clock.clearTimeout(e.holdTimer);
    e.holdTimer = undefined;
    e.holdAt = until;
    if (until === undefined) return;
    e.holdTimer = clock.setTimeout(() => {
      e.holdTimer = undefined;
      e.holdAt = undefined;
      if (!e.gone && started) dispatch(e, { type: "tick" });
    }, Math.max(0, until - clock.now()));
  }

  function schedule(e: Entry, at: number): void {
    if (e.timer !== undefined) clock.clearTimeout(e.timer);
    e.timer = undefined;
    e.nextRunAt = undefined;
    const delay = at - clock.now();
    // Due now: start at once (a 0 ms timer would fire 1 ms late and stretch the detection bound).
    if (delay <= 0) {
      void round(e, at);
      return;
    }
    e.nextRunAt = at;
    e.timer = clock.setTimeout(() => {
      e.timer = undefined;
      e.nextRunAt = undefined;
      void round(e, at);
    }, delay);
  }

  /** a function, not a condition: `started` and `gone` change while a round awaits its checks */
  function active(e: Entry): boolean {
    return started && !e.gone;
  }

  /** when the round after one that was due at `due` and started at `start` is due */
  function nextDue(e: Entry, start: number, due = start): number {
    return nextDelayKind(e.st) === "fast" ? start + e.service.fastIntervalMs : onGrid(e, Math.max(start, due), true);
  }

  function startRun(e: Entry, runEnv: RunEnv, due: number): SharedRun {
    const slots = e.slots;
    const at = clock.wall();
    const results = Promise.all(slots.map((s) => runCheck(s, runEnv))).catch((err: unknown) => {
      const reason = `internal error: ${err instanceof Error ? err.message : String(err)}`;
      return slots.map((s): CheckResult => ({ ok: false, reason, check: s.spec.name, type: s.spec.type, at, latencyMs: 0, queuedMs: 0, timedOut: false, error: "EINTERNAL" }));
    });
    const run: SharedRun = { due, startedAt: clock.now(), at, env: runEnv, results };
    e.group.last = run;
    return run;
  }

  function round(e: Entry, due: number): Promise<void> {
    const p = roundBody(e, due).finally(() => {
      if (e.current === p) e.current = undefined;
    });
    e.current = p;
    return p;
  }

  async function roundBody(e: Entry, due: number): Promise<void> {
    if (!active(e) || e.slots.length === 0) return;
    const runEnv = env;
    const slots = e.slots;
    e.running = true;
    const shared = e.group.last;
    const run = shared !== undefined && shared.env === runEnv && shared.due >= due ? shared : startRun(e, runEnv, due);
    const start = run.startedAt;
    e.lastRoundStart = start;
    const at = run.at;
    const results = await run.results;
    e.running = false;
    if (!active(e)) return;
    if (runEnv !== env) {
      // stopped and started again while this round ran: its results are void, resume the schedule
      schedule(e, Math.max(clock.now(), nextDue(e, start, due)));
      return;
    }
    const c = e.counters;
    for (let i = 0; i < slots.length; i++) {
      const r = results[i]!;
      slots[i]!.last = r;
      c.checkRuns++;
      if (!r.ok) c.checkFailures++;
      if (r.timedOut) c.checkTimeouts++;
      if (r.error === "EBUSY") c.overlapsSkipped++;
    }
    const v = combineResults(e.service.combine, results);
    const rr: RoundResult = { ok: v.ok, reason: v.reason, passed: v.passed, total: v.total, results, at, latencyMs: Math.round((clock.now() - start) * 1000) / 1000 };
    e.lastRound = rr;
    c.rounds++;
    if (!v.ok) c.roundsFailed++;
    dispatch(e, { type: "result", ok: v.ok, reason: v.reason, partial: v.passed < v.total }, results);
    if (opts.onRound) report(() => opts.onRound!(e.service.name, rr));
    if (active(e) && e.timer === undefined) schedule(e, Math.max(nextDue(e, start, due), clock.now()));
  }

  function begin(e: Entry): void {
    dispatch(e, { type: "start", ...(e.slots.length === 0 ? { reason: "no checks: always healthy" } : {}) });
    applyDrain(e);
    armHoldTimer(e);
    if (e.slots.length > 0 && !e.running) {
      const first = e.lastRoundStart === undefined ? onGrid(e, clock.now()) : Math.max(clock.now(), nextDue(e, e.lastRoundStart));
      schedule(e, first);
    }
  }

  function halt(e: Entry): void {
    if (e.timer !== undefined) clock.clearTimeout(e.timer);
    if (e.holdTimer !== undefined) clock.clearTimeout(e.holdTimer);
    e.timer = e.holdTimer = undefined;
    e.nextRunAt = e.holdAt = undefined;
  }

  function retire(e: Entry): void {
    e.gone = true;
    halt(e);
    leaveGroup(e.group);
  }

  function applyDrain(e: Entry): void {
    const want = drained === "all" || drained.has(e.service.name);
    if (want !== e.st.drained) dispatch(e, { type: want ? "drain" : "undrain" });
  }

  function reconfigure(e: Entry, s: Service): void {
    const timingChanged = timingKey(s) !== e.timingKey;
    e.service = s;
    e.cfg = stateConfig(s);
    e.timingKey = timingKey(s);
    e.slots = makeSlots(s, e.slots);
    if (groupKey(s) !== e.group.key) {
      leaveGroup(e.group);
      e.group = joinGroup(s);
    }
    if (!started || e.running || !timingChanged) return;
    // Timing changed: the next round comes one new period after the last one (or splayed, if none ran).
    const next = e.lastRoundStart === undefined ? onGrid(e, clock.now()) : Math.max(clock.now(), nextDue(e, e.lastRoundStart));
    schedule(e, next);
  }

  function snap(e: Entry): ServiceSnapshot {
    const st = e.st;
    return {
      name: e.service.name,
      state: st.state,
      announced: isAnnounced(st.state),
      phase: st.phase,
      since: toWall(st.since),
      reason: st.reason,
      successes: st.successes,
      failures: st.failures,
      rise: e.service.rise,
      fall: e.service.fall,
      drained: st.drained,
      heldDownUntil: st.heldUntil === undefined ? undefined : toWall(st.heldUntil),
      lastRound: e.lastRound,
      lastResults: e.slots.flatMap((s) => (s.last ? [s.last] : [])),
      nextRunAt: e.nextRunAt === undefined ? undefined : toWall(e.nextRunAt),
      counters: { ...e.counters, transitions: st.transitions, flapHolds: st.flapHolds },
      detectionBoundMs: detectionBoundMs(e.service),
    };
  }

  for (const s of opts.services) entries.set(s.name, newEntry(s));

  return {
    start() {
      if (started) return;
      started = true;
      for (const e of entries.values()) begin(e);
    },
    stop() {
      if (!started) return;
      started = false;
      for (const e of entries.values()) halt(e);
      // A fresh env marks rounds still running as void; then abort their runs.
      const running = env.active!;
      env.stopped = true;
      env = { clock, limits, active: new Set() };
      for (const stopRun of [...running]) stopRun();
    },
    update(services) {
      const seen = new Set<string>();
      for (const s of services) {
        seen.add(s.name);
        const e = entries.get(s.name);
        // A service that gains or loses all its checks starts afresh: "always healthy" differs in kind.
        if (e && (e.service.checks.length === 0) === (s.checks.length === 0)) {
          reconfigure(e, s);
          continue;
        }
        if (e) retire(e);
        const fresh = newEntry(s);
        entries.set(s.name, fresh);
        if (started) begin(fresh);
      }
      for (const [name, e] of entries) {
        if (seen.has(name)) continue;
        retire(e);
        entries.delete(name);
      }
    },
    setDrained(names) {
      drained = names === "all" ? "all" : new Set(names);
      if (!started) return;
      for (const e of entries.values()) applyDrain(e);
    },
    snapshot() {
      return [...entries.values()].map(snap);
    },
    states() {
      return [...entries.values()].map((e) => ({ name: e.service.name, state: e.st.state, phase: e.st.phase }));
    },
    get(name) {
      const e = entries.get(name);
      return e && snap(e);
    },
    async runNow(name) {
      const e = entries.get(name);
      if (!e || e.slots.length === 0) return undefined;
      while (e.current) await e.current;
      if (!active(e)) return undefined;
      // the scheduled round is replaced by this one; round() schedules the next
      if (e.timer !== undefined) clock.clearTimeout(e.timer);
      e.timer = undefined;
      e.nextRunAt = undefined;
      const before = e.lastRound;
      await round(e, clock.now());
      return e.lastRound === before ? undefined : e.lastRound;
    },
  };
}
