// File watching for the manifest, its drop-ins and the drain file (the only chokidar import).
// Directories are watched rather than files, so editors that save by rename, and files that do
// not exist yet, are seen (a watched directory created later is watched from then on); events are
// filtered and debounced into one callback. A rescan every `rescanMs` catches what the watch
// missed (rescan.ts).
import { watch } from "chokidar";
import { dirname, resolve } from "node:path";
import { startRescan } from "./rescan.js";

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
  onChange: (path: string, source: ChangeSource) => void;
  onError?: (e: unknown) => void;
}): Watcher {
  const files = new Set(opts.files.map((f) => resolve(f)));
  const dirs = new Set(opts.dirs.map((d) => resolve(d)));
  const targets = [...new Set([...[...files].map((f) => dirname(f)), ...dirs])];
  const w = watch(targets, {
    ignoreInitial: true,
    depth: 0,
    // a writer that writes in many small steps is seen only once the file has been still
    awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 50 },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = "";
  const relevant = (p: string) => {
    const abs = resolve(p);
    return files.has(abs) || dirs.has(dirname(abs)) || dirs.has(abs);
  };
  w.on("all", (event, p) => {
    if (!relevant(p)) return;
    // A watched directory that did not exist at start (services.d made later by config
    // management) is seen only as its parent's new entry: watch it from now on, or files added to
    // or removed from it later would go unnoticed.
    if (event === "addDir" && dirs.has(resolve(p))) w.add(resolve(p));
    last = p;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      rescan?.seen();
      opts.onChange(last, "watch");
    }, opts.debounceMs);
  });
  w.on("error", (e) => opts.onError?.(e));
  const rescan = opts.rescanMs > 0 ? startRescan({ files: [...files], dirs: [...dirs], everyMs: opts.rescanMs, onChange: (p) => opts.onChange(p, "rescan") }) : undefined;
  return {
    async close() {
      if (timer) clearTimeout(timer);
      rescan?.stop();
      await w.close();
    },
  };
}
