// The scheduler on vitest fake timers with fake runners: splay, fixed rate, no overlap,
// concurrency bounds, hung checks, reload, drain, stop, hold-down release, events and snapshot.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createHealthMonitor, groupKey } from "../../../src/health/monitor.js";
import { gridPoint } from "../../../src/health/splay.js";
import type { Clock, HealthTransition, RoundResult } from "../../../src/health/types.js";
import type { CheckSpec, Service } from "../../../src/manifest/types.js";
import { service, tcpCheck } from "../../helpers/service.js";
import { FakeRunners } from "./helpers.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const execCheck = (name: string, timeoutMs = 500): CheckSpec => ({ type: "exec", name, timeoutMs, command: ["/bin/true"], user: "nobody", userFromManifest: false, group: undefined, env: {}, cwd: "/" });

describe("start-up splay", () => {
  it("spreads 1,000 services over one interval, the same way every time", async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `svc-${i}`);
    const firsts: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const fakes = new FakeRunners();
      const m = createHealthMonitor({ services: names.map((n) => service(n, { checks: [tcpCheck(n)], intervalMs: 1000, rise: 1 })), deps: { prepare: fakes.prepare } });
      const t0 = performance.now();
      m.start();
      await vi.advanceTimersByTimeAsync(999);
      m.stop();
      expect(fakes.starts).toHaveLength(1000);
      for (const n of names) expect(fakes.startsOf(n)[0]! - t0).toBeLessThan(1000);
      // each service's place within the interval (its grid offset)
      firsts.push(names.map((n) => fakes.startsOf(n)[0]! % 1000));
      await vi.advanceTimersByTimeAsync(1234);
    }
    expect(firsts[0]).toEqual(firsts[1]);
    const perMs = new Map<number, number>();
    for (const t of firsts[0]!) perMs.set(t, (perMs.get(t) ?? 0) + 1);
    expect(Math.max(...firsts[0]!)).toBeLessThan(1000);
    expect(perMs.size).toBeGreaterThan(550); // ~632 distinct ms expected for 1000 uniform draws over 1000 ms
    expect(Math.max(...perMs.values())).toBeLessThanOrEqual(8);
    // 10 buckets of 100 ms each hold 100 ± 40
    const buckets = Array.from({ length: 10 }, (_, b) => firsts[0]!.filter((t) => Math.floor(t / 100) === b).length);
    for (const n of buckets) expect(n).toBeGreaterThan(60);
  });
});

