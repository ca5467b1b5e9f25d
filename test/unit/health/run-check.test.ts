// One run of a check, on a fake clock: decided at the deadline or on stop, with the runner told first.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { realClock } from "../../../src/health/clock.js";
import { createLimits } from "../../../src/health/limiter.js";
import { ActiveRuns, copyResult, internalError, makeSlot, startCheck } from "../../../src/health/run-check.js";
import type { CheckResult, RunFn } from "../../../src/health/types.js";
import { tcpCheck } from "../../helpers/service.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** the same, reporting through ctx.settle from inside its abort listener (the TCP runner's form) */
function hangingSettle(seen: string[]): RunFn {
  return (ctx) => {
    ctx.onAbort(() => {
      seen.push("aborted");
      ctx.settle({ ok: false, reason: "aborted" });
    });
    return undefined;
  };
}

/** a runner that never answers until aborted, then at once; `seen` records what came first */
function hanging(seen: string[]): RunFn {
  return (ctx) =>
    new Promise((resolve) => {
      ctx.onAbort(() => {
        seen.push("aborted");
        resolve({ ok: false, reason: "aborted" });
      });
    });
}

describe("startCheck", () => {
  // a runner that resolves its promise, or calls ctx.settle, from inside its abort listener
  it.each([
    ["a promise", hanging],
    ["ctx.settle", hangingSettle],
  ])("at the deadline the runner (%s) is aborted, and has settled, before the timeout goes out", async (_, runner) => {
    const seen: string[] = [];
    const slot = makeSlot(tcpCheck("c", 100), runner(seen));
    let result: CheckResult | undefined;
    let inFlight: boolean | undefined;
    startCheck(slot, { clock: realClock, limits: createLimits() }, (r) => {
      seen.push("result");
      result = r;
      inFlight = slot.inFlight;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual(["aborted", "result"]);
    expect(result).toMatchObject({ ok: false, timedOut: true, error: "ETIMEDOUT", reason: "timeout after 100ms (starting)" });
    // the next run of the check can start at once
    expect(inFlight).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ctx.settle: the first outcome counts, once, and the deadline goes with it", async () => {
    const results: CheckResult[] = [];
    const slot = makeSlot(tcpCheck("c", 100), (ctx) => {
      ctx.settle({ ok: true, reason: "first" });
      ctx.settle({ ok: false, reason: "second" });
      return undefined;
    });
    startCheck(slot, { clock: realClock, limits: createLimits() }, (r) => results.push(r));
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: true, reason: "first", timedOut: false });
    expect(slot.inFlight).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(results).toHaveLength(1);
  });

  it("a runner that throws before it settles: one internal-error result", async () => {
    const results: CheckResult[] = [];
    const slot = makeSlot(tcpCheck("c", 100), () => {
      throw new Error("boom");
    });
    startCheck(slot, { clock: realClock, limits: createLimits() }, (r) => results.push(r));
    await vi.advanceTimersByTimeAsync(200);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: false, reason: "check error: boom", error: "EINTERNAL" });
    expect(slot.inFlight).toBe(false);
  });

  it("stop: every run in progress is aborted, then reports ECANCELED", async () => {
    const seen: string[] = [];
    const active = new ActiveRuns();
    const env = { clock: realClock, limits: createLimits(), active };
    const results: (string | undefined)[] = [];
    for (const name of ["a", "b", "c"]) startCheck(makeSlot(tcpCheck(name, 1000), hanging(seen)), env, (r) => results.push(`${r.check} ${r.error}`));
    active.stopAll();
    expect(seen).toEqual(["aborted", "aborted", "aborted"]);
    await vi.advanceTimersByTimeAsync(0);
    expect(results.sort()).toEqual(["a ECANCELED", "b ECANCELED", "c ECANCELED"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("copyResult", () => {
  it("copies every field a result has", () => {
    const from = internalError(tcpCheck("c", 100), new Error("x"), 1234);
    // every field of the target starts as something no result holds
    const stale = Object.fromEntries(Object.keys(from).map((k) => [k, `stale ${k}`])) as unknown as CheckResult;
    const to = copyResult(stale, from);
    expect(to).toBe(stale);
    expect(Object.keys(to).sort()).toEqual(Object.keys(from).sort());
    expect({ ...to }).toEqual({ ...from });
  });
});
