// The health monitor: schedules each service's rounds, feeds round verdicts to the pure state
// machine and reports transitions. Effects come only through `deps` (clock, runners), so the whole
// thing runs on a fake clock in tests. The API is documented in index.ts.
//
// Steady rounds sit on a grid of the monotonic clock, one point per interval, at an offset derived
// from the service's checks and timing (splay.ts): a thousand services do not fire in the same
// millisecond, and services with identical checks and timing (a group) fall due together and
// share each run (group-run.ts). Rounds while deciding (RISING, FALLING) come every fast_interval
// after the last.
import type { Service } from "../manifest/types.js";
import { detectionBoundMs } from "./bound.js";
import { combineResults } from "./combine.js";
import { realClock } from "./clock.js";
import { DEFAULT_CONCURRENCY, createLimits } from "./limiter.js";
import { Groups, keep, type Group, type SharedRun } from "./group-run.js";
import { ActiveRuns, checkKey, makeSlot, type CheckSlot, type RunEnv } from "./run-check.js";
import { prepareCheck } from "./runners/index.js";
import { gridPointAt } from "./splay.js";
import { TimerQueue, type Waiting } from "./timer-queue.js";
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

interface Entry extends Waiting {
  service: Service;
  cfg: StateConfig;
  timingKey: string;
  slots: CheckSlot[];
  group: Group<Entry>;
  /** updated in place after each step of the (pure) state machine */
  st: HealthState;
  holdTimer: unknown;
  holdAt: number | undefined;
  /** a round is in progress (its checks run, or its results are being taken); at most one at a time */
  running: boolean;
  /** counts the rounds started: a round that ends knows whether another started meanwhile */
  roundSeq: number;
  /** the round in progress: when it was due, and the checks it runs (a reload may replace e.slots meanwhile) */
  roundDue: number;
  roundSlots: CheckSlot[];
  /** called when the round in progress ends (runNow waits on it) */
  roundEnded: (() => void)[] | undefined;
  lastRoundStart: number | undefined;
  /** updated in place each round, as is each slot's `last`; snapshot() hands out copies */
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
const copyRound = (rr: RoundResult): RoundResult => ({ ...rr, results: rr.results.map((r) => ({ ...r })) });

/** services with the same checks (type, target, settings, name) and timing share runs */
export const groupKey = (s: Service) => `${timingKey(s)} ${s.checks.map(checkKey).join(" ")}`;

export function createHealthMonitor(opts: HealthMonitorOptions): HealthMonitor {
  const clock = opts.deps?.clock ?? realClock;
  const prepare = opts.deps?.prepare ?? prepareCheck;
  const limits = createLimits(opts.deps?.concurrency ?? DEFAULT_CONCURRENCY);
  const entries = new Map<string, Entry>();
  let started = false;
  // every next round and every run's deadline wait in one queue, under one clock timer
  const queue = new TimerQueue(clock);
  let env: RunEnv = { clock, limits, active: new ActiveRuns(), deadlines: queue };
  let drained: ReadonlySet<string> | "all" = new Set();

  const toWall = (mono: number) => Math.round(clock.wall() - (clock.now() - mono));
  const rethrowLater = (e: unknown) =>
    queueMicrotask(() => {
      throw e;
    });
  /** an exception from a callback (or from ending a round) goes to onError, else is rethrown asynchronously; never thrown here */
  const fail = (e: unknown) => {
    try {
      if (opts.onError) opts.onError(e);
      else rethrowLater(e);
    } catch (again) {
      rethrowLater(again);
    }
  };
  const report = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      fail(e);
    }
  };

  function makeSlots(s: Service, old: CheckSlot[] = []): CheckSlot[] {
    const byKey = new Map(old.map((c) => [c.key, c]));
    return s.checks.map((spec) => byKey.get(checkKey(spec)) ?? makeSlot(spec, prepare(spec)));
  }

  const groups = new Groups<Entry>(clock, (e, run) => roundEnded(e, run), fail);
  const joinGroup = (s: Service) => groups.join(groupKey(s), s.intervalMs);

  const onGrid = (e: Entry, t: number, strictly = false) => gridPointAt(e.group.offset, e.service.intervalMs, t, strictly);

  function newEntry(s: Service): Entry {
    const e: Entry = {
      service: s,
      cfg: stateConfig(s),
      timingKey: timingKey(s),
      slots: makeSlots(s),
      group: joinGroup(s),
      st: initialHealthState(clock.now()),
      dueAt: 0,
      queued: -1,
      seq: 0,
      holdTimer: undefined,
      holdAt: undefined,
      running: false,
      roundSeq: 0,
      roundDue: 0,
      roundSlots: [],
      roundEnded: undefined,
      fire: () => round(e, e.dueAt),
      lastRoundStart: undefined,
      lastRound: undefined,
      counters: { rounds: 0, roundsFailed: 0, checkRuns: 0, checkFailures: 0, checkTimeouts: 0, overlapsSkipped: 0 },
      gone: false,
    };
    return e;
  }

  function dispatch(e: Entry, ev: HealthEvent, results: readonly CheckResult[] = []): void {
    const step = reduce(e.cfg, e.st, ev, clock.now());
    Object.assign(e.st, step.state);
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
        results: t.cause === "check" || t.cause === "hold" ? results.map((r) => ({ ...r })) : [],
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
    // Due now: start at once (a 0 ms timer would fire 1 ms late and stretch the detection bound).
    if (at - clock.now() <= 0) {
      queue.remove(e);
      round(e, at);
      return;
    }
    queue.add(e, at);
  }

  /** a function, not a condition: `started` and `gone` change while a round awaits its checks */
  function active(e: Entry): boolean {
    return started && !e.gone;
  }

  /** when the round after one that was due at `due` and started at `start` is due */
  function nextDue(e: Entry, start: number, due = start): number {
    return nextDelayKind(e.st) === "fast" ? start + e.service.fastIntervalMs : onGrid(e, Math.max(start, due), true);
  }

  /** Start a round: join the group's run if it is fresh enough for this one, else start one. */
  function round(e: Entry, due: number): void {
    if (!active(e) || e.slots.length === 0) return;
    e.running = true;
    e.roundSeq++;
    e.roundDue = due;
    e.roundSlots = e.slots;
    e.lastRoundStart = groups.enter(e.group, e, e.slots, env, due).startedAt;
  }

  /** The round is over once its results are taken: runNow, asked meanwhile (by a callback), waits for that. */
  function roundEnded(e: Entry, run: SharedRun<Entry>): void {
    const seq = e.roundSeq;
    try {
      if (active(e)) takeResults(e, run, e.roundDue);
    } finally {
      // unless taking the results started the next round at once
      if (e.roundSeq === seq) e.running = false;
      const fns = e.roundEnded;
      e.roundEnded = undefined;
      if (fns) for (const fn of fns) fn();
    }
  }

  function takeResults(e: Entry, run: SharedRun<Entry>, due: number): void {
    const start = run.startedAt;
    if (run.env !== env) {
      // stopped and started again while this round ran: its results are void, resume the schedule
      schedule(e, Math.max(clock.now(), nextDue(e, start, due)));
      return;
    }
    const slots = e.roundSlots;
    const c = e.counters;
    const rr = (e.lastRound ??= { ok: false, reason: "", passed: 0, total: 0, results: [], at: 0, latencyMs: 0 });
    const results = rr.results;
    if (results.length !== slots.length) results.length = slots.length;
    for (let i = 0; i < slots.length; i++) {
      // one object per place in the round (a service may list the same check twice), each slot's last is one of them
      const r = (results[i] = keep(results[i], run.results[i]!));
      slots[i]!.last = r;
      c.checkRuns++;
      if (!r.ok) c.checkFailures++;
      if (r.timedOut) c.checkTimeouts++;
      if (r.error === "EBUSY") c.overlapsSkipped++;
    }
    const v = combineResults(e.service.combine, results);
    // the same words as last round: keep last round's string, and the new one dies young
    rr.reason = v.reason === rr.reason ? rr.reason : v.reason;
    rr.ok = v.ok;
    rr.passed = v.passed;
    rr.total = v.total;
    rr.at = run.at;
    rr.latencyMs = Math.round((clock.now() - start) * 1000) / 1000;
    c.rounds++;
    if (!v.ok) c.roundsFailed++;
    dispatch(e, { type: "result", ok: v.ok, reason: rr.reason, partial: v.passed < v.total }, results);
    if (opts.onRound) report(() => opts.onRound!(e.service.name, copyRound(rr)));
    if (active(e) && e.queued < 0) schedule(e, Math.max(nextDue(e, start, due), clock.now()));
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
    queue.remove(e);
    if (e.holdTimer !== undefined) clock.clearTimeout(e.holdTimer);
    e.holdTimer = undefined;
    e.holdAt = undefined;
  }

  function retire(e: Entry): void {
    e.gone = true;
    halt(e);
    groups.leave(e.group);
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
      groups.leave(e.group);
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
      lastRound: e.lastRound && copyRound(e.lastRound),
      lastResults: e.slots.flatMap((s) => (s.last ? [{ ...s.last }] : [])),
      nextRunAt: e.queued < 0 ? undefined : toWall(e.dueAt),
      counters: { ...e.counters, transitions: st.transitions, flapHolds: st.flapHolds },
      detectionBoundMs: detectionBoundMs(e.service),
    };
  }

  /** resolves when the round in progress ends (at once if none is) */
  const untilRoundEnds = (e: Entry): Promise<void> => (e.running ? new Promise((resolve) => (e.roundEnded ??= []).push(resolve)) : Promise.resolve());

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
      env = { clock, limits, active: new ActiveRuns(), deadlines: queue };
      running.stopAll();
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
      while (e.running) await untilRoundEnds(e);
      if (!active(e)) return undefined;
      // the scheduled round is replaced by this one; round() schedules the next
      queue.remove(e);
      const before = e.counters.rounds;
      round(e, clock.now());
      await untilRoundEnds(e);
      return e.counters.rounds === before ? undefined : copyRound(e.lastRound!);
    },
  };
}