describe("scheduling", () => {
  it("steady rounds on the service's grid, one per interval; while deciding, fast_interval after the last", async () => {
    const fakes = new FakeRunners();
    fakes.set("c0", { kind: "ok", latencyMs: 30 });
    const s = service("web", { intervalMs: 1000, fastIntervalMs: 250, rise: 3 });
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare } });
    const t0 = performance.now();
    m.start();
    await vi.advanceTimersByTimeAsync(3999);
    m.stop();
    const first = gridPoint(groupKey(s), 1000, t0);
    expect(first - t0).toBeLessThan(1000);
    // INIT → RISING (fast) → RISING (fast) → UP (steady: back on the grid)
    expect(fakes.startsOf("c0").slice(0, 5)).toEqual([first, first + 250, first + 500, first + 1000, first + 2000]);
  });

  it("never overlaps two runs of one check, even when a runner ignores its deadline", async () => {
    const fakes = new FakeRunners();
    fakes.set("c0", { kind: "stuck" });
    const s = service("web", { intervalMs: 1000, fastIntervalMs: 250, timeoutMs: 400, checks: [tcpCheck("c0", 400)] });
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare } });
    m.start();
    await vi.advanceTimersByTimeAsync(5000);
    const snap = m.get("web")!;
    m.stop();
    expect(fakes.startsOf("c0")).toHaveLength(1);
    expect(fakes.maxOverlapSameKey).toBe(1);
    expect(snap.counters.checkTimeouts).toBe(1);
    expect(snap.counters.overlapsSkipped).toBeGreaterThanOrEqual(3);
    expect(snap.lastResults[0]!.reason).toMatch(/previous run is still in progress/);
    expect(snap.state).toBe("DOWN");
  });

  it("a check that overran its timeout is one failure: the next run waits for it to stop, so fall 2 protects", async () => {
    // timeout = interval (the default) and a runner that takes 5 ms to stop once aborted, as an
    // exec check's process group does: the next round is due at the very moment of the timeout
    const fakes = new FakeRunners();
    fakes.set("slow", { kind: "hang", stopMs: 5 });
    const s = service("web", { intervalMs: 1000, fastIntervalMs: 1000, timeoutMs: 1000, rise: 1, fall: 2, initial: "up", checks: [tcpCheck("slow", 1000)] });
    const seen: HealthTransition[] = [];
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare }, onTransition: (t) => seen.push(t) });
    const t0 = performance.now();
    m.start();
    await vi.advanceTimersByTimeAsync(gridPoint(groupKey(s), 1000, t0) - t0 + 1);
    expect(fakes.startsOf("slow")).toHaveLength(1);
    fakes.set("slow", { kind: "ok" });
    await vi.advanceTimersByTimeAsync(3000);
    const snap = m.get("web")!;
    m.stop();
    expect(snap.counters.checkTimeouts).toBe(1);
    expect(snap.counters.checkFailures).toBe(1);
    expect(snap.counters.overlapsSkipped).toBe(0);
    expect(seen.map((t) => t.to)).toEqual(["UP", "FALLING", "UP"]);
    expect(snap.state).toBe("UP");
    // the second run started once the first had stopped, not at its timeout
    const [first, second] = fakes.startsOf("slow");
    expect(second! - first!).toBe(1005);
    expect(fakes.maxOverlapSameKey).toBe(1);
  });

  it("bounds global concurrency and exec concurrency", async () => {
    const fakes = new FakeRunners();
    const services = Array.from({ length: 60 }, (_, i) => {
      const name = `s${i}`;
      fakes.set(name, { kind: "ok", latencyMs: 200 });
      return service(name, { intervalMs: 1000, checks: [i % 2 ? execCheck(name, 900) : tcpCheck(name, 900)] });
    });
    let execRunning = 0;
    let execMax = 0;
    const prepare = (spec: CheckSpec) => {
      const run = fakes.prepare(spec);
      if (spec.type !== "exec") return run;
      return async (ctx: Parameters<typeof run>[0]) => {
        execMax = Math.max(execMax, ++execRunning);
        try {
          return await run(ctx);
        } finally {
          execRunning--;
        }
      };
    };
    const m = createHealthMonitor({ services, deps: { prepare, concurrency: { total: 8, exec: 3 } } });
    m.start();
    await vi.advanceTimersByTimeAsync(20_000);
    m.stop();
    expect(fakes.maxRunning).toBe(8);
    expect(execMax).toBe(3);
    expect(new Set(fakes.starts.map((s) => s.key)).size).toBe(60);
  });

  it("a hung check does not delay another service's schedule", async () => {
    const fakes = new FakeRunners();
    fakes.set("hung", { kind: "hang" });
    const a = service("a", { intervalMs: 1000, fastIntervalMs: 1000, timeoutMs: 900, checks: [tcpCheck("hung", 900)] });
    const b = service("b", { intervalMs: 1000, fastIntervalMs: 1000, checks: [tcpCheck("fine", 500)] });
    const m = createHealthMonitor({ services: [a, b], deps: { prepare: fakes.prepare } });
    const t0 = performance.now();
    m.start();
    await vi.advanceTimersByTimeAsync(10_000);
    m.stop();
    const first = gridPoint(groupKey(b), 1000, t0);
    expect(fakes.startsOf("fine")).toEqual(Array.from({ length: 10 }, (_, k) => first + k * 1000).filter((t) => t <= t0 + 10_000));
    expect(fakes.startsOf("hung").length).toBeGreaterThanOrEqual(9);
  });

  it("with every slot held by hung checks, others wait at most one timeout", async () => {
    const fakes = new FakeRunners();
    fakes.set("hung", { kind: "hang" });
    const a = service("a", { intervalMs: 1000, timeoutMs: 300, checks: [tcpCheck("hung", 300)] });
    const b = service("b", { intervalMs: 1000, checks: [tcpCheck("fine", 300)] });
    const m = createHealthMonitor({ services: [a, b], deps: { prepare: fakes.prepare, concurrency: { total: 1, exec: 1 } } });
    m.start();
    await vi.advanceTimersByTimeAsync(10_000);
    const snap = m.get("b")!;
    m.stop();
    expect(snap.lastResults[0]!.queuedMs).toBeLessThanOrEqual(300);
    expect(snap.counters.rounds).toBeGreaterThanOrEqual(9);
  });

  it("a service without checks is UP at start and never scheduled", async () => {
    const fakes = new FakeRunners();
    const events: HealthTransition[] = [];
    const m = createHealthMonitor({ services: [service("static", { checks: [] })], deps: { prepare: fakes.prepare }, onTransition: (t) => events.push(t) });
    m.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(events).toEqual([expect.objectContaining({ service: "static", from: "INIT", to: "UP", cause: "start", reason: "no checks: always healthy" })]);
    expect(m.get("static")).toMatchObject({ state: "UP", nextRunAt: undefined, detectionBoundMs: 0 });
    expect(fakes.starts).toEqual([]);
    m.stop();
  });
});

