// `svcroute run`: wires the engine to the real world — manifest watcher, health monitor, the
// reconcile loop, the status socket, signals, systemd notification, the daemon watch and the
// fail-closed guard — and shuts down gracefully. The decisions live in engine.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { promises as fsp } from "node:fs";
import { resolve } from "node:path";
import { exec } from "../effects/exec.js";
import { SvcrouteError } from "../errors.js";
import { snapshot } from "../effects/rescan.js";
import type { Watcher } from "../effects/watch.js";
import { realClock } from "../health/clock.js";
import { createHealthMonitor, type HealthMonitor } from "../health/index.js";
import { DEFAULTS } from "../manifest/defaults.js";
import type { LoadResult } from "../manifest/load.js";
import type { Manifest } from "../manifest/types.js";
import { ipAddressOps, startAddressWatch } from "./addresses.js";
import { loadAnnounced, saveAnnounced } from "./announced.js";
import { changeDrain, readDrainState } from "./drain.js";
import { Engine } from "./engine.js";
import { realEngineDeps } from "./engine-deps.js";
import { acquireLock } from "./lock.js";
import { followDrainFile, manifestScope, stableLoader, watchManifest } from "./manifest-watch.js";
import type { Logger } from "./log.js";
import { createReconcileLoop, type ReconcileLoop, type Trigger } from "./loop.js";
import { createNotifier, underSystemd, type Notifier } from "./notify.js";
import { startDaemonWatch } from "./daemon-watch.js";
import { createHookRunner } from "./hooks.js";
import type { HookRunStatus } from "./status-types.js";
import { buildStatus } from "./status.js";
import { startStatusServer, type StatusServer } from "./status-server.js";
import { forgetSocket, recordSocket, runtimeDir } from "../effects/socket-record.js";

export interface RunOptions {
  manifestPath: string;
  /** the drop-in directory (default: services.d beside the manifest; null: none) */
  dropInDir?: string | null;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** spawn the fail-closed guard (default: when not under systemd) */
  guard?: boolean;
  /** argv to start this program again (for the guard); default: this process's */
  selfArgv?: string[];
  /** resolves when the supervisor should stop (default: SIGTERM/SIGINT) */
  stopSignal?: Promise<string>;
}

