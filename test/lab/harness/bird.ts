// Running BIRD inside a namespace with its own control socket and pid file.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { nsArgv, run, runDaemonising } from "./exec.js";
import { LabError } from "./errors.js";
import { waitForPidFile } from "./frr.js";
import type { BirdPaths } from "./topology.js";

export const BIRD = "bird";
export const BIRDC = "birdc";

/** Starts BIRD (it forks into the background) and returns its pid. */
export async function startBird(ns: string, paths: BirdPaths): Promise<number> {
  const errLog = join(paths.dir, "start.err");
  // an absolute -c path: `birdc configure` re-reads exactly that file
  const [cmd, args] = nsArgv(ns, BIRD, ["-c", paths.configFile, "-s", paths.socket, "-P", paths.pidFile]);
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
  const r = await run(BIRDC, ["-s", paths.socket, ...command.split(/\s+/).filter(Boolean)], { timeoutMs });
  return r.stdout;
}

export function stripBanner(out: string): string {
  return out.replace(/^BIRD [^\n]* ready\.\n/, "");
}