describe("identical checks", () => {
  it("run once per interval for all the services that have them; each service keeps its own state", async () => {
    const fakes = new FakeRunners();
    fakes.set("shared", { kind: "ok", latencyMs: 5 });
    // same check, same timing, different rise: one group; the same check every 2 s: another
    const same = Array.from({ length: 50 }, (_, i) => service(`s${i}`, { rise: 1 + (i % 3), checks: [tcpCheck("shared")] }));
    const slower = service("slower", { intervalMs: 2000, rise: 1, checks: [tcpCheck("shared")] });
    const ups = new Map<string, number>();
    const m = createHealthMonitor({ services: [...same, slower], deps: { prepare: fakes.prepare }, onTransition: (t) => {
      if (t.to === "UP") ups.set(t.service, t.successes);
    } });
    m.start();
    await vi.advanceTimersByTimeAsync(5000);
    for (const s of same) expect(ups.get(s.name), s.name).toBe(s.rise);
    const rounds = m.get("s0")!.counters.rounds;
    const from = performance.now();
    await vi.advanceTimersByTimeAsync(10_000);
    // one run at each point of each group's grid, no more
    const grid = (s: Service) => Array.from({ length: 10 }, (_, k) => gridPoint(groupKey(s), s.intervalMs, from, true) + k * s.intervalMs).filter((t) => t <= from + 10_000);
    expect(fakes.startsOf("shared").filter((t) => t > from)).toEqual([...grid(same[0]!), ...grid(slower)].sort((x, y) => x - y));
    for (const s of [...same, slower]) expect(m.get(s.name)!.state).toBe("UP");
    expect(m.get("s0")!.counters.rounds - rounds).toBe(grid(same[0]!).length);
    m.stop();
  });

  it("a shared run is never older than the round that takes it: failures reach every service in the same round", async () => {
    const fakes = new FakeRunners();
    const a = service("a", { rise: 1, fall: 1, checks: [tcpCheck("shared")] });
    const b = service("b", { rise: 1, fall: 1, checks: [tcpCheck("shared")] });
    const downAt = new Map<string, number>();
    const m = createHealthMonitor({ services: [a, b], deps: { prepare: fakes.prepare }, onTransition: (t) => {
      if (t.to === "DOWN") downAt.set(t.service, performance.now());
    } });
    m.start();
    await vi.advanceTimersByTimeAsync(3000);
    fakes.set("shared", { kind: "fail" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(downAt.get("a")).toBeDefined();
    expect(downAt.get("b")).toBe(downAt.get("a"));
    m.stop();
  });
});

describe("what lives between rounds", () => {
  it("1,000 services wait for their next round on one clock timer", async () => {
    const fakes = new FakeRunners();
    const m = createHealthMonitor({ services: Array.from({ length: 1000 }, (_, i) => service(`s${i}`, { rise: 1, checks: [tcpCheck(`c${i}`)] })), deps: { prepare: fakes.prepare } });
    m.start();
    await vi.advanceTimersByTimeAsync(2500);
    // every round is over (the fake checks answer at once): what is left is the wait for the next ones
    expect(m.snapshot().every((s) => s.state === "UP" && s.nextRunAt !== undefined)).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    m.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a snapshot, an event and runNow's round are copies: later rounds do not change them", async () => {
    const fakes = new FakeRunners();
    const events: HealthTransition[] = [];
    const m = createHealthMonitor({ services: [service("a", { rise: 1, checks: [tcpCheck("c")] })], deps: { prepare: fakes.prepare }, onTransition: (t) => events.push(t) });
    m.start();
    await vi.advanceTimersByTimeAsync(1000);
    const before = m.get("a")!;
    const round = await m.runNow("a");
    expect(round?.ok).toBe(true);
    expect(events.map((t) => t.to)).toEqual(["UP"]);
    fakes.set("c", { kind: "fail" });
    await vi.advanceTimersByTimeAsync(1000);
    const after = m.get("a")!;
    expect(after.lastRound).toMatchObject({ ok: false, reason: "c: broken" });
    expect(after.lastResults[0]).toMatchObject({ ok: false, reason: "broken" });
    expect(before.lastRound).toMatchObject({ ok: true, reason: "c: fine" });
    expect(before.lastResults[0]).toMatchObject({ ok: true, reason: "fine" });
    expect(round).toMatchObject({ ok: true, reason: "c: fine", results: [{ ok: true }] });
    expect(events[0]!.results[0]).toMatchObject({ ok: true, reason: "fine" });
    expect(events.at(-1)!.results[0]).toMatchObject({ ok: false, reason: "broken" });
    m.stop();
  });
});

describe("callbacks that call back, or throw", () => {
  it("runNow from inside onTransition waits for the round that is ending, then runs its own; the schedule stays on the grid", async () => {
    const fakes = new FakeRunners();
    fakes.set("c", { kind: "ok", latencyMs: 50 });
    let asked: Promise<RoundResult | undefined> | undefined;
    let askedAt = 0;
    const m = createHealthMonitor({
      services: [service("a", { rise: 1, intervalMs: 1000, checks: [tcpCheck("c")] })],
      deps: { prepare: fakes.prepare },
      onTransition: () => {
        if (asked) return;
        askedAt = performance.now();
        asked = m.runNow("a");
      },
    });
    m.start();
    await vi.advanceTimersByTimeAsync(1100);
    expect(asked).toBeDefined();
    const round = await asked;
    expect(round).toMatchObject({ ok: true, reason: "c: fine" });
    await vi.advanceTimersByTimeAsync(2000);
    const first = fakes.startsOf("c")[0]!;
    // the round that made the transition, runNow's own right after it, then the grid's next points (one round each)
    expect(fakes.startsOf("c").slice(0, 4)).toEqual([first, askedAt, first + 1000, first + 2000]);
    m.stop();
  });

  it("an exception while a shared run's rounds end is reported, and the other services still end theirs", async () => {
    const rethrown: unknown[] = [];
    const queue = globalThis.queueMicrotask;
    vi.spyOn(globalThis, "queueMicrotask").mockImplementation((fn) =>
      queue(() => {
        try {
          fn();
        } catch (e) {
          rethrown.push(e);
        }
      }),
    );
    const fakes = new FakeRunners();
    let thrown = false;
    const m = createHealthMonitor({
      services: ["a", "b"].map((n) => service(n, { rise: 1, checks: [tcpCheck("c")] })),
      deps: { prepare: fakes.prepare },
      onTransition: () => {
        throw new Error("hook");
      },
      onError: (e) => {
        if (thrown) return;
        thrown = true;
        throw e;
      },
    });
    m.start();
    await vi.advanceTimersByTimeAsync(5000);
    m.stop();
    vi.restoreAllMocks();
    expect(rethrown.map((e) => (e as Error).message)).toEqual(["hook"]);
    expect(m.snapshot().map((s) => [s.name, s.state, s.counters.rounds >= 4])).toEqual([
      ["a", "UP", true],
      ["b", "UP", true],
    ]);
    // one run a round for both: the shared check still runs once per interval
    expect(fakes.startsOf("c").length).toBeGreaterThanOrEqual(4);
  });

  it("a service that lists the same check twice keeps each place's own result, also after a reload", async () => {
    const fakes = new FakeRunners();
    const s = service("a", { rise: 1, combine: { kind: "any" }, checks: [tcpCheck("c", 100), tcpCheck("c", 100)] });
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare } });
    m.update([s]);
    fakes.set("c", { kind: "hang", stopMs: 10 });
    m.start();
    await vi.advanceTimersByTimeAsync(1100);
    const results = m.get("a")!.lastRound!.results.map((r) => r.error);
    m.stop();
    // one slot for both places: the first run times out, the second finds it still stopping
    expect(results).toEqual(["ETIMEDOUT", "EBUSY"]);
  });
});

