// Running FRR daemons inside a namespace with their own sockets, pid files and logs (no systemd),
// from this machine's FRR or from a Debian 13 root (chroot; see daemon-sets.ts).
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { frrHasMgmtd, inRoot, userIn } from "./daemon-sets.js";
import { nsArgv, run, runDaemonising } from "./exec.js";
import { LabError } from "./errors.js";
import { isAlive } from "./procs.js";
import { ensureRoot } from "./roots.js";
import type { FrrPaths } from "./topology.js";
import { waitFor } from "./wait.js";

export const FRR_LIBEXEC = "/usr/lib/frr";
export const VTYSH = "vtysh";
export type FrrDaemon = "mgmtd" | "zebra" | "bgpd" | "staticd" | "bfdd";

/** what an FRR build needs inside its root */
export const FRR_ROOT_PROGRAMS = ["usr/lib/frr/zebra", "usr/lib/frr/bgpd", "usr/lib/frr/staticd", "usr/lib/frr/bfdd", "usr/bin/vtysh", "usr/lib/frr/frr-reload.py"];

function frrOwner(root: string | null): { uid: number; gid: number } {
  const ids = userIn(root, "frr");
  if (!ids) throw new LabError(`user frr does not exist${root ? ` in ${root}` : ""}`, { hint: root ? "npm run setup rebuilds the roots" : "apt-get install -y frr frr-pythontools" });
  return ids;
}

/** `daemons` in start order for this build: FRR 10 configures through mgmtd, which must come first */
export function frrStartOrder(paths: FrrPaths, daemons: readonly FrrDaemon[]): FrrDaemon[] {
  const want = new Set(daemons);
  if (frrHasMgmtd(paths.root) && want.has("zebra")) want.add("mgmtd");
  return (["mgmtd", "zebra", "bgpd", "staticd", "bfdd"] as const).filter((d) => want.has(d));
}

/**
 * The directory FRR 10 keeps mgmtd's sockets in for a namespace's instance (-N NS): inside the
 * root, per namespace, so instances never share them.
 */
export const frrPathspaceDir = (root: string, ns: string): string => join(root, "run/frr", ns);

/** Daemons run as user frr (the root's own, when from a root): the tree must belong to it. */
export function prepareFrrDir(paths: FrrPaths, ns: string): void {
  if (paths.root !== null) ensureRoot(paths.root, FRR_ROOT_PROGRAMS);
  mkdirSync(paths.socket, { recursive: true, mode: 0o755 });
  writeFileSync(join(paths.dir, "vtysh.conf"), "service integrated-vtysh-config\n");
  const { uid, gid } = frrOwner(paths.root);
  const own = [paths.dir, paths.socket, join(paths.dir, "vtysh.conf")];
  if (paths.root !== null) {
    const ps = frrPathspaceDir(paths.root, ns);
    mkdirSync(ps, { recursive: true, mode: 0o755 });
    own.push(ps);
  }
  for (const p of own) chownSync(p, uid, gid);
}

export function pidFile(paths: FrrPaths, d: FrrDaemon): string {
  return join(paths.socket, `${d}.pid`);
}

function startArgs(ns: string, paths: FrrPaths, d: FrrDaemon): string[] {
  const args = ["-d", "-F", "datacenter", "--vty_socket", paths.socket, "-z", join(paths.socket, "zserv.api")];
  // FRR 10's mgmtd and staticd read no file (mgmtd hands them their config); from a root, the
  // namespace is the pathspace of mgmtd's sockets (this machine's FRR 8.4 has no mgmtd)
  if (paths.root !== null) args.push("-N", ns);
  args.push("-i", pidFile(paths, d), ...(d === "mgmtd" || (d === "staticd" && frrHasMgmtd(paths.root)) ? [] : ["-f", "/dev/null"]));
  args.push("-P", "0", "--log", `file:${join(paths.dir, `${d}.log`)}`);
  // FRR 10 dropped --bfdctl: there bfdd's control socket lives in the pathspace (-N) of the instance
  if (d === "bfdd" && paths.root === null) args.push("--bfdctl", join(paths.socket, "bfdd.sock"));
  return args;
}

