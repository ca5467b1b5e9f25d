// The file watch's safety net: the watched files and directories' entries are looked at every few
// seconds (identity, size, mtime), and a difference from the last look is reported as a change.
// inotify-based watching can miss an event — a file written into a directory between the watcher's
// scan of it and its watch being set up, a queue overflow — and a missed removal would leave a
// drop-in's services announced for good.
import { promises as fsp } from "node:fs";
import { join } from "node:path";

export type Snapshot = Map<string, string>;

/** each existing file's, and each directory entry's, identity; absent paths are left out */
export async function snapshot(files: readonly string[], dirs: readonly string[]): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const look = async (p: string) => {
    try {
      const s = await fsp.stat(p);
      out.set(p, `${s.ino}:${s.size}:${s.mtimeMs}`);
    } catch {
      // absent (or unreadable): its absence is what is compared
    }
  };
  // hidden entries (editors' and atomic writers' temporaries) are never loaded, so never compared
  const entries = await Promise.all(dirs.map((d) => fsp.readdir(d).then((names) => names.filter((n) => !n.startsWith(".")).map((n) => join(d, n)), () => [] as string[])));
  await Promise.all([...files, ...entries.flat()].map(look));
  return out;
}

/** a path that differs between two snapshots (added, removed or changed), in sorted order */
export function firstDifference(a: Snapshot, b: Snapshot): string | undefined {
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.find((p) => a.get(p) !== b.get(p));
}

export interface Rescan {
  /** the watch has reported a change: what is there now is the new baseline */
  seen(): void;
  stop(): void;
}

/**
 * Every `everyMs`, report a path that differs from what the last report or `seen()` saw, once the
 * paths have stayed as they are for a whole period: a file still being written is not taken
 * half-written, and a change the watch is about to report (it waits for a file to be still) is the
 * watch's to report.
 */
export function startRescan(opts: { files: string[]; dirs: string[]; everyMs: number; onChange: (path: string) => void }): Rescan {
  // base: what the last report or seen() saw; prev: the previous look
  let base: Snapshot | undefined;
  let prev: Snapshot | undefined;
  let stopped = false;
  // one look at a time, in order, so a stale baseline never overwrites a newer one
  let chain: Promise<void> = Promise.resolve();
  const look = (report: boolean) => {
    chain = chain.then(async () => {
      const now = await snapshot(opts.files, opts.dirs);
      const still = prev !== undefined && firstDifference(prev, now) === undefined;
      prev = now;
      const changed = report && base ? firstDifference(base, now) : undefined;
      if (!report || base === undefined) base = now;
      if (changed === undefined || !still) return;
      base = now;
      if (!stopped) opts.onChange(changed);
    });
  };
  look(false);
  const timer = setInterval(() => look(true), opts.everyMs);
  return {
    seen: () => look(false),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
