// The manifest, its drop-ins and the drain file as `svcroute run` watches them: loaded once still,
// watched (with a periodic rescan for what the file watch misses), and the watch made again when
// a reloaded manifest names another drain file.
import { dirname, join, resolve } from "node:path";
import { snapshot, type Scope, type Snapshot } from "../effects/rescan.js";
import { readWhenStill } from "../effects/settle.js";
import { watchPaths, type ChangeSource, type Watcher } from "../effects/watch.js";
import { loadManifest, type LoadResult } from "../manifest/load.js";
import { DROP_IN_DIR, DROP_IN_NAME } from "../manifest/read.js";
import type { Logger } from "./log.js";
import type { Trigger } from "./loop.js";

/** where the manifest is: its path and drop-in directory (default: services.d beside it; null: none) */
export interface ManifestPlace {
  manifestPath: string;
  dropInDir?: string | null;
}

/** how often the manifest, its drop-ins and the drain file are looked at for a change the file watch missed */
export const FILE_RESCAN_MS = 2000;
/**
 * Loads the manifest once it and its drop-ins have been still a moment: a file still being written
 * is not taken half-written. Each load knows the files as the one before read them, which tells a
 * rewrite in place (the same inode) from a file renamed into place (settle.ts).
 */
export function stableLoader(o: ManifestPlace, log: Logger): () => Promise<LoadResult> {
  const opts = o.dropInDir === undefined ? {} : { dropInDir: o.dropInDir };
  let lastRead: Snapshot | undefined;
  return async () => {
    const r = await readWhenStill(manifestScope(o), () => loadManifest(o.manifestPath, opts), {
      known: lastRead,
      onWait: () => log.debug("manifest still changing; waiting for it to settle", { op: "manifest" }),
    });
    lastRead = r.snap;
    return r.value;
  };
}

/** the manifest and its drop-in directory: what the first load reads, and the rescan's first baseline */
export function manifestScope(o: ManifestPlace): Scope {
  return { files: [resolve(o.manifestPath)], dirs: o.dropInDir === null ? [] : [resolve(o.dropInDir ?? join(dirname(o.manifestPath), DROP_IN_DIR))], entries: DROP_IN_NAME };
}

/** the manifest, its drop-in directory (also when created later) and the drain file; `before`: what they were before the first load */
export function watchManifest(o: ManifestPlace & { log: Logger }, drainFile: string | undefined, before: Snapshot, trigger: (t: Trigger) => void): Watcher {
  const scope = manifestScope(o);
  return watchPaths({
    files: [...scope.files, ...(drainFile ? [drainFile] : [])],
    dirs: [...scope.dirs],
    entries: scope.entries,
    initial: { scope, snapshot: before },
    debounceMs: 100,
    rescanMs: FILE_RESCAN_MS,
    onChange: onFilesChanged(o.log, drainFile, trigger),
    onError: (e) => o.log.warn(`file watch: ${(e as Error).message}`, { op: "manifest" }),
  });
}

/**
 * What a reported change of the watched files sets off: a log line naming the files (a warning when
 * the rescan found it: the file watch missed it), then a reconcile.
 */
export function onFilesChanged(log: Logger, drainFile: string | undefined, trigger: (t: Trigger) => void): (paths: string[], source: ChangeSource) => void {
  return (paths, source) => {
    if (source === "watch") log.info(`file change seen: ${paths.join(", ")}`, { op: "manifest" });
    else log.warn(`file change found by the rescan (the file watch missed it): ${paths.join(", ")}`, { op: "manifest" });
    // the drain state is read by every reconcile; anything else means the manifest is read again
    if (paths.some((p) => p !== drainFile)) trigger("manifest");
    else trigger("drain");
  };
}

/**
 * A reloaded manifest that names another drain file (or the first valid one, after a start on an
 * invalid manifest): the watch is made again with it, then the manifest is read once more, so a
 * change made while the watch was being replaced is not lost.
 */
export function followDrainFile(
  o: ManifestPlace & { log: Logger },
  /** the drain file the manifest in force names */
  named: () => string | undefined,
  trigger: (t: Trigger) => void,
  open: { watcher?: Watcher; closed?: boolean },
  first: string | undefined,
): ReturnType<typeof setInterval> {
  let watched = first;
  let busy = false;
  return setInterval(() => {
    const name = named();
    const want = name === undefined ? watched : resolve(name);
    if (busy || want === watched) return;
    busy = true;
    watched = want;
    void (async () => {
      await open.watcher?.close();
      const before = await snapshot(manifestScope(o));
      if (open.closed) return;
      open.watcher = watchManifest(o, want, before, trigger);
      o.log.info(`the manifest names another drain file: ${want ?? "none"} is watched now`, { op: "manifest" });
      trigger("manifest");
    })()
      .catch((e: unknown) => o.log.warn(`file watch: ${(e as Error).message}`, { op: "manifest" }))
      .finally(() => (busy = false));
  }, FILE_RESCAN_MS);
}
