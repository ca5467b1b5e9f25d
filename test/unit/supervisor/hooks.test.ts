// on_change hooks: what a hook finds in its environment, that handing a transition over never waits
// for the hook, one run at a time per service in order, the few that may wait, and real programs
// (output and exit status logged, killed at the timeout).
import { describe, expect, it } from "vitest";
import type { HealthTransition, Outcome, RunContext } from "../../../src/health/types.js";
import type { Hook, Service } from "../../../src/manifest/types.js";
import { MAX_WAITING, createHookRunner, hookEnv, hookSpec } from "../../../src/supervisor/hooks.js";
import { memoryLogger } from "../../../src/supervisor/log.js";
import { service } from "../../helpers/service.js";

const AT = Date.UTC(2026, 11, 3, 10, 0, 0);
const transition = (from: string, to: string, svc = "web"): HealthTransition =>
  ({ service: svc, from, to, announced: to === "UP" || to === "FALLING", cause: "check", reason: `went ${to}`, at: AT, fromSince: AT - 1000, heldDownUntil: undefined, successes: 0, failures: 1, results: [] }) as HealthTransition;
const hook = (over: Partial<Hook> = {}): Hook => ({ command: ["/bin/true"], user: "nobody", userFromManifest: false, group: undefined, env: {}, timeoutMs: 10_000, when: ["UP", "DOWN", "DISABLED"], ...over });

describe("what a hook is given", () => {
  it("the transition in SVCROUTE_* variables, over the manifest's env, in a spec run like an exec check", () => {
    expect(hookEnv(transition("UP", "DOWN"))).toEqual({
      SVCROUTE_SERVICE: "web",
      SVCROUTE_OLD_STATE: "UP",
      SVCROUTE_NEW_STATE: "DOWN",
      SVCROUTE_REASON: "went DOWN",
      SVCROUTE_CAUSE: "check",
      SVCROUTE_ANNOUNCED: "no",
      SVCROUTE_TIME: "2026-12-03T10:00:00.000Z",
    });
    const spec = hookSpec(hook({ env: { TEAM: "dns", SVCROUTE_SERVICE: "spoofed" }, user: "svc", userFromManifest: true }), transition("DOWN", "UP"));
    expect(spec).toMatchObject({ type: "exec", command: ["/bin/true"], user: "svc", userFromManifest: true, cwd: "/", timeoutMs: 10_000 });
    expect(spec.env).toMatchObject({ TEAM: "dns", SVCROUTE_SERVICE: "web", SVCROUTE_NEW_STATE: "UP", SVCROUTE_ANNOUNCED: "yes" });
  });
});

/** a prepare whose runs finish only when the test says so */
function controlled() {
  const runs: { env: Record<string, string>; finish: (o: Outcome) => void }[] = [];
  const prepare = (spec: { env: Record<string, string> }) => (_ctx: Omit<RunContext, "settle">) => new Promise<Outcome>((finish) => runs.push({ env: spec.env, finish }));
  return { runs, prepare };
}

describe("the hook runner", () => {
  const svc: Service = service("web", { onChange: hook() });

  it("returns at once while a hook runs; runs one at a time, in order; skips states not in `when`", async () => {
    const log = memoryLogger();
    const c = controlled();
    const r = createHookRunner({ log, service: (n) => (n === "web" ? svc : undefined), prepare: c.prepare });
    r.onTransition(transition("RISING", "UP"));
    r.onTransition(transition("UP", "FALLING")); // not in `when`
    r.onTransition(transition("FALLING", "DOWN"));
    r.onTransition(transition("INIT", "UP", "other")); // a service without a hook
    await Promise.resolve();
    expect(c.runs.map((x) => x.env.SVCROUTE_NEW_STATE)).toEqual(["UP"]);
    c.runs[0]!.finish({ ok: true, reason: "exit 0: sent", exitCode: 0 });
    await new Promise((res) => setTimeout(res, 0));
    expect(c.runs.map((x) => x.env.SVCROUTE_NEW_STATE)).toEqual(["UP", "DOWN"]);
    c.runs[1]!.finish({ ok: false, reason: "exit 3: no route to pager", exitCode: 3 });
    await r.idle();
    expect(log.lines.map((l) => [l.level, l.msg, l.fields.exit])).toEqual([
      ["info", "on_change hook (RISING → UP): exit 0: sent", 0],
      ["warn", "on_change hook (FALLING → DOWN) failed: exit 3: no route to pager", 3],
    ]);
  });

  it(`keeps at most ${MAX_WAITING} runs waiting behind the running one, dropping the oldest with a warning`, async () => {
    const log = memoryLogger();
    const c = controlled();
    const r = createHookRunner({ log, service: () => svc, prepare: c.prepare });
    const states = ["UP", "DOWN", "UP", "DOWN", "UP", "DOWN", "UP"];
    states.forEach((to, i) => r.onTransition(transition(i === 0 ? "INIT" : states[i - 1]!, to)));
    expect(log.lines.filter((l) => l.fields.code === "HOOK_DROPPED")).toHaveLength(states.length - 1 - MAX_WAITING);
    for (let i = 0; i < 1 + MAX_WAITING; i++) {
      await new Promise((res) => setTimeout(res, 0));
      c.runs[i]!.finish({ ok: true, reason: "exit 0", exitCode: 0 });
    }
    await r.idle();
    expect(c.runs).toHaveLength(1 + MAX_WAITING);
    // counted for status and metrics: what ran, what failed, what was dropped
    expect(r.last("web")).toMatchObject({ runs: 1 + MAX_WAITING, failures: 0, dropped: states.length - 1 - MAX_WAITING });
  });

  it("a real program: its output and exit status are logged; one past its timeout is killed and said to be", async () => {
    const log = memoryLogger();
    const echo = service("web", { onChange: hook({ command: ["/bin/sh", "-c", 'echo "$SVCROUTE_SERVICE $SVCROUTE_OLD_STATE->$SVCROUTE_NEW_STATE"; exit 4'] }) });
    const slow = service("slow", { onChange: hook({ command: ["/bin/sleep", "30"], timeoutMs: 200 }) });
    const r = createHookRunner({ log, service: (n) => (n === "web" ? echo : slow) });
    r.onTransition(transition("UP", "DOWN"));
    r.onTransition(transition("UP", "DOWN", "slow"));
    await r.idle();
    const byService = new Map(log.lines.map((l) => [String(l.fields.service), l]));
    expect(byService.get("web")).toMatchObject({ level: "warn", msg: "on_change hook (UP → DOWN) failed: exit 4: web UP->DOWN", fields: { exit: 4 } });
    expect(byService.get("slow")!.msg).toMatch(/^on_change hook \(UP → DOWN\) failed: timed out after 200 ms \(killed\): killed by SIGKILL/);
    // the last run of each, as status and doctor report it
    expect(r.last("web")).toMatchObject({ from: "UP", to: "DOWN", ok: false, exit_code: 4, timed_out: false, timeout_ms: 10_000, reason: "exit 4: web UP->DOWN" });
    expect(r.last("slow")).toMatchObject({ ok: false, exit_code: null, timed_out: true, timeout_ms: 200, runs: 1, failures: 1, dropped: 0 });
    expect(r.last("other")).toBeUndefined();
  });
});
