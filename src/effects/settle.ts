// When files are whole, judged by the kernel: they are read only once nothing has written,
// renamed or removed them (nor changed a drop-in directory's entries) for STILLNESS_MS, by their
// ctime, which no writer can set. A file renamed into place, as Ansible and Puppet write, is whole
// at once: it is read as soon as that moment has passed, once. A writer that writes a few bytes
// at a time is not read half-way unless it pauses for longer than the moment.
import { setTimeout as sleep } from "node:timers/promises";
import { differences, survey, type Scope, type Snapshot } from "./rescan.js";

/** how long the watched files must have been left alone before they are read */
export const STILLNESS_MS = 100;

export interface Look {
  /** when the look ended, by the clock ctimes are compared with */
  at: number;
  snap: Snapshot;
  /** the newest ctime seen */
  newest: number;
}

export async function lookAt(scope: Scope, now: () => number = Date.now): Promise<Look> {
  const { snap, newest } = await survey(scope);
  return { at: now(), snap, newest };
}

/** the earliest look that saw what `l` sees */
export function earliest(prev: Look | undefined, l: Look): Look {
  return prev && differences(prev.snap, l.snap).length === 0 ? prev : l;
}

/**
 * How long to wait before what `l` saw has been still for `stillMs` (0: it has). A ctime ahead of
 * the clock (a clock stepped back, a network filesystem's own clock) says nothing: then it is
 * still once `since`, the earliest look that saw the same, is `stillMs` old.
 */
export function stillWait(l: Look, since: Look, stillMs: number): number {
  const age = l.at - l.newest;
  if (age >= stillMs) return 0;
  if (age >= 0) return Math.ceil(stillMs - age);
  return l.at - since.at >= stillMs ? 0 : stillMs;
}

/**
 * `read()` once the scope has been still for `stillMs`; read again if it changed during the read.
 * After `maxWaitMs` of a scope that never stops changing, what was read last is taken.
 */
export async function readWhenStill<T>(scope: Scope, read: () => Promise<T>, o: { stillMs?: number; maxWaitMs?: number; now?: () => number; onWait?: (ms: number) => void } = {}): Promise<T> {
  const stillMs = o.stillMs ?? STILLNESS_MS;
  const giveUp = performance.now() + (o.maxWaitMs ?? 20 * stillMs);
  let since: Look | undefined;
  for (;;) {
    const a = await lookAt(scope, o.now);
    since = earliest(since, a);
    const wait = stillWait(a, since, stillMs);
    const late = performance.now() >= giveUp;
    if (wait > 0 && !late) {
      o.onWait?.(wait);
      await sleep(wait);
      continue;
    }
    const r = await read();
    const b = await lookAt(scope, o.now);
    if (late || differences(a.snap, b.snap).length === 0) return r;
    since = b;
  }
}