/** how often the daemon is asked who it is and how its sessions stand */
export const DAEMON_WATCH_MS = 2000;
async function fileMtime(path: string): Promise<number | undefined> {
  try {
    return (await fsp.stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

function spawnGuard(o: RunOptions, m: Manifest | undefined, log: Logger): ChildProcess | undefined {
  const argv = o.selfArgv ?? [...process.execArgv, process.argv[1]!];
  const graceMs = m?.supervisor.guardGraceMs ?? DEFAULTS.supervisor.guardGraceMs;
  const stateDir = m?.supervisor.stateDir ?? DEFAULTS.supervisor.stateDir;
  const child = spawn(process.execPath, [...argv, "guard", "--manifest", o.manifestPath, "--state-dir", stateDir, "--grace-ms", String(graceMs), "--parent", String(process.pid)], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    env: { ...o.env, SVCROUTE_GUARD: "1" },
  });
  child.unref();
  child.on("error", (e) => log.error(`cannot start the fail-closed guard: ${e.message}`, { op: "guard" }));
  log.info(`fail-closed guard started (pid ${child.pid}); routes are withdrawn ${graceMs} ms after an unplanned exit`, { op: "guard" });
  return child;
}

export async function runSupervisor(o: RunOptions): Promise<number> {
  const startedAt = Date.now();
  const before = await snapshot(manifestScope(o));
  const loadStable = stableLoader(o, o.log);
  const first = await loadStable();
  const m0 = first.manifest;
  const stateDir = m0?.supervisor.stateDir ?? DEFAULTS.supervisor.stateDir;
  await fsp.mkdir(stateDir, { recursive: true, mode: 0o750 });
  const lock = await acquireLock(stateDir);
  const notifier = createNotifier(o.env, exec);
  const core = assemble(o, first, loadStable);
  const timers: ReturnType<typeof setInterval>[] = [];
  const open: { server?: StatusServer; watcher?: Watcher; closed?: boolean; record?: string } = {};
  const socket = m0?.supervisor.statusSocket ?? DEFAULTS.supervisor.statusSocket;
  const cleanup = async () => {
    open.closed = true;
    for (const t of timers) clearInterval(t);
    core.dispose();
    await open.watcher?.close().catch(() => undefined);
    if (open.record) await forgetSocket(open.record, socket).catch(() => undefined);
    await open.server?.close().catch(() => undefined);
    core.engine.currentDriver()?.close();
    await lock.release();
  };
  try {
    open.server = await startStatusServer({
      socketPath: socket,
      metricsListen: m0?.supervisor.metricsListen,
      getStatus: () => buildStatus(core.engine.state, core.monitor.snapshot(), { pid: process.pid, startedAt, hook: core.hook }),
      onReconcile: () => core.trigger("drain"),
      onDrain: drainRequests(core, stateDir, m0, o.log),
      onProbe: probeRequests(core, startedAt, o.log),
      onReload: async () => {
        o.log.info("reload asked over the status socket: re-reading the manifest", { op: "signal" });
        core.trigger("signal");
        await core.loop.idle();
        const st = buildStatus(core.engine.state, core.monitor.snapshot(), { pid: process.pid, startedAt, hook: core.hook });
        return { manifest: st.manifest, last_reconcile: st.last_reconcile };
      },
    });
  } catch (e) {
    await cleanup();
    throw e;
  }
  // clients find this socket through the record while the manifest on disk cannot name it
  open.record = await recordSocket(o.env, o.manifestPath, socket).catch((e: unknown) => {
    o.log.warn(`cannot record the status socket in ${runtimeDir(o.env)}: ${(e as Error).message}; status -m finds it through the manifest only`, { op: "start" });
    return undefined;
  });
  const drainFile = m0 ? resolve(m0.maintenance.drainFile) : undefined;
  open.watcher = watchManifest(o, drainFile, before, core.trigger);
  timers.push(followDrainFile(o, () => core.engine.state.manifest?.maintenance.drainFile, core.trigger, open, drainFile));
  const guard = (o.guard ?? !underSystemd(o.env)) ? spawnGuard(o, m0, o.log) : undefined;

  // from here on a stop signal stops gracefully (one during start-up takes effect once it is done)
  const stop = o.stopSignal ? undefined : stopSignals();
  await start(core, notifier, o.log, m0);
  timers.push(...keepWatch(core, notifier));
  await untilStopped(o.stopSignal ?? stop!.signal, core.trigger, o.log);
  await notifier.stopping().catch(() => undefined);
  // an apply in progress that the daemon does not confirm must not hold the withdrawal up
  core.engine.interrupt();
  await core.loop.stop();
  core.monitor.stop();
  releaseGuard(guard, await withdrawOnStop(core.engine, o.log));
  await cleanup();
  stop?.dispose();
  return 0;
}

interface Core {
  engine: Engine;
  monitor: HealthMonitor;
  loop: ReconcileLoop;
  trigger: (t: Trigger) => void;
  /** each service's on_change hook's last run */
  hook: (service: string) => HookRunStatus | undefined;
  /** the drain timer cleared, the health checks stopped */
  dispose(): void;
}

/** health monitor → engine → reconcile loop, each feeding the next */
function assemble(o: RunOptions, first: LoadResult, loadStable: () => Promise<LoadResult>): Core {
  const log = o.log;
  // the monitor reports to the engine and wakes the loop, both made after it
  const late: { engine?: Engine; loop?: ReconcileLoop } = {};
  const trigger = (t: Trigger) => late.loop?.trigger(t);
  const hooks = createHookRunner({ log, service: (name) => late.engine?.state.manifest?.services.find((s) => s.name === name) });
  const monitor = createHealthMonitor({
    services: [],
    onTransition: (t) => {
      late.engine?.noteTransition(t.service, t.to);
      hooks.onTransition(t);
      // at_us: the decision's wall clock in epoch microseconds (`ts` has only milliseconds), so a
      // withdrawal can be timed against a peer's microsecond log (npm run bench)
      const atUs = Math.round((performance.timeOrigin + performance.now()) * 1000);
      const fields = { op: "health", service: t.service, from: t.from, to: t.to, cause: t.cause, at_us: atUs };
      if (t.to === "DOWN" || t.to === "FALLING") log.warn(`${t.from} → ${t.to}: ${t.reason}`, fields);
      else log.info(`${t.from} → ${t.to}: ${t.reason}`, fields);
      // a withdrawal does not wait for the proof of the change before it (with thousands of
      // services, a verification takes hundreds of ms): the next reconcile proves both
      if (t.to === "DOWN") late.engine?.interruptToggleProof();
      trigger("health");
    },
    onError: (e) => log.error(`health monitor: ${(e as Error).message}`, { op: "health" }),
  });

  let pendingLoad: LoadResult | undefined = first;
  let lastSaved = "";
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  const eng = new Engine(
    realEngineDeps(log, {
      loadManifest: async () => {
        const r = pendingLoad ?? (await loadStable());
        pendingLoad = undefined;
        return r;
      },
      health: { update: (s) => monitor.update(s), states: () => monitor.states(), stateOf: (n) => monitor.get(n), setDrained: (n) => monitor.setDrained(n) },
      readDrain: readDrainState,
      drainFileSince: fileMtime,
      saveAnnounced: async (dir, r) => {
        const text = JSON.stringify(r);
        if (text === lastSaved) return;
        await saveAnnounced(dir, r);
        lastSaved = text;
      },
      loadAnnounced,
      addresses: ipAddressOps(exec),
      scheduleDrainCheck: (at) => {
        if (drainTimer) clearTimeout(drainTimer);
        drainTimer = at === undefined ? undefined : setTimeout(() => trigger("drain"), Math.max(0, at - Date.now()) + 5);
      },
    }),
    o.manifestPath,
  );
  late.engine = eng;
  const loop = createReconcileLoop({
    run: (reasons) => eng.reconcile(reasons),
    clock: realClock,
    reverifyMs: first.manifest?.supervisor.reverifyIntervalMs ?? DEFAULTS.supervisor.reverifyIntervalMs,
    onCrash: (e) => log.error(`reconcile crashed: ${(e as Error).stack ?? String(e)}`, { op: "reconcile", code: "E_INTERNAL" }),
    onSuperseded: () => eng.interrupt(),
  });
  late.loop = loop;
  return {
    engine: eng,
    monitor,
    loop,
    trigger,
    hook: (name) => hooks.last(name),
    dispose() {
      if (drainTimer) clearTimeout(drainTimer);
      monitor.stop();
    },
  };
}

/** drain requests from the status socket: each changes the persisted state, one at a time */
function drainRequests(core: Core, stateDir: string, m0: Manifest | undefined, log: Logger) {
  let drains: Promise<unknown> = Promise.resolve();
  return (target: string, on: boolean) => {
    const names = (core.engine.state.manifest ?? m0)?.services.map((s) => s.name) ?? [];
    const done = drains.then(() => changeDrain(stateDir, names, target, on, Date.now()));
    drains = done.catch(() => undefined);
    return done.then((s) => {
      log.info(`${on ? "drain" : "undrain"} ${target} (asked over the status socket)`, { op: "drain", ...(target === "all" ? {} : { service: target }) });
      core.trigger("drain");
      return s;
    });
  };
}

/** `probe --apply`: one round of the service's checks now, acted on, answered with the service's status after it */
function probeRequests(core: Core, startedAt: number, log: Logger) {
  return async (service: string) => {
    const svc = core.engine.state.manifest?.services.find((x) => x.name === service);
    if (!svc) throw new SvcrouteError("E_USAGE", `no service named "${service}" in the supervisor's manifest`);
    const round = await core.monitor.runNow(service);
    if (!round) throw new SvcrouteError("E_USAGE", `service ${service} has no checks to run (it is always healthy)`);
    log.info(`checks of ${service} run now (asked over the status socket): ${round.ok ? "passed" : "failed"}`, { op: "health", service });
    core.trigger("probe");
    await core.loop.idle();
    const st = buildStatus(core.engine.state, core.monitor.snapshot(), { pid: process.pid, startedAt, hook: core.hook });
    return { round, service: st.services.find((x) => x.name === service)! };
  };
}

/** health checks on, the first reconcile done, systemd told */
async function start(core: Core, notifier: Notifier, log: Logger, m0: Manifest | undefined): Promise<void> {
  core.monitor.start();
  core.trigger("start");
  await core.loop.idle();
  const last = core.engine.state.lastReconcile;
  await notifier.ready(last?.result === "ok" ? "announcing healthy services" : `started; last reconcile failed: ${last?.code ?? "?"}`).catch(() => undefined);
  log.info(`supervisor running (pid ${process.pid}); status on ${m0?.supervisor.statusSocket ?? DEFAULTS.supervisor.statusSocket}`, { op: "start" });
}

/** systemd's watchdog pings; the daemon watch: a daemon that returns or restarts is re-applied at once; the address watch */
function keepWatch(core: Core, notifier: Notifier): ReturnType<typeof setInterval>[] {
  const timers: ReturnType<typeof setInterval>[] = [];
  if (notifier.watchdogEveryMs) {
    // a reconcile stuck far beyond any timeout means the loop is wedged: let systemd restart us
    timers.push(setInterval(() => void notifier.watchdog().catch(() => undefined), notifier.watchdogEveryMs));
  }
  timers.push(startDaemonWatch({ driver: () => core.engine.currentDriver(), state: () => core.engine.state, trigger: core.trigger, everyMs: DAEMON_WATCH_MS }));
  // a service address removed (or added back) by hand: a reconcile decides again
  timers.push(startAddressWatch({ changed: () => core.engine.addressesChanged(), trigger: core.trigger }));
  return timers;
}

/** until SIGTERM/SIGINT (or the caller's stop); SIGHUP meanwhile reloads */
async function untilStopped(stopSignal: Promise<string>, trigger: (t: Trigger) => void, log: Logger): Promise<void> {
  const onHup = () => {
    log.info("SIGHUP: reloading the manifest", { op: "signal" });
    trigger("signal");
  };
  process.on("SIGHUP", onHup);
  const why = await stopSignal;
  process.off("SIGHUP", onHup);
  log.info(`${why}: stopping`, { op: "stop" });
}

/** on_stop: withdraw — GRACEFUL_SHUTDOWN for stop_grace, then withdrawn (swept if that fails). Whether all left. */
export async function withdrawOnStop(engine: Engine, log: Logger): Promise<boolean> {
  const m = engine.state.manifest;
  if (!m) return true;
  if (m.supervisor.onStop !== "withdraw") {
    log.info("on_stop: keep — the routing daemon keeps announcing", { op: "stop" });
    return true;
  }
  // the graceful-shutdown phase needs a daemon that takes changes: after an apply the daemon did
  // not take (or confirm), withdraw at once rather than wait on another
  const last = engine.state.lastReconcile;
  if (last?.result === "failed" && ["E_APPLY", "E_VERIFY", "E_TIMEOUT"].includes(last.code ?? "")) {
    log.warn("the last apply failed: withdrawing at once, without the GRACEFUL_SHUTDOWN phase", { op: "stop" });
  } else {
    await engine.stop("graceful-shutdown");
    log.info(`announced with GRACEFUL_SHUTDOWN; withdrawing in ${m.supervisor.stopGraceMs} ms`, { op: "stop" });
    await new Promise((r) => setTimeout(r, m.supervisor.stopGraceMs));
  }
  let withdrawn = true;
  if (!(await engine.stop("withdraw")).ok) {
    log.error("withdrawal on stop failed; sweeping every service prefix at run time", { op: "stop" });
    const driver = engine.currentDriver();
    withdrawn = driver
      ? await driver.withdrawAllNow().then(
          () => true,
          (e: unknown) => (log.error(`sweep failed: ${(e as Error).message}`, { op: "stop" }), false),
        )
      : false;
  }
  if (withdrawn) log.info("every prefix withdrawn", { op: "stop" });
  else log.error("could not withdraw on stop; leaving it to the fail-closed guard", { op: "stop", code: "E_APPLY" });
  return withdrawn;
}

/**
 * A planned exit: the guard must not act — unless the withdrawal failed, when the guard (after
 * guard_grace, unless a new supervisor starts) is the last chance to fail closed.
 */
function releaseGuard(guard: ChildProcess | undefined, withdrawn: boolean): void {
  if (withdrawn && guard?.stdin?.writable) {
    guard.stdin.write("bye\n");
    guard.stdin.end();
  } else guard?.stdin?.destroy(); // EOF without "bye": the guard acts
}

/**
 * SIGTERM/SIGINT as a promise, with listeners that stay registered until dispose(). Not
 * process.once: execa (through signal-exit) adds its own SIGTERM listener while a child process
 * runs (vtysh, frr-reload.py, bird -p), and that listener re-raises the signal to kill the process
 * when it finds itself the only listener left — which it is once a `once` listener has removed
 * itself. A SIGTERM during any daemon command would kill the supervisor outright: no graceful
 * shutdown, no withdrawal, and the guard would see a crash.
 */
export function stopSignals(): { signal: Promise<string>; dispose(): void } {
  let resolve!: (s: string) => void;
  const signal = new Promise<string>((r) => (resolve = r));
  const onTerm = () => resolve("SIGTERM");
  const onInt = () => resolve("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  return {
    signal,
    dispose() {
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
    },
  };
}

