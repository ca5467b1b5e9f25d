import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { realClock } from "../../../src/health/clock.js";
import { createReconcileLoop, type Trigger } from "../../../src/supervisor/loop.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** a reconcile body that takes `ms` of (fake) time and records what it was asked */
function body(ms: number, results: boolean[] = []) {
  const calls: Trigger[][] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const run = async (reasons: ReadonlySet<Trigger>) => {
    calls.push([...reasons].sort());
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    await new Promise((r) => setTimeout(r, ms));
    concurrent--;
    return { ok: results.length ? results.shift()! : true };
  };
  return { run, calls, max: () => maxConcurrent };
}

describe("reconcile loop", () => {
  it("a burst of triggers in one tick is one run", async () => {
    const b = body(10);
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0 });
    loop.trigger("health");
    loop.trigger("health");
    loop.trigger("manifest");
    await vi.advanceTimersByTimeAsync(50);
    expect(b.calls).toEqual([["health", "manifest"]]);
    await loop.stop();
  });

  it("triggers during a run merge into exactly one follow-up run; never two at once", async () => {
    const b = body(100);
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0 });
    loop.trigger("start");
    await vi.advanceTimersByTimeAsync(1);
    for (let i = 0; i < 20; i++) {
      loop.trigger(i % 2 ? "health" : "manifest");
      await vi.advanceTimersByTimeAsync(3);
    }
    await vi.advanceTimersByTimeAsync(500);
    expect(b.calls).toEqual([["start"], ["health", "manifest"]]);
    expect(b.max()).toBe(1);
    expect(loop.stats().merged).toBeGreaterThanOrEqual(19);
    await loop.stop();
  });

  it("a changed manifest or SIGHUP during a run tells the run it is superseded; health, drain and the like do not", async () => {
    const b = body(100);
    let superseded = 0;
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0, onSuperseded: () => superseded++ });
    loop.trigger("health");
    await vi.advanceTimersByTimeAsync(150);
    expect(superseded).toBe(0); // nothing ran meanwhile
    loop.trigger("start");
    await vi.advanceTimersByTimeAsync(1);
    for (const t of ["health", "drain", "reverify", "daemon"] as const) loop.trigger(t);
    expect(superseded).toBe(0);
    loop.trigger("manifest");
    loop.trigger("signal");
    expect(superseded).toBe(2);
    await vi.advanceTimersByTimeAsync(500);
    await loop.stop();
  });

  it("retries a failure with capped exponential backoff, not a hot loop", async () => {
    const b = body(1, [false, false, false, false, false, false, false, true]);
    const starts: number[] = [];
    const t0 = Date.now();
    const orig = b.run;
    const spy = async (r: ReadonlySet<Trigger>) => {
      starts.push(Date.now() - t0);
      return orig(r);
    };
    const loop2 = createReconcileLoop({ run: spy, clock: realClock, reverifyMs: 0, backoffMinMs: 500, backoffMaxMs: 4000 });
    loop2.trigger("start");
    // health triggers while failing wait for the retry instead of running at once
    for (let i = 0; i < 100; i++) {
      await vi.advanceTimersByTimeAsync(100);
      loop2.trigger("health");
    }
    await vi.advanceTimersByTimeAsync(20_000);
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    expect(gaps.slice(0, 6).map((g) => Math.round(g / 100) * 100)).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect(starts.length).toBe(8);
    expect(loop2.stats()).toMatchObject({ consecutiveFailures: 0, failures: 7 });
    await loop2.stop();
  });

  it("the daemon coming back (a \"daemon\" trigger) cuts a long backoff short; other triggers still wait for it", async () => {
    const b = body(1, [false, false, false, false, true]);
    const starts: number[] = [];
    const t0 = Date.now();
    const loop = createReconcileLoop({
      run: (r) => {
        starts.push(Date.now() - t0);
        return b.run(r);
      },
      clock: realClock,
      reverifyMs: 0,
      backoffMinMs: 500,
      backoffMaxMs: 30_000,
    });
    loop.trigger("start");
    await vi.advanceTimersByTimeAsync(4000); // fails at 0, 500, 1500, 3500: the next retry is 8 s away
    expect(starts.map((s) => Math.round(s / 100) * 100)).toEqual([0, 500, 1500, 3500]);
    loop.trigger("health");
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts).toHaveLength(4);
    loop.trigger("daemon");
    await vi.advanceTimersByTimeAsync(10);
    expect(starts).toHaveLength(5);
    expect(b.calls.at(-1)).toEqual(["daemon", "health"]);
    expect(loop.stats()).toMatchObject({ consecutiveFailures: 0, nextRetryMs: undefined });
    await loop.stop();
  });

  it("a \"daemon\" trigger that fails again backs off further (the watch cannot make a hot loop)", async () => {
    const b = body(1, [false, false, false, true]);
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0, backoffMinMs: 500, backoffMaxMs: 30_000 });
    loop.trigger("start");
    await vi.advanceTimersByTimeAsync(10);
    loop.trigger("daemon");
    await vi.advanceTimersByTimeAsync(10);
    expect(loop.stats()).toMatchObject({ runs: 2, consecutiveFailures: 2, nextRetryMs: 1000 });
    await vi.advanceTimersByTimeAsync(980);
    expect(loop.stats().runs).toBe(2);
    await vi.advanceTimersByTimeAsync(40);
    expect(loop.stats()).toMatchObject({ runs: 3, consecutiveFailures: 3, nextRetryMs: 2000 });
    await loop.stop();
  });

  it("success resets the backoff", async () => {
    const b = body(1, [false, true, false]);
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0, backoffMinMs: 500 });
    loop.trigger("start");
    await vi.advanceTimersByTimeAsync(600); // fail, retry at 500 succeeds
    loop.trigger("health"); // fails again: next retry is 500 again, not 1000
    await vi.advanceTimersByTimeAsync(10);
    expect(loop.stats().nextRetryMs).toBe(500);
    await loop.stop();
  });

  it("re-verifies periodically", async () => {
    const b = body(1);
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 30_000 });
    await vi.advanceTimersByTimeAsync(95_000);
    expect(b.calls).toEqual([["reverify"], ["reverify"], ["reverify"]]);
    await loop.stop();
  });

  it("a crashing body counts as a failure and is reported", async () => {
    const crashes: unknown[] = [];
    const loop = createReconcileLoop({
      run: async () => {
        throw new Error("bug");
      },
      clock: realClock,
      reverifyMs: 0,
      onCrash: (e) => crashes.push(e),
    });
    loop.trigger("start");
    await vi.advanceTimersByTimeAsync(10);
    expect(crashes).toHaveLength(1);
    expect(loop.stats().failures).toBe(1);
    await loop.stop();
  });

  it("stop waits for the running reconcile and ignores later triggers", async () => {
    const b = body(100);
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0 });
    loop.trigger("start");
    await vi.advanceTimersByTimeAsync(10);
    let stopped = false;
    const p = loop.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(50);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(60);
    await p;
    loop.trigger("health");
    await vi.advanceTimersByTimeAsync(100);
    expect(b.calls).toHaveLength(1);
  });

  it("idle() resolves once the queue is drained", async () => {
    const b = body(20);
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0 });
    loop.trigger("start");
    let idle = false;
    void loop.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(5);
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(30);
    expect(idle).toBe(true);
    await loop.stop();
  });
});

