import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Driver, SessionState } from "../../../src/daemons/driver.js";
import { startDaemonWatch } from "../../../src/supervisor/daemon-watch.js";
import type { EngineState } from "../../../src/supervisor/engine-types.js";
import type { Trigger } from "../../../src/supervisor/loop.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** a daemon whose answers the test hands out: each query waits until the test settles it */
function daemon() {
  const pending: { kind: "instance" | "sessions"; settle: (v: unknown) => void; fail: (e: Error) => void }[] = [];
  const ask = <T>(kind: "instance" | "sessions") => new Promise<T>((settle, fail) => pending.push({ kind, settle: settle as (v: unknown) => void, fail }));
  const driver = { instance: () => ask<string | null>("instance"), sessions: () => ask<SessionState[]>("sessions") } as unknown as Driver;
  return { driver, pending };
}

function state(o: Partial<EngineState> = {}): EngineState {
  return { daemonReachable: true, applied: { model: { peers: [] } }, verification: { ok: true, mismatches: [] }, observed: { peers: [{ name: "tor", state: "Established" }] }, ...o } as unknown as EngineState;
}

describe("daemon watch", () => {
  it("a frozen daemon: ticks do not pile queries up behind the one still waiting", async () => {
    const d = daemon();
    const triggers: Trigger[] = [];
    const timer = startDaemonWatch({ driver: () => d.driver, state: () => state(), trigger: (t) => triggers.push(t), everyMs: 2000 });
    await vi.advanceTimersByTimeAsync(20_000);
    // one tick's two queries, nothing more while they hang
    expect(d.pending.map((p) => p.kind).sort()).toEqual(["instance", "sessions"]);
    for (const p of d.pending.splice(0)) p.fail(new Error("timed out"));
    await vi.advanceTimersByTimeAsync(2000);
    expect(triggers).toEqual(["reverify"]);
    expect(d.pending.map((p) => p.kind).sort()).toEqual(["instance", "sessions"]);
    clearInterval(timer);
  });

  it("a lost daemon is re-verified once, not at every tick until the engine marks it unreachable, and never as a 'daemon' trigger (that one cuts a retry backoff short)", async () => {
    const d = daemon();
    const triggers: Trigger[] = [];
    const timer = startDaemonWatch({ driver: () => d.driver, state: () => state(), trigger: (t) => triggers.push(t), everyMs: 2000 });
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(2000);
      for (const p of d.pending.splice(0)) p.fail(new Error("connect ENOENT"));
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(triggers).toEqual(["reverify"]);
    // back, then lost again: a new loss
    await vi.advanceTimersByTimeAsync(2000);
    for (const p of d.pending.splice(0)) p.settle(p.kind === "instance" ? "pid 7" : [{ name: "tor", state: "Established" }]);
    await vi.advanceTimersByTimeAsync(2000);
    for (const p of d.pending.splice(0)) p.fail(new Error("connect ENOENT"));
    await vi.advanceTimersByTimeAsync(1);
    expect(triggers).toEqual(["reverify", "reverify"]);
    clearInterval(timer);
  });

  it("an unreachable daemon is asked only who it is; its return triggers a re-apply", async () => {
    const d = daemon();
    const triggers: Trigger[] = [];
    const timer = startDaemonWatch({ driver: () => d.driver, state: () => state({ daemonReachable: false }), trigger: (t) => triggers.push(t), everyMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(d.pending.map((p) => p.kind)).toEqual(["instance"]);
    d.pending.shift()!.settle("pid 42");
    await vi.advanceTimersByTimeAsync(1);
    expect(triggers).toEqual(["daemon"]);
    clearInterval(timer);
  });

  it("a restart (another instance) triggers a re-apply; a session change an observation", async () => {
    const d = daemon();
    const triggers: Trigger[] = [];
    const timer = startDaemonWatch({ driver: () => d.driver, state: () => state(), trigger: (t) => triggers.push(t), everyMs: 2000 });
    const answer = async (instance: string, session: string) => {
      await vi.advanceTimersByTimeAsync(2000);
      for (const p of d.pending.splice(0)) p.settle(p.kind === "instance" ? instance : [{ name: "tor", state: session }]);
      await vi.advanceTimersByTimeAsync(1);
    };
    await answer("pid 1", "Established");
    expect(triggers).toEqual([]);
    await answer("pid 1", "Active");
    expect(triggers).toEqual(["observe"]);
    await answer("pid 2", "Established");
    expect(triggers).toEqual(["observe", "daemon"]);
    clearInterval(timer);
  });
});
