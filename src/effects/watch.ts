// File watching for the manifest, its drop-ins and the drain file (the only chokidar import).
// Directories are watched rather than files, so editors that save by rename, and files that do
// not exist yet, are seen (a watched directory created later is watched from then on); events are
// filtered and debounced into one callback with every path they named, once those paths have
// been still (settle.ts). A rescan every `rescanMs` catches what the watch missed (rescan.ts).
import { watch } from "chokidar";
import { dirname, resolve } from "node:path";
import { startRescan, type Scope, type Snapshot } from "./rescan.js";
import { earliest, lookAt, STILLNESS_MS, stillWait, type Look, type Stillness } from "./settle.js";

export interface Watcher {
  close(): Promise<void>;
}

export type ChangeSource = "watch" | "rescan";

export function watchPaths(opts: {
  files: string[];
  dirs: string[];
  debounceMs: number;
  /** how often the paths are looked at for a change the watch missed (0: never) */
  rescanMs: number;
  /** the directories' entries that matter (default: all but hidden ones) */
  entries?: RegExp;
  /** what the caller read before watching began: a change made meanwhile is reported too */
  initial?: { scope: Scope; snapshot: Snapshot };
  onChange: (paths: string[], source: ChangeSource) => void;
  /** how long a changed file must be still before it is reported (settle.ts's defaults) */
  stillness?: Stillness;
  onError?: (e: unknown) => void;
}): Watcher {
  const files = new Set(opts.files.map((f) => resolve(f)));
  const dirs = new Set(opts.dirs.map((d) => resolve(d)));
  const targets = [...new Set([...[...files].map((f) => dirname(f)), ...dirs])];
  const w = watch(targets, { ignoreInitial: true, depth: 0 });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const pending = new Set<string>();
  let since: Look | undefined;
  /** when the changes now pending began to wait for stillness */
  let waitingSince: number | undefined;
  /** each path as last reported (a rewrite in place keeps its inode) */
  const known = new Map(opts.initial?.snapshot);
  /** events seen so far: one during a look means its path is not yet known to be still */
  let events = 0;
  const relevant = (p: string) => {
    const abs = resolve(p);
    return files.has(abs) || dirs.has(dirname(abs)) || dirs.has(abs);
  };
  const rescan =
    opts.rescanMs > 0
      ? startRescan({ files: [...files], dirs: [...dirs], entries: opts.entries, initial: opts.initial, everyMs: opts.rescanMs, onChange: (ps) => opts.onChange(ps, "rescan"), onError: opts.onError })
      : undefined;
  const report = async () => {
    const paths = [...pending].sort();
    pending.clear();
    // the rescan's baseline is taken before the caller reads the files, so a change made after it
    // is either read now or reported by the rescan
    await rescan?.seen(paths);
    if (!closed) opts.onChange(paths, "watch");
  };
  // a writer that writes in many small steps is reported only once its file has been still
  const fire = async () => {
    timer = undefined;
    const n = events;
    const l = await lookAt({ files: [...pending], dirs: [] });
    // an event meanwhile has set the timer again
    if (closed || events !== n) return;
    since = earliest(since, l);
    waitingSince ??= performance.now();
    const wait = stillWait(l, since, known, opts.stillness);
    // a file that never stops changing is reported all the same, as the loader then reads it
    if (wait > 0 && performance.now() - waitingSince < 20 * STILLNESS_MS) {
      timer = setTimeout(() => void fire().catch((e: unknown) => opts.onError?.(e)), wait);
      return;
    }
    since = undefined;
    waitingSince = undefined;
    for (const p of pending) {
      const v = l.snap.get(p);
      if (v === undefined) known.delete(p);
      else known.set(p, v);
    }
    await report();
  };
  w.on("all", (event, p) => {
    if (closed || !relevant(p)) return;
    // A watched directory that did not exist at start (services.d made later by config
    // management) is seen only as its parent's new entry: watch it from now on, or files added to
    // or removed from it later would go unnoticed.
    if (event === "addDir" && dirs.has(resolve(p))) w.add(resolve(p));
    pending.add(resolve(p));
    events++;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void fire().catch((e: unknown) => opts.onError?.(e)), opts.debounceMs);
  });
  w.on("error", (e) => opts.onError?.(e));
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      rescan?.stop();
      await w.close();
    },
  };
}
