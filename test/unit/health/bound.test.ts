// The detection bound, proven on a fake clock: failure → DOWN never takes longer than
// interval + (fall − 1) · max(fast_interval, T) + T, and a check that hangs until its timeout,
// failing right after a round started, takes exactly that long.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { detectionBoundMs, recoveryBoundMs } from "../../../src/health/bound.js";
import { createHealthMonitor, groupKey } from "../../../src/health/monitor.js";
import { gridPoint } from "../../../src/health/splay.js";
import type { HealthTransition } from "../../../src/health/types.js";
import type { Service } from "../../../src/manifest/types.js";
import { service, tcpCheck } from "../../helpers/service.js";
import { FakeRunners } from "./helpers.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

interface Case {
  intervalMs: number;
  fastIntervalMs: number;
  fall: number;
  timeoutMs: number;
}

const CASES: Case[] = [
  { intervalMs: 2000, fastIntervalMs: 500, fall: 2, timeoutMs: 400 },
  { intervalMs: 1000, fastIntervalMs: 250, fall: 3, timeoutMs: 200 },
  { intervalMs: 10_000, fastIntervalMs: 1000, fall: 5, timeoutMs: 900 },
  { intervalMs: 5000, fastIntervalMs: 5000, fall: 1, timeoutMs: 4000 },
  { intervalMs: 3000, fastIntervalMs: 750, fall: 4, timeoutMs: 750 },
  // timeout above fast_interval (the manifest defaults 2s/500ms/1s): rounds of a hung check cannot
  // come faster than its timeout without overlapping, so the max() term applies
  { intervalMs: 2000, fastIntervalMs: 500, fall: 2, timeoutMs: 1000 },
  { intervalMs: 1000, fastIntervalMs: 100, fall: 3, timeoutMs: 300 },
];

function svcFor(c: Case, name = "svc"): Service {
  return service(name, {
    intervalMs: c.intervalMs,
    fastIntervalMs: c.fastIntervalMs,
    fall: c.fall,
    rise: 2,
    timeoutMs: c.timeoutMs,
    initial: "up",
    checks: [tcpCheck("a", c.timeoutMs), tcpCheck("b", Math.max(1, Math.floor(c.timeoutMs / 2)))],
  });
}

/** Start a monitor, let it run healthy, make every check `mode` at round start + offset; time to DOWN. */
async function timeToDown(c: Case, mode: "hang" | "fail", offsetMs: number): Promise<{ elapsed: number; bound: number }> {
  const s = svcFor(c);
  const fakes = new FakeRunners();
  let downAt: number | undefined;
  const m = createHealthMonitor({
    services: [s],
    deps: { prepare: fakes.prepare },
    onTransition: (t: HealthTransition) => {
      if (t.to === "DOWN") downAt ??= performance.now();
    },
  });
  const t0 = performance.now();
  m.start();
  // Rounds start at t0 + splay + k·interval while healthy (fixed rate). Go 3 rounds in, then past `offset`.
  const roundStart = gridPoint(groupKey(s), c.intervalMs, t0) + 3 * c.intervalMs;
  await vi.advanceTimersByTimeAsync(roundStart - performance.now());
  expect(fakes.startsOf("a").at(-1)).toBe(roundStart);
  await vi.advanceTimersByTimeAsync(offsetMs);
  const failedAt = performance.now();
  fakes.set("a", { kind: mode });
  fakes.set("b", { kind: mode });
  await vi.advanceTimersByTimeAsync(detectionBoundMs(s) + c.intervalMs);
  m.stop();
  expect(downAt, "the service went DOWN").toBeDefined();
  return { elapsed: downAt! - failedAt, bound: detectionBoundMs(s) };
}

describe("failure → DOWN ≤ interval + (fall−1)·max(fast_interval, timeout) + timeout", () => {
  it.each(CASES)("bound formula for %o", (c) => {
    const T = c.timeoutMs;
    expect(detectionBoundMs(svcFor(c))).toBe(c.intervalMs + (c.fall - 1) * Math.max(c.fastIntervalMs, T) + T);
    if (T <= c.fastIntervalMs) expect(detectionBoundMs(svcFor(c))).toBe(c.intervalMs + (c.fall - 1) * c.fastIntervalMs + T);
  });

  it.each(CASES)("hanging checks, failure 1 ms after a round starts: exactly the bound (− 1 ms) for %o", async (c) => {
    const { elapsed, bound } = await timeToDown(c, "hang", 1);
    expect(elapsed).toBe(bound - 1);
  });

  it.each(CASES)("checks that fail at once: interval + (fall−1)·fast_interval (− 1 ms) for %o", async (c) => {
    const { elapsed, bound } = await timeToDown(c, "fail", 1);
    expect(elapsed).toBe(c.intervalMs + (c.fall - 1) * c.fastIntervalMs - 1);
    expect(elapsed).toBeLessThanOrEqual(bound);
  });

  it.each(CASES)("a failure at any point of the cycle stays within the bound for %o", async (c) => {
    for (const offset of [0, 1, Math.floor(c.intervalMs / 3), c.intervalMs - 1]) {
      for (const mode of ["hang", "fail"] as const) {
        const { elapsed, bound } = await timeToDown(c, mode, offset);
        expect(elapsed).toBeLessThanOrEqual(bound);
      }
    }
  });
});

describe("recovery → UP", () => {
  it("takes at most interval + (rise−1)·max(fast_interval, T) + T", async () => {
    const s = service("svc", { intervalMs: 2000, fastIntervalMs: 500, rise: 3, fall: 1, timeoutMs: 400, checks: [tcpCheck("a", 400)] });
    const fakes = new FakeRunners();
    fakes.set("a", { kind: "fail" });
    let upAt: number | undefined;
    const m = createHealthMonitor({ services: [s], deps: { prepare: fakes.prepare }, onTransition: (t) => {
      if (t.to === "UP") upAt ??= performance.now();
    } });
    const t0 = performance.now();
    m.start();
    await vi.advanceTimersByTimeAsync(gridPoint(groupKey(s), 2000, t0) - t0 + 2 * 2000 + 1);
    const healedAt = performance.now();
    fakes.set("a", { kind: "ok", latencyMs: 399 });
    await vi.advanceTimersByTimeAsync(10_000);
    m.stop();
    expect(upAt! - healedAt).toBeLessThanOrEqual(recoveryBoundMs(s));
    expect(upAt! - healedAt).toBe(2000 - 1 + 2 * 500 + 399);
  });
});
