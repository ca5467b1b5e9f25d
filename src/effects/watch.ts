// File watching for the manifest, its drop-ins and the drain file (the only chokidar import).
// Directories are watched rather than files, so editors that save by rename, and files that do
// not exist yet, are seen (a watched directory created later is watched from then on); events are
// filtered and debounced into one callback.
import { watch } from "chokidar";
import { dirname, resolve } from "node:path";

export interface Watcher {
  close(): Promise<void>;
}

export function watchPaths(opts: { files: string[]; dirs: string[]; debounceMs: number; onChange: (path: string) => void; onError?: (e: unknown) => void }): Watcher {
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
    timer = setTimeout(() => opts.onChange(last), opts.debounceMs);
  });
  w.on("error", (e) => opts.onError?.(e));
  return {
    async close() {
      if (timer) clearTimeout(timer);
      await w.close();
    },
  };
}
