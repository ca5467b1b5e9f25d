// One run of a check, on a fake clock: decided at the deadline or on stop, with the runner told first.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { realClock } from "../../../src/health/clock.js";
import { createLimits } from "../../../src/health/limiter.js";
import { ActiveRuns, makeSlot, startCheck } from "../../../src/health/run-check.js";
import type { CheckResult, RunFn } from "../../../src/health/types.js";
import { tcpCheck } from "../../helpers/service.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

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
  it("at the deadline the runner is aborted, and has settled, before the result goes out", async () => {
    const seen: string[] = [];
    const slot = makeSlot(tcpCheck("c", 100), hanging(seen));
    let result: CheckResult | undefined;
    let inFlight: boolean | undefined;
    startCheck(slot, { clock: realClock, limits: createLimits() }, (r) => {
      seen.push("result");
      result = r;
      inFlight = slot.inFlight;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual(["aborted", "result"]);
    expect(result).toMatchObject({ ok: false, timedOut: true, error: "ETIMEDOUT" });
    // the next run of the check can start at once
    expect(inFlight).toBe(false);
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
