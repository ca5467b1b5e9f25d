// Facts about processes from /proc, and ending them by pid, never by name.
import { readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { runSync } from "./exec.js";

/** true while the process exists and is not a zombie (PID 1 here may never reap orphans) */
export function isAlive(pid: number): boolean {
  // A killed multi-threaded process (BIRD 2 runs BFD in a thread) shows its leader as a zombie
  // while its other threads still exit, holding its sockets: alive until every thread is gone.
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  });
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/** the inode of a named network namespace, or undefined when it does not exist */
export function netnsInode(ns: string): number | undefined {
  try {
    return statSync(`/run/netns/${ns}`).ino;
  } catch {
    return undefined;
  }
}

export function netnsOfPid(pid: number): number | undefined {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** every process inside the namespace (what `ip netns pids` reports) */
export function pidsInNetns(ns: string): number[] {
  if (netnsInode(ns) === undefined) return [];
  const r = runSync("ip", ["netns", "pids", ns], { allowFail: true });
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1);
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** blocks the thread for `ms`; only for teardown, which must also work inside an exit handler */
function blockFor(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Polls until every pid is gone or `timeoutMs` passes; returns those still alive. */
export function waitGoneSync(pids: readonly number[], timeoutMs: number): number[] {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    blockFor(10);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** SIGTERM (plus SIGCONT, so stopped ones can act on it), then SIGKILL what is left. */
export function terminateSync(pids: readonly number[], graceMs = 3000): number[] {
  const targets = [...new Set(pids)].filter(isAlive);
  for (const p of targets) signal(p, "SIGTERM");
  for (const p of targets) signal(p, "SIGCONT");
  const stubborn = waitGoneSync(targets, graceMs);
  for (const p of stubborn) signal(p, "SIGKILL");
  return waitGoneSync(stubborn, 2000);
}

/** names of all named network namespaces (what `ip netns list` shows) */
export function listNetns(): string[] {
  try {
    return readdirSync("/run/netns");
  } catch {
    return [];
  }
}

/** the process's start time in clock ticks since boot: with the pid it names a process uniquely */
export function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const t = Number(fields[19]);
    return Number.isFinite(t) ? t : undefined;
  } catch {
    return undefined;
  }
}
