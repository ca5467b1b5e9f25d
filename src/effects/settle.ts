// When files are whole, judged by the kernel: a file is read only once nothing has written or
// renamed it for a moment, by its ctime, which no writer can set. A file renamed into place (a new
// inode, as Ansible and Puppet write) is whole at once: it is read as soon as STILLNESS_MS has
// passed, once. A file rewritten in place (the inode read last time) may be a shell's `>` that
// truncated it and has not written yet: it must be still for IN_PLACE_STILLNESS_MS. A removal is
// whole at once. A writer that pauses longer than that mid-file can still be read half-way.
import { setTimeout as sleep } from "node:timers/promises";
import { differences, survey, type Scope, type Snapshot } from "./rescan.js";

/** how long a file renamed into place (or new) must have been left alone before it is read */
export const STILLNESS_MS = 100;
/** how long a file rewritten in place must have been left alone before it is read */
export const IN_PLACE_STILLNESS_MS = 400;

export interface Look {
  /** when the look ended, by the clock ctimes are compared with */
  at: number;
  snap: Snapshot;
  /** each file's ctime */
  ctimes: Map<string, number>;
}

export interface Stillness {
  /** for a file renamed into place or new (default STILLNESS_MS) */
  renamedMs?: number;
  /** for a file rewritten in place (default IN_PLACE_STILLNESS_MS) */
  inPlaceMs?: number;
}

export async function lookAt(scope: Scope, now: () => number = Date.now): Promise<Look> {
  const { snap, ctimes } = await survey(scope);
  return { at: now(), snap, ctimes };
}

/** the earliest look that saw what `l` sees */
export function earliest(prev: Look | undefined, l: Look): Look {
  return prev && differences(prev.snap, l.snap).length === 0 ? prev : l;
}

const inode = (identity: string | undefined) => identity?.slice(0, identity.indexOf(":"));

/**
 * How long to wait before every file `l` saw has been still long enough (0: it has). `known`: the
 * files as they were when last read, which tells a rewrite in place (the same inode) from a file
 * renamed into place. A ctime ahead of the clock (a clock stepped back, a network filesystem's own
 * clock) says nothing: then the file is still once `since`, the earliest look that saw the same,
 * is old enough.
 */
export function stillWait(l: Look, since: Look, known: Snapshot | undefined, o: Stillness = {}): number {
  let wait = 0;
  for (const [p, ctime] of l.ctimes) {
    const was = inode(known?.get(p));
    const need = was !== undefined && was === inode(l.snap.get(p)) ? (o.inPlaceMs ?? IN_PLACE_STILLNESS_MS) : (o.renamedMs ?? STILLNESS_MS);
    const age = l.at - ctime;
    const left = age >= 0 ? need - age : need - (l.at - since.at);
    if (left > wait) wait = Math.ceil(left);
  }
  return wait;
}

/**
 * `read()` once the scope has been still long enough; read again if it changed during the read.
 * After `maxWaitMs` of a scope that never stops changing, what was read last is taken. Returns the
 * value and the files as they were read (the next call's `known`).
 */
export async function readWhenStill<T>(
  scope: Scope,
  read: () => Promise<T>,
  o: Stillness & { known?: Snapshot; maxWaitMs?: number; now?: () => number; onWait?: (ms: number) => void } = {},
): Promise<{ value: T; snap: Snapshot }> {
  const giveUp = performance.now() + (o.maxWaitMs ?? 20 * STILLNESS_MS);
  let since: Look | undefined;
  for (;;) {
    const a = await lookAt(scope, o.now);
    since = earliest(since, a);
    const wait = stillWait(a, since, o.known, o);
    const late = performance.now() >= giveUp;
    if (wait > 0 && !late) {
      o.onWait?.(wait);
      await sleep(wait);
      continue;
    }
    const value = await read();
    const b = await lookAt(scope, o.now);
    if (late || differences(a.snap, b.snap).length === 0) return { value, snap: a.snap };
    since = b;
  }
}
