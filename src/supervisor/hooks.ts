// on_change hooks: a program run when a service's health state changes (ExaBGP's --up-execute,
// --down-execute, --disabled-execute). Each runs beside the reconcile, never in its way: the
// transition is handed over and forgotten, so a slow or hung hook can never delay an announcement
// or a withdrawal. Runs of one service's hook go one at a time, in order (a few waiting at most:
// beyond that the oldest waiting is dropped and logged); each is killed with its process group at
// its timeout. It runs like an exec check (no shell, its user and group, a minimal environment)
// with the transition in SVCROUTE_* variables; its exit status and output tail are logged.
import type { HealthTransition, Outcome, PromiseRunFn } from "../health/types.js";
import { prepareExec } from "../health/runners/exec.js";
import type { CheckSpec, Hook, Service } from "../manifest/types.js";
import type { Logger } from "./log.js";
import type { HookRunStatus } from "./status-types.js";

/** runs of one service's hook waiting behind the one in progress */
export const MAX_WAITING = 4;

type ExecSpec = Extract<CheckSpec, { type: "exec" }>;

/** the variables a hook finds in its environment for one transition */
export function hookEnv(t: HealthTransition): Record<string, string> {
  return {
    SVCROUTE_SERVICE: t.service,
    SVCROUTE_OLD_STATE: t.from,
    SVCROUTE_NEW_STATE: t.to,
    SVCROUTE_REASON: t.reason,
    SVCROUTE_CAUSE: t.cause,
    SVCROUTE_ANNOUNCED: t.announced ? "yes" : "no",
    SVCROUTE_TIME: new Date(t.at).toISOString(),
  };
}

/** the exec spec a hook runs as for one transition (the manifest's env first, svcroute's variables win) */
export function hookSpec(h: Hook, t: HealthTransition): ExecSpec {
  return {
    type: "exec",
    name: "on_change",
    timeoutMs: h.timeoutMs,
    command: h.command,
    user: h.user,
    userFromManifest: h.userFromManifest,
    group: h.group,
    env: { ...h.env, ...hookEnv(t) },
    cwd: "/",
  };
}

export interface HookRunner {
  /** hand a transition over; returns at once */
  onTransition(t: HealthTransition): void;
  /** resolves when no hook runs or waits (tests, shutdown) */
  idle(): Promise<void>;
  /** the last run of a service's hook, for status and doctor */
  last(service: string): HookRunStatus | undefined;
}

export interface HookDeps {
  log: Logger;
  /** the service a transition belongs to, as the current manifest says */
  service(name: string): Service | undefined;
  /** exec spec → run function (default: the exec check runner) */
  prepare?: (spec: ExecSpec) => PromiseRunFn;
}

export function createHookRunner(deps: HookDeps): HookRunner {
  const prepare = deps.prepare ?? prepareExec;
  const queues = new Map<string, { running: Promise<void>; waiting: HealthTransition[] }>();
  const lastRun = new Map<string, Omit<HookRunStatus, "runs" | "failures" | "dropped">>();
  const counts = new Map<string, { runs: number; failures: number; dropped: number }>();
  const count = (service: string) => {
    let c = counts.get(service);
    if (!c) counts.set(service, (c = { runs: 0, failures: 0, dropped: 0 }));
    return c;
  };

  async function runOne(h: Hook, t: HealthTransition): Promise<void> {
    const signal = AbortSignal.timeout(h.timeoutMs);
    const fields = { op: "hook", service: t.service, from: t.from, to: t.to };
    let o: Outcome;
    try {
      o = await prepare(hookSpec(h, t))({ signal, onAbort: (fn) => (signal.aborted ? fn() : signal.addEventListener("abort", fn, { once: true })), phase: "starting" });
    } catch (e) {
      o = { ok: false, reason: `internal error: ${(e as Error).message}` };
    }
    const why = signal.aborted ? `timed out after ${h.timeoutMs} ms (killed): ${o.reason}` : o.reason;
    const c = count(t.service);
    c.runs++;
    if (!o.ok) c.failures++;
    lastRun.set(t.service, { at: Date.now(), from: t.from, to: t.to, ok: o.ok, exit_code: o.exitCode ?? null, timed_out: signal.aborted, timeout_ms: h.timeoutMs, reason: why });
    if (o.ok) deps.log.info(`on_change hook (${t.from} → ${t.to}): ${why}`, { ...fields, exit: o.exitCode ?? null });
    else deps.log.warn(`on_change hook (${t.from} → ${t.to}) failed: ${why}`, { ...fields, exit: o.exitCode ?? null, code: "HOOK_FAILED" });
  }

  async function drainQueue(name: string): Promise<void> {
    const q = queues.get(name)!;
    for (let t = q.waiting.shift(); t; t = q.waiting.shift()) {
      const h = deps.service(name)?.onChange;
      if (h?.when.includes(t.to)) await runOne(h, t);
    }
    queues.delete(name);
  }

  return {
    onTransition(t) {
      const h = deps.service(t.service)?.onChange;
      if (!h?.when.includes(t.to)) return;
      const q = queues.get(t.service);
      if (!q) {
        const fresh = { running: Promise.resolve(), waiting: [t] };
        queues.set(t.service, fresh);
        fresh.running = drainQueue(t.service);
        return;
      }
      q.waiting.push(t);
      if (q.waiting.length > MAX_WAITING) {
        const dropped = q.waiting.shift()!;
        count(t.service).dropped++;
        deps.log.warn(`on_change hook of ${t.service}: ${MAX_WAITING} runs already wait; not run for ${dropped.from} → ${dropped.to}`, { op: "hook", service: t.service, code: "HOOK_DROPPED" });
      }
    },
    last(service) {
      const run = lastRun.get(service);
      return run && { ...run, ...count(service) };
    },
    async idle() {
      while (queues.size) await Promise.all([...queues.values()].map((q) => q.running));
    },
  };
}
