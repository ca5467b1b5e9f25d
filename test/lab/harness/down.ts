// `lab down`: remove what crashed or detached runs left behind, found by the harness's prefix.
import { runIdOfNs } from "./naming.js";
import { listNetns } from "./procs.js";
import { listRunIds, loadState, orphanState, ownerAlive, type RunState } from "./state.js";
import { teardownRunSync, type TeardownReport } from "./teardown.js";

export interface DownOptions {
  /** also runs whose owner process is still alive */
  all?: boolean;
  /** only these run ids (owner alive or not) */
  ids?: string[];
}

export interface RunSummary {
  id: string;
  ownerPid: number;
  ownerAlive: boolean;
  createdAt: string;
  namespaces: string[];
}

/** Every run known by a state directory or by a namespace named svrl-<id>-*. */
function knownRuns(): RunState[] {
  const byId = new Map<string, RunState>();
  for (const id of listRunIds()) byId.set(id, loadState(id) ?? orphanState(id));
  for (const ns of listNetns()) {
    const id = runIdOfNs(ns);
    if (id !== undefined && !byId.has(id)) byId.set(id, orphanState(id));
  }
  return [...byId.values()];
}

export function listRuns(): RunSummary[] {
  const live = new Set(listNetns());
  return knownRuns().map((s) => ({
    id: s.id,
    ownerPid: s.ownerPid,
    ownerAlive: ownerAlive(s),
    createdAt: s.createdAt,
    namespaces: [...new Set([...s.namespaces, ...[...live].filter((n) => runIdOfNs(n) === s.id)])].filter((n) => live.has(n)),
  }));
}

export function labDown(opts: DownOptions = {}): TeardownReport[] {
  const chosen = knownRuns().filter((s) => (opts.ids ? opts.ids.includes(s.id) : opts.all || !ownerAlive(s)));
  return chosen.map((s) => teardownRunSync(s));
}
