// Drain state: which services an operator drained, and since when. It lives in the state dir so
// it survives restarts; the maintenance drain file (touch to drain everything) is honoured too.
// A drained service is announced with GRACEFUL_SHUTDOWN for `drain_wait`, then withdrawn.
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import "../zod.js";
import { atomicWrite } from "../effects/fs.js";
import { SvcrouteError } from "../errors.js";

export const DrainFileSchema = z.strictObject({
  /** epoch ms when everything was drained, or null */
  all: z.number().nullable(),
  /** service → epoch ms when it was drained */
  services: z.record(z.string(), z.number()),
});
export type DrainState = z.infer<typeof DrainFileSchema>;

export const NO_DRAIN: DrainState = { all: null, services: {} };

export const drainStatePath = (stateDir: string) => join(stateDir, "drain.json");

export async function readDrainState(stateDir: string): Promise<DrainState> {
  let text: string;
  try {
    text = await fsp.readFile(drainStatePath(stateDir), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return NO_DRAIN;
    throw e;
  }
  const r = DrainFileSchema.safeParse(JSON.parse(text));
  if (!r.success) {
    throw new SvcrouteError("E_INTERNAL", `${drainStatePath(stateDir)} is malformed`, { hint: "remove it (`svcroute undrain --all` rewrites it)" });
  }
  return r.data;
}

export async function writeDrainState(stateDir: string, s: DrainState): Promise<void> {
  await fsp.mkdir(stateDir, { recursive: true, mode: 0o750 });
  await atomicWrite(drainStatePath(stateDir), `${JSON.stringify(s, null, 2)}\n`, { mode: 0o640 });
}

/** `target`: a service name, or "all" */
export function drain(s: DrainState, target: string, now: number): DrainState {
  if (target === "all") return { ...s, all: s.all ?? now };
  return { ...s, services: { ...s.services, [target]: s.services[target] ?? now } };
}

/** `target`: a service name, or "all" */
export function undrain(s: DrainState, target: string): DrainState {
  if (target === "all") return { all: null, services: {} };
  const { [target]: _gone, ...rest } = s.services;
  return { ...s, services: rest };
}

/**
 * Drain or undrain `target` (a service of `names`, or "all") in the persisted state: the one
 * way both the supervisor (asked over its socket) and a client without a supervisor change it.
 */
export async function changeDrain(stateDir: string, names: readonly string[], target: string, on: boolean, now: number): Promise<DrainState> {
  if (target !== "all" && !names.includes(target)) {
    throw new SvcrouteError("E_USAGE", `no service named "${target}" in the manifest`, { hint: `services: ${names.join(", ")}` });
  }
  const before = await readDrainState(stateDir);
  const after = on ? drain(before, target, now) : undrain(before, target);
  await writeDrainState(stateDir, after);
  return after;
}

export interface DrainPhase {
  /** drained services still announced with GRACEFUL_SHUTDOWN */
  shutting: string[];
  /** drained services whose wait is over: withdrawn */
  withdrawn: string[];
  /** when the next service moves from shutting to withdrawn (epoch ms), for a timer */
  nextChangeAt: number | undefined;
}

/** Where each drained service is in its drain, given the maintenance file and the wait. Pure. */
export function drainPhase(s: DrainState, names: string[], fileSince: number | undefined, waitMs: number, now: number): DrainPhase {
  const shutting: string[] = [];
  const withdrawn: string[] = [];
  let next: number | undefined;
  for (const n of names) {
    const starts = [s.all, s.services[n], fileSince].filter((x): x is number => typeof x === "number");
    if (starts.length === 0) continue;
    const since = Math.min(...starts);
    const due = since + waitMs;
    if (now >= due) withdrawn.push(n);
    else {
      shutting.push(n);
      next = next === undefined ? due : Math.min(next, due);
    }
  }
  return { shutting, withdrawn, nextChangeAt: next };
}
