// Starting and stopping the routing daemons of one node, from the config file in its directory.
import { mkdirSync, writeFileSync } from "node:fs";
import { startBird } from "./bird.js";
import { frrPids, frrStartOrder, loadFrrConfig, prepareFrrDir, readPid, startFrrDaemons, type FrrDaemon } from "./frr.js";
import { cmdline, isAlive, signal } from "./procs.js";
import { renderTorConfig } from "./tor-config.js";
import type { BirdPaths, DaemonPaths, FrrPaths, HostPlan, TorPlan } from "./topology.js";
import { waitFor } from "./wait.js";

export interface StartedDaemon {
  what: string;
  pid: number;
}

export const HOST_FRR_DAEMONS: readonly FrrDaemon[] = ["zebra", "bgpd", "staticd", "bfdd"];
export const torDaemons = (tor: TorPlan): FrrDaemon[] => ["zebra", "bgpd", ...(tor.links.some((l) => l.bfd) ? (["bfdd"] as const) : [])];

/** A config that starts the daemon with nothing to announce, for hosts configured later. */
export function bareHostConfig(host: HostPlan, paths: DaemonPaths): string {
  if (paths.kind === "frr") {
    return [
      "frr defaults datacenter",
      `hostname ${host.name}`,
      `log file ${paths.logFile} informational`,
      "no ip forwarding",
      "no ipv6 forwarding",
      "!",
      "",
    ].join("\n");
  }
  return [`log "${paths.logFile}" all;`, `router id ${host.routerId};`, "protocol device {}", ""].join("\n");
}

/** Starts those of `daemons` not running (e.g. only bgpd after it was killed), then loads the config. */
async function startFrr(ns: string, paths: FrrPaths, daemons: readonly FrrDaemon[]): Promise<StartedDaemon[]> {
  prepareFrrDir(paths, ns);
  const running = livePids(paths);
  const pids = await startFrrDaemons(ns, paths, frrStartOrder(paths, daemons).filter((d) => !running.has(d)));
  await loadFrrConfig(paths);
  return [...pids].map(([what, pid]) => ({ what, pid }));
}

export async function startTor(tor: TorPlan, rewrite = true): Promise<StartedDaemon[]> {
  mkdirSync(tor.paths.dir, { recursive: true });
  if (rewrite) writeFileSync(tor.paths.configFile, renderTorConfig(tor));
  return startFrr(tor.ns, tor.paths, torDaemons(tor));
}

/** Writes `config` (when given) to the host's config file and starts its daemon on that file. */
export async function startHost(host: HostPlan, config?: string): Promise<StartedDaemon[]> {
  const paths = host.paths;
  if (!paths) return [];
  mkdirSync(paths.dir, { recursive: true });
  if (config !== undefined) writeFileSync(paths.configFile, config);
  if (paths.kind === "frr") return startFrr(host.ns, paths, HOST_FRR_DAEMONS);
  if (livePids(paths).size > 0) return [];
  return [{ what: "bird", pid: await startBird(host.ns, paths) }];
}

/**
 * The node's daemon pids that are alive right now, by daemon name. A pid file outlives a killed
 * daemon, and its pid may be handed to another process since (pid_max is 32768 here): the process
 * must also be that daemon.
 */
export function livePids(paths: DaemonPaths): Map<string, number> {
  const all: Map<string, number> = paths.kind === "frr" ? frrPids(paths) : pidOfBird(paths);
  return new Map([...all].filter(([d, pid]) => isAlive(pid) && (cmdline(pid).split(" ")[0] ?? "").endsWith(d)));
}

function pidOfBird(paths: BirdPaths): Map<string, number> {
  const pid = readPid(paths.pidFile);
  return new Map(pid === undefined ? [] : [["bird", pid]]);
}

/** Signals the node's daemons (all, or the named ones); for SIGTERM/SIGKILL waits until gone. */
export async function signalDaemons(paths: DaemonPaths, sig: NodeJS.Signals, only?: readonly string[]): Promise<number[]> {
  const targets = [...livePids(paths)].filter(([d]) => !only || only.includes(d)).map(([, pid]) => pid);
  for (const pid of targets) signal(pid, sig);
  if (sig === "SIGTERM" || sig === "SIGKILL") {
    // a stopped process only acts on SIGTERM once continued
    if (sig === "SIGTERM") for (const pid of targets) signal(pid, "SIGCONT");
    await waitFor(() => targets.filter(isAlive), { what: `pids ${targets.join(",")} to exit`, timeout: 10_000, until: (a) => a.length === 0 });
  }
  return targets;
}