/** Starts the daemons in order (zebra first: the others connect to it); returns their pids. */
export async function startFrrDaemons(ns: string, paths: FrrPaths, daemons: readonly FrrDaemon[]): Promise<Map<FrrDaemon, number>> {
  const pids = new Map<FrrDaemon, number>();
  const errLog = join(paths.dir, "start.err");
  for (const d of daemons) {
    const [cmd, args] = nsArgv(ns, ...inRoot(paths.root, join(FRR_LIBEXEC, d), startArgs(ns, paths, d)));
    // a stale pid file (after a kill) must not be mistaken for the new daemon's
    rmSync(pidFile(paths, d), { force: true });
    const code = await runDaemonising(cmd, args, errLog);
    const pid = code !== 0 ? undefined : await waitForPidFile(pidFile(paths, d), []);
    if (code !== 0 || pid === undefined) {
      throw new LabError(`${d} did not start in ${ns} (exit ${code})`, { details: tail(errLog) });
    }
    pids.set(d, pid);
  }
  return pids;
}

/** Loads the integrated config into the running daemons. */
export async function loadFrrConfig(paths: FrrPaths): Promise<void> {
  const r = await run(...inRoot(paths.root, VTYSH, ["--vty_socket", paths.socket, "--config_dir", paths.dir, "-f", paths.configFile]), {
    allowFail: true,
  });
  if (r.code !== 0) {
    const out = (r.stdout + r.stderr).trim();
    // bgpd restarted under a running supervisor: svcroute's own re-apply (frr-reload) may reach
    // bgpd first, and bgpd then refuses the graceful-restart mode line of this boot-time load
    // ("not valid at this moment") while taking the rest; the supervisor's apply sets it anyway
    const errors = out.split("\n").filter((l) => /^(%|line \d+:)/.test(l.trim()));
    if (errors.length > 0 && errors.every((l) => /Graceful Restart command used is not valid|line \d+: Failure to communicate\[13\] to bgpd, line:\s+bgp graceful-restart/.test(l))) {
      console.warn(`vtysh -f ${paths.configFile}: bgpd refused the graceful-restart line while being configured concurrently:\n${out}`);
      return;
    }
    throw new LabError(`vtysh rejected ${paths.configFile} (exit ${r.code})`, { details: out });
  }
}

export async function vtysh(paths: FrrPaths, commands: readonly string[], timeoutMs = 10_000): Promise<string> {
  const args = ["--vty_socket", paths.socket];
  for (const c of commands) args.push("-c", c);
  return (await run(...inRoot(paths.root, VTYSH, args), { timeoutMs })).stdout;
}

export async function vtyshJson<T = unknown>(paths: FrrPaths, command: string): Promise<T> {
  const out = await vtysh(paths, [command]);
  try {
    return JSON.parse(out) as T;
  } catch (e) {
    throw new LabError(`vtysh "${command}" did not print JSON`, { details: out.slice(0, 2000), cause: e });
  }
}

export function frrPids(paths: FrrPaths): Map<FrrDaemon, number> {
  const pids = new Map<FrrDaemon, number>();
  if (!existsSync(paths.socket)) return pids;
  for (const f of readdirSync(paths.socket)) {
    const m = /^(mgmtd|zebra|bgpd|staticd|bfdd)\.pid$/.exec(f);
    const pid = m ? readPid(join(paths.socket, f)) : undefined;
    if (m && pid !== undefined) pids.set(m[1] as FrrDaemon, pid);
  }
  return pids;
}

export function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The pid in `file` once it (and every path in `also`) exists and the process lives; undefined after 5 s. */
export async function waitForPidFile(file: string, also: readonly string[]): Promise<number | undefined> {
  try {
    const { value } = await waitFor(() => (also.every((p) => existsSync(p)) ? readPid(file) : undefined), {
      what: `pid file ${file}`,
      timeout: 5000,
      interval: 10,
      until: (pid) => pid !== undefined && isAlive(pid),
    });
    return value;
  } catch {
    return undefined;
  }
}

function tail(file: string): string {
  try {
    return statSync(file).size > 0 ? readFileSync(file, "utf8").split("\n").slice(-15).join("\n") : "";
  } catch {
    return "";
  }
}