describe("timers that fire early", () => {
  it("a round whose timer fires before its grid point still runs once per interval, and still shares", async () => {
    // Node's timers count from the event loop's cached time, so one can fire a millisecond or two
    // before the monotonic clock reaches the time it was set for
    const early: Clock = {
      now: () => performance.now(),
      wall: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms - 2)),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    const fakes = new FakeRunners();
    const services = ["a", "b", "c"].map((n) => service(n, { rise: 1, checks: [tcpCheck("shared")] }));
    const m = createHealthMonitor({ services, deps: { prepare: fakes.prepare, clock: early } });
    m.start();
    await vi.advanceTimersByTimeAsync(3000);
    const runs = fakes.startsOf("shared").length;
    await vi.advanceTimersByTimeAsync(10_000);
    m.stop();
    expect(fakes.startsOf("shared").length - runs).toBe(10);
  });
});

describe("events and snapshot", () => {
  it("each transition carries service, from → to, reason, results and wall-clock times", async () => {
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
    const fakes = new FakeRunners();
    fakes.set("c0", { kind: "fail", latencyMs: 12 });
    const events: HealthTransition[] = [];
    const dns = service("dns", { rise: 1 });
    const m = createHealthMonitor({ services: [dns], deps: { prepare: fakes.prepare }, onTransition: (t) => events.push(t) });
    const t0 = performance.now();
    m.start();
    await vi.advanceTimersByTimeAsync(1100);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({ service: "dns", from: "INIT", to: "DOWN", announced: false, cause: "check", reason: "c0: broken", failures: 1 });
    expect(e.at).toBe(Date.parse("2026-01-01T00:00:00Z") + (gridPoint(groupKey(dns), 1000, t0) - t0) + 12);
    expect(e.results).toEqual([expect.objectContaining({ check: "c0", type: "tcp", ok: false, reason: "broken", latencyMs: 12, timedOut: false })]);
    const snap = m.get("dns")!;
    expect(snap).toMatchObject({ name: "dns", state: "DOWN", phase: "DOWN", drained: false, heldDownUntil: undefined, rise: 1, fall: 2 });
    expect(snap.lastRound).toMatchObject({ ok: false, passed: 0, total: 1 });
    expect(snap.nextRunAt).toBeGreaterThan(e.at);
    expect(snap.detectionBoundMs).toBe(1000 + 500 + 500);
    m.stop();
  });

  it("a throwing onTransition goes to onError and does not stop the monitor", async () => {
    const fakes = new FakeRunners();
    const errors: unknown[] = [];
    const m = createHealthMonitor({
      services: [service("x", { rise: 1 })],
      deps: { prepare: fakes.prepare },
      onTransition: () => {
        throw new Error("consumer bug");
      },
      onError: (e) => errors.push(e),
    });
    m.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(errors.length).toBeGreaterThan(0);
    expect(m.get("x")!.counters.rounds).toBeGreaterThanOrEqual(2);
    m.stop();
  });
});

