// Shared test helpers for the health suites: scriptable fake runners.
import type { CheckSpec } from "../../../src/manifest/types.js";
import type { Outcome, RunContext } from "../../../src/health/types.js";

/** How a fake check behaves on its next runs. */
export type Mode =
  | { kind: "ok" | "fail"; latencyMs?: number }
  /** never settles until aborted (a well-behaved runner honours the signal), then after `stopMs` (an exec check's process group going) */
  | { kind: "hang"; stopMs?: number }
  /** never settles at all, even when aborted (a misbehaving runner) */
  | { kind: "stuck" };

/**
 * Fake runners keyed by `service/check` (or just the check name). Records every run's start time
 * (performance.now, faked under vi.useFakeTimers) and how many run at once.
 */
export class FakeRunners {
  modes = new Map<string, Mode>();
  starts: { key: string; at: number }[] = [];
  running = 0;
  maxRunning = 0;
  runningByKey = new Map<string, number>();
  maxOverlapSameKey = 0;

  set(key: string, mode: Mode): void {
    this.modes.set(key, mode);
  }

  prepare = (spec: CheckSpec): ((ctx: RunContext) => Promise<Outcome>) => {
    const key = spec.name;
    return (ctx: RunContext) => this.run(key, ctx);
  };

  private run(key: string, ctx: RunContext): Promise<Outcome> {
    const mode = this.modes.get(key) ?? { kind: "ok" };
    this.starts.push({ key, at: performance.now() });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const same = (this.runningByKey.get(key) ?? 0) + 1;
    this.runningByKey.set(key, same);
    this.maxOverlapSameKey = Math.max(this.maxOverlapSameKey, same);
    const done = () => {
      this.running--;
      this.runningByKey.set(key, (this.runningByKey.get(key) ?? 1) - 1);
    };
    return new Promise<Outcome>((resolve) => {
      const settle = (o: Outcome) => {
        done();
        resolve(o);
      };
      if (mode.kind === "stuck") return;
      if (mode.kind === "hang") {
        ctx.phase = "hanging";
        const stopMs = mode.stopMs;
        const aborted = () => settle({ ok: false, reason: "aborted" });
        ctx.signal.addEventListener("abort", () => (stopMs ? setTimeout(aborted, stopMs) : aborted()), { once: true });
        return;
      }
      const o = { ok: mode.kind === "ok", reason: mode.kind === "ok" ? "fine" : "broken" };
      if (mode.latencyMs) setTimeout(() => settle(o), mode.latencyMs);
      else queueMicrotask(() => settle(o));
    });
  }

  startsOf(key: string): number[] {
    return this.starts.filter((s) => s.key === key).map((s) => s.at);
  }
}
