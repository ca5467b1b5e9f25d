// The file watch's safety net: the watched files, directories and the directories' entries are
// looked at every few seconds (identity, size, mtime, ctime), and what differs from what was last
// reported (or from what the watch reported) is reported, once it has stayed as it is for a whole
// period. inotify-based watching can miss an event — a file written into a directory between the
// watcher's scan of it and its watch being set up, a queue overflow — and a missed removal would
// leave a drop-in's services announced for good.
import { promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";

export type Snapshot = Map<string, string>;

/** what a snapshot covers: files, and directories with their entries (`entries` filters the entries' names) */
export interface Scope {
  files: readonly string[];
  dirs: readonly string[];
  entries?: RegExp;
}

/** each existing file's, directory's and directory entry's identity; absent paths are left out */
export async function snapshot(scope: Scope): Promise<Snapshot> {
  return (await survey(scope)).snap;
}

/** the snapshot, and each file's ctime (ms since the epoch; directories' are left out) */
export async function survey(scope: Scope): Promise<{ snap: Snapshot; ctimes: Map<string, number> }> {
  const out: Snapshot = new Map();
  const ctimes = new Map<string, number>();
  const look = async (p: string) => {
    try {
      const s = await fsp.stat(p);
      if (!s.isDirectory()) ctimes.set(p, s.ctimeMs);
      // a directory by who may change it (its entries are looked at one by one); a file also by
      // its content's size and time, and its ctime (a chmod or chown changes the loader's trust check)
      out.set(p, s.isDirectory() ? `d:${s.ino}:${s.mode}:${s.uid}:${s.gid}` : `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`);
    } catch {
      // absent (or unreadable): its absence is what is compared
    }
  };
  const names = await Promise.all(scope.dirs.map((d) => fsp.readdir(d).then((ns) => ns.filter((n) => inScope(scope, n)).map((n) => join(d, n)), () => [] as string[])));
  // one stat at a time per directory keeps a directory of thousands from queueing them all at once
  await Promise.all([Promise.all([...scope.files, ...scope.dirs].map(look)), ...names.map(async (ps) => { for (const p of ps) await look(p); })]);
  return { snap: out, ctimes };
}

/** hidden entries (editors' and atomic writers' temporaries) are never loaded, so never compared */
function inScope(scope: Scope, name: string): boolean {
  return !name.startsWith(".") && (scope.entries?.test(name) ?? true);
}

function covers(scope: Scope, p: string): boolean {
  return scope.files.includes(p) || scope.dirs.includes(p) || (scope.dirs.includes(dirname(p)) && inScope(scope, basename(p)));
}

/** the paths that differ between two snapshots (added, removed or changed), sorted */
export function differences(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  for (const [p, v] of b) if (a.get(p) !== v) out.push(p);
  for (const p of a.keys()) if (!b.has(p)) out.push(p);
  return out.sort();
}

function absorb(base: Snapshot, now: Snapshot, paths: readonly string[]): void {
  for (const p of paths) {
    const v = now.get(p);
    if (v === undefined) base.delete(p);
    else base.set(p, v);
  }
}

export interface Rescan {
  /** the watch is about to report these paths: as they are now, they are the baseline (resolves once taken) */
  seen(paths: readonly string[]): Promise<void>;
  stop(): void;
}

export interface RescanOptions extends Scope {
  everyMs: number;
  onChange: (paths: string[]) => void;
  onError?: (e: unknown) => void;
  /** what the caller read before the rescan started (its own scope): the first baseline for those paths */
  initial?: { scope: Scope; snapshot: Snapshot };
}

/**
 * Every `everyMs`, report the paths that differ from the baseline (the last report or `seen()`)
 * and have not changed since the previous look, at least half a period before: a file still being
 * written is not taken half-written, and a change the watch is about to report (it waits for a
 * file to be still) is the watch's to report.
 */
export function startRescan(opts: RescanOptions): Rescan {
  let base: Snapshot | undefined;
  let prev: { at: number; snap: Snapshot } | undefined;
  let stopped = false;
  // one look at a time, in order, so a stale baseline never overwrites a newer one
  let chain: Promise<void> = Promise.resolve();
  /** a periodic look (seenPaths undefined), or the watch's report of these paths */
  const look = (seenPaths?: readonly string[]): Promise<void> => {
    chain = chain
      .then(async () => {
        const at = performance.now();
        const now = await snapshot(opts);
        const before = prev;
        prev = { at, snap: now };
        if (base === undefined) {
          base = new Map(now);
          const initial = opts.initial;
          if (initial) {
            for (const p of [...base.keys()]) if (covers(initial.scope, p)) base.delete(p);
            for (const [p, v] of initial.snapshot) if (covers(opts, p)) base.set(p, v);
          }
          return;
        }
        if (seenPaths) {
          // what the watch reported (a directory with its entries) is taken as it is now; what it
          // did not report stays a difference, for the rescan to report
          const taken = differences(base, now).filter((p) => seenPaths.some((s) => s === p || s === dirname(p)));
          absorb(base, now, taken);
          return;
        }
        const settled = before !== undefined && at - before.at >= opts.everyMs / 2;
        const changed = differences(base, now).filter((p) => settled && before.snap.get(p) === now.get(p));
        if (!changed.length) return;
        absorb(base, now, changed);
        if (!stopped) opts.onChange(changed);
      })
      .catch((e: unknown) => opts.onError?.(e));
    return chain;
  };
  void look();
  const timer = setInterval(() => void look(), opts.everyMs);
  return {
    seen: (paths) => look(paths),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