describe("flap hold-down in the monitor", () => {
  it("holds a flapping service DOWN and releases it on time", async () => {
    const fakes = new FakeRunners();
    const events: HealthTransition[] = [];
    const s = service("flappy", { rise: 1, fall: 1, intervalMs: 1000, fastIntervalMs: 1000, flap: { maxTransitions: 3, windowMs: 10_000, holdMs: 20_000 } });
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare }, onTransition: (t) => events.push(t) });
    m.start();
    for (const k of ["ok", "fail", "ok", "fail"] as const) {
      fakes.set("c0", { kind: k });
      await vi.advanceTimersByTimeAsync(1000);
    }
    fakes.set("c0", { kind: "ok" });
    const hold = events.find((e) => e.cause === "hold")!;
    expect(hold).toBeDefined();
    expect(hold.heldDownUntil).toBe(hold.at + 20_000);
    // the phase goes UP at once (a 5th change restarts the hold); the state stays DOWN until released
    await vi.advanceTimersByTimeAsync(1000);
    const snap = m.get("flappy")!;
    expect(snap).toMatchObject({ state: "DOWN", phase: "UP" });
    expect(snap.counters.flapHolds).toBe(2);
    const releaseAt = snap.heldDownUntil!;
    await vi.advanceTimersByTimeAsync(releaseAt - Date.now() - 1);
    expect(m.get("flappy")!.state).toBe("DOWN");
    await vi.advanceTimersByTimeAsync(1);
    expect(m.get("flappy")!.state).toBe("UP");
    expect(events.at(-1)).toMatchObject({ from: "DOWN", to: "UP", cause: "release", at: releaseAt });
    m.stop();
  });
});

