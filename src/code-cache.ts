// V8's code cache for the CLI's own bundle files: a command run again does not compile again
// what it compiled before (most of `check`'s start-up beyond Node's own). Node 18 and 20 have no
// compile cache for modules (22 has module.enableCompileCache), so the CommonJS loader's compile
// step is wrapped, for the files of the bundle's directory only. A cache file is executable code:
// it is read only from a directory and a file owned by root or by the user running svcroute that
// nobody else may write, and written only into such a directory. Keyed by the file's identity
// (inode, size, mtime) and Node's version: V8 itself also refuses data of another V8 or flags.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from "node:fs";
import Module from "node:module";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";

/** where the CLI's runs leave V8's compiled code for the next run (root's runs write it) */
export const CODE_CACHE_DIR = "/var/cache/svcroute/code";

export interface CodeCacheStats {
  /** modules compiled from cached data */
  hits: number;
  /** cache files written at exit */
  written: number;
  /** cached data V8 refused (another V8, other flags) */
  rejected: number;
  /** why the cache is not used at all, when it is not */
  disabled?: string;
}

const stats: CodeCacheStats = { hits: 0, written: 0, rejected: 0 };

export function codeCacheStats(): Readonly<CodeCacheStats> {
  return stats;
}

/** owned by root or by us, writable by nobody else */
function trusted(st: Stats): boolean {
  const uid = process.getuid?.() ?? 0;
  return (st.uid === 0 || st.uid === uid) && (st.mode & 0o022) === 0;
}

function trustedDir(dir: string): string | undefined {
  try {
    // root may create it: the default with its parent under /var/cache, any other without
    if (process.getuid?.() === 0) mkdirSync(dir, { recursive: dir === CODE_CACHE_DIR, mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") return `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  try {
    const st = statSync(dir);
    return !st.isDirectory() ? `${dir} is not a directory` : trusted(st) ? undefined : `${dir} may be written by others`;
  } catch (e) {
    return `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}

function readTrusted(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    return trusted(fstatSync(fd)) ? readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface InternalModule {
  exports: unknown;
  require(id: string): unknown;
  _compile: (this: InternalModule, content: string, filename: string) => unknown;
}

type Require = ((id: string) => unknown) & { resolve: (request: string, options?: unknown) => string; main: unknown; cache: unknown; extensions: unknown };

const M = Module as unknown as { prototype: InternalModule; _resolveFilename: (r: string, parent: unknown, isMain: boolean, o?: unknown) => string; _cache: unknown; _extensions: unknown };

/** what Node's own loader gives a module's wrapper as `require` */
function requireFor(mod: InternalModule): Require {
  const require = ((id: string) => mod.require(id)) as Require;
  require.resolve = (request, options) => M._resolveFilename(request, mod, false, options);
  require.main = (process as unknown as { mainModule?: unknown }).mainModule;
  require.cache = M._cache;
  require.extensions = M._extensions;
  return require;
}

interface Compiled {
  fn: (...args: unknown[]) => unknown;
  script: Script;
  /** its cache file */
  file: string;
  /** compiled from cached data */
  used: boolean;
}

/** the module's wrapper compiled with its cached data, if there is trusted data; throws before anything runs */
function compile(content: string, filename: string, cacheDir: string): Compiled {
  const st = statSync(filename);
  const file = join(cacheDir, `${basename(filename)}-${st.ino}-${st.size}-${Math.round(st.mtimeMs)}-${process.version}-${process.arch}.v8`);
  const cachedData = readTrusted(file);
  // a first line "#!..." is Node's to drop; the line stays, so line numbers stay right
  const script = new Script(Module.wrap(content.replace(/^#!.*/, "")), { filename, cachedData });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  if (used) stats.hits++;
  else if (cachedData) stats.rejected++;
  return { fn: script.runInThisContext({ displayErrors: true }) as Compiled["fn"], script, file, used };
}

/**
 * Compile the bundle's files in `bundleDir` through V8's code cache kept in `cacheDir` ("none":
 * not at all). Without a trusted cache directory nothing changes (codeCacheStats().disabled says why).
 */
export function enableCodeCache(bundleDir: string, cacheDir: string): void {
  const why = cacheDir === "none" ? "turned off (SVCROUTE_CODE_CACHE=none)" : trustedDir(cacheDir);
  if (why) {
    stats.disabled = why;
    return;
  }
  const original = M.prototype._compile;
  const pending: { script: Script; file: string; name: string }[] = [];
  const prefix = `${bundleDir}/`;
  M.prototype._compile = function (this: InternalModule, content: string, filename: string): unknown {
    if (!filename.startsWith(prefix) || !filename.endsWith(".cjs")) return original.call(this, content, filename);
    let c: Compiled;
    try {
      c = compile(content, filename, cacheDir);
    } catch {
      // anything wrong before the module runs: Node's own compile
      return original.call(this, content, filename);
    }
    if (!c.used) pending.push({ script: c.script, file: c.file, name: basename(filename) });
    return c.fn.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  // at exit, so that the data holds what the command compiled lazily as it ran
  process.once("exit", () => {
    for (const { script, file, name } of pending) {
      try {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o644 });
        renameSync(tmp, file);
        stats.written++;
        // the same bundle file's data of an earlier install or Node: never read again
        for (const f of readdirSync(cacheDir)) if (f.startsWith(`${name}-`) && join(cacheDir, f) !== file && !f.endsWith(".tmp")) unlinkSync(join(cacheDir, f));
      } catch {
        // a cache that cannot be written is a slower next start, nothing more
      }
    }
  });
}
