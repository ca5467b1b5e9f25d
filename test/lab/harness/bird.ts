// Running BIRD inside a namespace with its own control socket and pid file.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { inRoot } from "./daemon-sets.js";
import { nsArgv, run, runDaemonising } from "./exec.js";
import { LabError } from "./errors.js";
import { waitForPidFile } from "./frr.js";
import { ensureRoot } from "./roots.js";
import type { BirdPaths } from "./topology.js";

export const BIRD = "bird";
export const BIRDC = "birdc";
/** what a BIRD build needs inside its root */
export const BIRD_ROOT_PROGRAMS = ["usr/sbin/bird", "usr/sbin/birdc"];

/** Starts BIRD (it forks into the background) and returns its pid. */
export async function startBird(ns: string, paths: BirdPaths): Promise<number> {
  const errLog = join(paths.dir, "start.err");
  if (paths.root !== null) ensureRoot(paths.root, BIRD_ROOT_PROGRAMS);
  // an absolute -c path: `birdc configure` re-reads exactly that file
  const [cmd, args] = nsArgv(ns, ...inRoot(paths.root, paths.root === null ? BIRD : "/usr/sbin/bird", ["-c", paths.configFile, "-s", paths.socket, "-P", paths.pidFile]));
  // a stale pid file (after a kill) must not be mistaken for the new daemon's
  rmSync(paths.pidFile, { force: true });
  const code = await runDaemonising(cmd, args, errLog);
  // the background child writes the pid file and opens the socket after the parent has exited
  const pid = code !== 0 ? undefined : await waitForPidFile(paths.pidFile, [paths.socket]);
  if (pid === undefined) {
    let details = "";
    try {
      details = readFileSync(errLog, "utf8").trim().split("\n").slice(-15).join("\n");
    } catch {
      // no output at all
    }
    throw new LabError(`bird did not start in ${ns} (exit ${code})`, { details });
  }
  return pid;
}

/** One birdc command, its output as printed (birdc exits 0 even when BIRD rejects something). */
export async function birdc(paths: BirdPaths, command: string, timeoutMs = 10_000): Promise<string> {
  const r = await run(...inRoot(paths.root, paths.root === null ? BIRDC : "/usr/sbin/birdc", ["-s", paths.socket, ...command.split(/\s+/).filter(Boolean)]), { timeoutMs });
  return r.stdout;
}

export function stripBanner(out: string): string {
  return out.replace(/^BIRD [^\n]* ready\.\n/, "");
}