describe("reload, drain, stop", () => {
  it("update keeps unchanged services, starts new ones, stops removed ones", async () => {
    const fakes = new FakeRunners();
    const events: HealthTransition[] = [];
    const keep = service("keep", { rise: 1, checks: [tcpCheck("k")] });
    const gone = service("gone", { rise: 1, checks: [tcpCheck("g")] });
    const m = createHealthMonitor({ services: [keep, gone], deps: { prepare: fakes.prepare }, onTransition: (t) => events.push(t) });
    m.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(m.get("keep")!.state).toBe("UP");
    const keepRuns = fakes.startsOf("k").length;
    const before = events.length;
    // same health config (only a community changed), one removed, one added
    m.update([{ ...keep, healthy: { ...keep.healthy, communities: ["65000:1"] } }, service("new", { checks: [tcpCheck("n")] })]);
    expect(events.length).toBe(before);
    expect(m.get("keep")).toMatchObject({ state: "UP" });
    expect(m.get("gone")).toBeUndefined();
    expect(m.get("new")).toMatchObject({ state: "INIT" });
    const goneRuns = fakes.startsOf("g").length;
    await vi.advanceTimersByTimeAsync(3000);
    expect(fakes.startsOf("g").length).toBe(goneRuns);
    expect(fakes.startsOf("k").length).toBe(keepRuns + 3);
    expect(m.get("new")!.counters.rounds).toBeGreaterThanOrEqual(3);
    expect(m.get("new")!.state).toBe("UP");
    m.stop();
  });

  it("a changed check keeps the state, runs the new check, and keeps slots of unchanged checks", async () => {
    const fakes = new FakeRunners();
    const s = service("svc", { rise: 1, checks: [tcpCheck("a"), tcpCheck("b")] });
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare } });
    m.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(m.get("svc")!.state).toBe("UP");
    m.update([{ ...s, checks: [tcpCheck("a"), tcpCheck("c")], intervalMs: 500 }]);
    expect(m.get("svc")!.state).toBe("UP");
    expect(m.get("svc")!.lastResults.map((r) => r.check)).toEqual(["a"]);
    const t = performance.now();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fakes.startsOf("c").length).toBeGreaterThanOrEqual(2);
    expect(fakes.startsOf("b").filter((x) => x > t)).toEqual([]);
    m.stop();
  });

  it("setDrained moves services to DISABLED and back, also for services added later with 'all'", async () => {
    const fakes = new FakeRunners();
    const events: HealthTransition[] = [];
    const m = createHealthMonitor({ services: [service("a", { rise: 1 }), service("b", { rise: 1 })], deps: { prepare: fakes.prepare }, onTransition: (t) => events.push(t) });
    m.start();
    await vi.advanceTimersByTimeAsync(1000);
    m.setDrained(["a"]);
    expect(m.get("a")).toMatchObject({ state: "DISABLED", drained: true, phase: "UP", announced: false });
    expect(m.get("b")!.state).toBe("UP");
    expect(events.at(-1)).toMatchObject({ service: "a", from: "UP", to: "DISABLED", cause: "drain" });
    // what a reconcile reads: the snapshot's state and phase, nothing else
    expect(m.states()).toEqual([
      { name: "a", state: "DISABLED", phase: "UP" },
      { name: "b", state: "UP", phase: "UP" },
    ]);
    m.setDrained("all");
    m.update([service("a", { rise: 1 }), service("b", { rise: 1 }), service("c", { rise: 1 })]);
    expect(m.snapshot().map((s) => s.state)).toEqual(["DISABLED", "DISABLED", "DISABLED"]);
    m.setDrained([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(m.snapshot().map((s) => s.state)).toEqual(["UP", "UP", "UP"]);
    m.stop();
  });

  it("stop also cancels runs still waiting for a concurrency slot", async () => {
    const fakes = new FakeRunners();
    fakes.set("a", { kind: "hang" });
    fakes.set("b", { kind: "hang" });
    const services = [service("a", { checks: [tcpCheck("a", 900)], timeoutMs: 900 }), service("b", { checks: [tcpCheck("b", 900)], timeoutMs: 900 })];
    const m = createHealthMonitor({ services, deps: { prepare: fakes.prepare, concurrency: { total: 1, exec: 1 } } });
    m.start();
    await vi.advanceTimersByTimeAsync(1000); // both rounds started: one runs, one waits for the slot
    expect(fakes.running).toBe(1);
    const starts = fakes.starts.length;
    m.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(fakes.starts.length).toBe(starts);
    expect(fakes.running).toBe(0);
  });

  it("stop aborts running checks and fires nothing afterwards; start resumes with the state kept", async () => {
    const fakes = new FakeRunners();
    fakes.set("c0", { kind: "ok" });
    const events: HealthTransition[] = [];
    const s = service("svc", { rise: 1, timeoutMs: 900, checks: [tcpCheck("c0", 900)] });
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare }, onTransition: (t) => events.push(t) });
    m.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(m.get("svc")!.state).toBe("UP");
    fakes.set("c0", { kind: "hang" });
    await vi.advanceTimersByTimeAsync(1000); // a hanging run is in progress
    expect(fakes.running).toBe(1);
    m.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(fakes.running).toBe(0);
    const n = events.length;
    const runs = fakes.starts.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events.length).toBe(n);
    expect(fakes.starts.length).toBe(runs);
    expect(vi.getTimerCount()).toBe(0);
    fakes.set("c0", { kind: "ok" });
    m.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fakes.starts.length).toBeGreaterThan(runs);
    expect(m.get("svc")!.state).toBe("UP");
    m.stop();
  });
});