describe("operator actions during a backoff", () => {
  it("a manifest change runs at once; a health change waits for the retry", async () => {
    vi.useFakeTimers();
    const calls: string[][] = [];
    let ok = false;
    const loop = createReconcileLoop({
      run: async (r) => {
        calls.push([...r].sort());
        return { ok };
      },
      clock: realClock,
      reverifyMs: 0,
      backoffMinMs: 500,
      backoffMaxMs: 30_000,
    });
    loop.trigger("start");
    for (let i = 0; i < 4; i++) await vi.advanceTimersByTimeAsync(20_000); // backoff grows
    const before = calls.length;
    loop.trigger("health");
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.length).toBe(before);
    ok = true;
    loop.trigger("manifest");
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.length).toBe(before + 1);
    expect(calls.at(-1)).toEqual(["health", "manifest"]);
    await loop.stop();
    vi.useRealTimers();
  });
  it("a SIGHUP that cuts a run short is taken at once after that run fails, and idle() waits for it (the answer to `svcroute reload`)", async () => {
    const b = body(100, [false, true]);
    let superseded = 0;
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0, backoffMinMs: 5_000, onSuperseded: () => superseded++ });
    loop.trigger("manifest");
    await vi.advanceTimersByTimeAsync(10);
    loop.trigger("signal");
    let idle = false;
    void loop.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(95); // the first run fails (cut short)
    expect(superseded).toBe(1);
    expect(b.calls).toEqual([["manifest"], ["signal"]]); // not after the 5 s backoff
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(idle).toBe(true);
    expect(loop.stats()).toMatchObject({ runs: 2, failures: 1, consecutiveFailures: 0 });
    await loop.stop();
  });

  it("a health change during a failing run still waits for the retry", async () => {
    const b = body(100, [false, true]);
    const loop = createReconcileLoop({ run: b.run, clock: realClock, reverifyMs: 0, backoffMinMs: 5_000 });
    loop.trigger("start");
    await vi.advanceTimersByTimeAsync(10);
    loop.trigger("health");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(b.calls).toEqual([["start"]]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(b.calls).toEqual([["start"], ["health", "retry"]]);
    await loop.stop();
  });
});
