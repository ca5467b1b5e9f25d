// A run's record on disk (/tmp/svrl/<id>/state.json): who owns it, which namespaces and pids it
// made. `lab down` reads it to clean up after a crashed run.
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRunId, newRunId, runDir, STATE_ROOT } from "./naming.js";
import { isAlive, startTime } from "./procs.js";

export interface RecordedPid {
  pid: number;
  node: string;
  what: string;
}

export interface RunState {
  id: string;
  /** the process that created the run; a run whose owner is gone is a leftover */
  ownerPid: number;
  /** the owner's start time (see procs.startTime), so a reused pid is not taken for the owner */
  ownerStart: number | undefined;
  createdAt: string;
  dir: string;
  namespaces: string[];
  pids: RecordedPid[];
}

const stateFile = (dir: string): string => join(dir, "state.json");

/** Makes a fresh run directory; mkdir without `recursive` fails on a taken id, so ids never clash. */
export function claimRun(): RunState {
  mkdirSync(STATE_ROOT, { recursive: true });
  // FRR runs as user frr: every parent of its directories must be traversable
  chmodSync(STATE_ROOT, 0o755);
  for (;;) {
    const id = newRunId();
    const dir = runDir(id);
    try {
      mkdirSync(dir, { mode: 0o755 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw e;
    }
    chmodSync(dir, 0o755);
    const state: RunState = { id, ownerPid: process.pid, ownerStart: startTime(process.pid), createdAt: new Date().toISOString(), dir, namespaces: [], pids: [] };
    saveState(state);
    return state;
  }
}

export function saveState(state: RunState): void {
  const file = stateFile(state.dir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + "\n");
  renameSync(`${file}.tmp`, file);
}

export function loadState(id: string): RunState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(runDir(id)), "utf8")) as RunState;
  } catch {
    return undefined;
  }
}

export function listRunIds(): string[] {
  try {
    return readdirSync(STATE_ROOT).filter(isRunId);
  } catch {
    return [];
  }
}

/** a run whose owner still lives is somebody's live lab, not a leftover */
export function ownerAlive(state: RunState): boolean {
  return isAlive(state.ownerPid) && startTime(state.ownerPid) === state.ownerStart;
}

/** what is known of a run without a readable state file */
export function orphanState(id: string): RunState {
  return { id, ownerPid: 0, ownerStart: undefined, createdAt: "", dir: runDir(id), namespaces: [], pids: [] };
}