describe("runNow (probe --apply)", () => {
  it("runs the checks at once, counts toward rise, and the next round comes one period later", async () => {
    const fakes = new FakeRunners();
    fakes.set("c0", { kind: "ok", latencyMs: 10 });
    const s = service("web", { intervalMs: 10_000, fastIntervalMs: 2500, rise: 2, fall: 1 });
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare } });
    const t0 = performance.now();
    m.start();
    const p = m.runNow("web");
    await vi.advanceTimersByTimeAsync(10);
    const r = await p;
    expect(r).toMatchObject({ ok: true, passed: 1, total: 1 });
    expect(fakes.startsOf("c0")).toEqual([t0]);
    expect(m.get("web")).toMatchObject({ state: "RISING", successes: 1 });
    // the splayed first round is replaced: the next one is a fast interval after this one
    expect(m.get("web")!.nextRunAt! - Date.now()).toBe(2500 - 10);
    await vi.advanceTimersByTimeAsync(2500);
    expect(m.get("web")!.state).toBe("UP");
    m.stop();
  });

  it("waits for a round already running instead of overlapping it; unknown and check-less services answer undefined", async () => {
    const fakes = new FakeRunners();
    fakes.set("c0", { kind: "fail", latencyMs: 300 });
    const s = service("web", { intervalMs: 1000, fastIntervalMs: 1000, rise: 1, fall: 1 });
    const m = createHealthMonitor({ services: [s, service("bare", { checks: [] })], deps: { prepare: fakes.prepare } });
    const t0 = performance.now();
    m.start();
    await vi.advanceTimersByTimeAsync(gridPoint(groupKey(s), 1000, t0) - t0 + 100);
    expect(fakes.running).toBe(1);
    const p = m.runNow("web");
    await vi.advanceTimersByTimeAsync(700);
    expect(await p).toMatchObject({ ok: false });
    expect(fakes.maxOverlapSameKey).toBe(1);
    expect(fakes.startsOf("c0")).toHaveLength(2);
    expect(await m.runNow("nosuch")).toBeUndefined();
    expect(await m.runNow("bare")).toBeUndefined();
    m.stop();
  });
});
