// Ending a run: its processes (recorded pids and anything inside its namespaces), its namespaces
// and its directory. Synchronous, so it also works from a process 'exit' handler.
import { readFileSync, rmSync } from "node:fs";
import { DAEMON_SETS } from "./daemon-sets.js";
import { frrPathspaceDir } from "./frr.js";
import { runSync } from "./exec.js";
import { LAB_PREFIX } from "./naming.js";
import { cmdline, isAlive, listNetns, netnsInode, netnsOfPid, pidsInNetns, terminateSync } from "./procs.js";
import type { RunState } from "./state.js";

export interface TeardownReport {
  id: string;
  killed: number[];
  /** processes that survived SIGKILL (should never happen) */
  survivors: number[];
  namespaces: string[];
  errors: string[];
}

/** the run's namespaces: recorded ones plus any `svrl-<id>-*` (a crash may precede the record) */
function namespacesOf(state: RunState): string[] {
  const own = listNetns().filter((n) => n.startsWith(`${LAB_PREFIX}-${state.id}-`));
  return [...new Set([...state.namespaces, ...own])];
}

/** A recorded pid is still ours only if it lives in our namespaces or runs from our directory. */
function isOurs(pid: number, nsInodes: Set<number>, dir: string): boolean {
  if (!isAlive(pid)) return false;
  const ino = netnsOfPid(pid);
  return (ino !== undefined && nsInodes.has(ino)) || cmdline(pid).includes(dir);
}

/** mount points inside `dir`, deepest first (/proc/self/mounts escapes a space as \040) */
function mountsUnder(dir: string): string[] {
  let table: string;
  try {
    table = readFileSync("/proc/self/mounts", "utf8");
  } catch {
    return [];
  }
  const points = table.split("\n").map((l) => (l.split(" ")[1] ?? "").replace(/\\040/g, " "));
  return points.filter((m) => m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

export function teardownRunSync(state: RunState, opts: { keepDir?: boolean } = {}): TeardownReport {
  const namespaces = namespacesOf(state);
  const inodes = new Set(namespaces.map(netnsInode).filter((x): x is number => x !== undefined));
  const recorded = state.pids.map((p) => p.pid).filter((p) => isOurs(p, inodes, state.dir));
  const targets = [...new Set([...recorded, ...namespaces.flatMap(pidsInNetns)])];
  const survivors = terminateSync(targets);
  const errors: string[] = [];
  for (const ns of namespaces) {
    if (netnsInode(ns) === undefined) continue;
    const r = runSync("ip", ["netns", "del", ns], { allowFail: true });
    if (r.code !== 0) errors.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
  }
  // FRR 10 instances started from a root kept mgmtd's sockets in a directory per namespace there
  const roots = new Set(Object.values(DAEMON_SETS).flatMap((d) => [d.frr.root, d.bird.root]).filter((r): r is string => r !== null));
  for (const root of roots) for (const ns of namespaces) rmSync(frrPathspaceDir(root, ns), { recursive: true, force: true });
  if (!opts.keepDir) {
    // a mount a suite made in the run's directory (a tmpfs made full or read-only) and a run that
    // ended before its own cleanup: the directory cannot be removed while it is mounted
    for (const m of mountsUnder(state.dir)) {
      const r = runSync("umount", ["-l", m], { allowFail: true });
      if (r.code !== 0) errors.push(`umount -l ${m}: ${r.stderr.trim()}`);
    }
    rmSync(state.dir, { recursive: true, force: true });
  }
  return { id: state.id, killed: targets.filter((p) => !survivors.includes(p)), survivors, namespaces, errors };
}
