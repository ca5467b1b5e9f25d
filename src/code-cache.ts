// V8's code cache for the CLI's own bundle files: a command run again does not compile again
// what it compiled before (most of `check`'s start-up beyond Node's own). Node 18 and 20 have no
// compile cache for modules (22 has module.enableCompileCache), so the CommonJS loader's compile
// step is wrapped, for the files of the bundle's directory only. A cache file is executable code:
// it is read only from a directory whose every ancestor, like itself, is owned by root or by the
// user running svcroute and writable by nobody else (no symbolic link on the way), and only from
// a regular file owned likewise; it is written only into such a directory. Keyed by the bundle
// file's identity (its inode and times: unchangedSince() says why that is the text's), the text's length,
// Node's version and the architecture: V8 checks no more than the text's length, its own version
// and flags.
import { accessSync, chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from "node:fs";
import Module from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { Script } from "node:vm";
import { hash64 } from "./hash.js";

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
  /** the cache is read but not written (this user may not write the directory) */
  readOnly?: boolean;
}

const stats: CodeCacheStats = { hits: 0, written: 0, rejected: 0 };

export function codeCacheStats(): Readonly<CodeCacheStats> {
  return stats;
}

const euid = () => process.geteuid?.() ?? 0;

/** owned by root or by us, writable by nobody else */
function trusted(st: Stats): boolean {
  return (st.uid === 0 || st.uid === euid()) && (st.mode & 0o022) === 0;
}

/**
 * why `dir` (absolute) is not a directory only root or this user can change, or undefined. An
 * ancestor others may write is fine when it is root's and sticky (/tmp): no one else may then
 * replace what it holds.
 */
function untrustedPath(dir: string): string | undefined {
  for (let p = dir; ; p = dirname(p)) {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return `${p} is a symbolic link`;
    if (!st.isDirectory()) return `${p} is not a directory`;
    const sticky = p !== dir && st.uid === 0 && (st.mode & 0o1000) !== 0;
    if (!trusted(st) && !sticky) return `${p} is not owned by root or by this user, or others may write it`;
    if (p === dirname(p)) return undefined;
  }
}

function trustedDir(dir: string): string | undefined {
  try {
    // root may create it: the default with its parent under /var/cache, any other without
    if (euid() === 0) mkdirSync(dir, { recursive: dir === CODE_CACHE_DIR, mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") return `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  try {
    return untrustedPath(dir);
  } catch (e) {
    return `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}

function readTrusted(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    return st.isFile() && trusted(st) ? readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface InternalModule {
  exports: unknown;
  require(id: string): unknown;
  _compile: (this: InternalModule, content: string, filename: string, ...rest: unknown[]) => unknown;
}

type Require = ((id: string) => unknown) & { resolve: (request: string, options?: unknown) => string; main: unknown; cache: unknown; extensions: unknown };

type Loader = (this: unknown, module: unknown, filename: string) => unknown;

const M = Module as unknown as { prototype: InternalModule; wrapper: string[]; _resolveFilename: (r: string, parent: unknown, isMain: boolean, o?: unknown) => string; _cache: unknown; _extensions: Record<string, Loader> };

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

/**
 * Whether a file whose ctime is `ctimeNs` is known unchanged since `readAt` (ms, taken before Node
 * read it). Any write or rename sets the ctime, and nothing sets it back, so a text changed after
 * the read has a later ctime; file times come from the kernel's coarse clock, up to a tick behind
 * the write, hence the margin. A whole-second ctime is a filesystem that keeps no finer times,
 * where two writes within a second look alike: never known.
 */
export function unchangedSince(ctimeNs: bigint, readAt: number): boolean {
  return ctimeNs % 1_000_000_000n !== 0n && ctimeNs / 1_000_000n < BigInt(Math.floor(readAt) - SETTLED_MS);
}

/**
 * The bundle file's identity (device, inode, size, mtime, ctime) as a key, or undefined unless it
 * is known unchanged since Node read it (unchangedSince). Stat-ing is what keeps the key cheap:
 * hashing the text cost about a millisecond of every start.
 */
function identity(filename: string, readAt: number): string | undefined {
  const st = statSync(filename, { bigint: true });
  if (!unchangedSince(st.ctimeNs, readAt)) return undefined;
  return hash64(`${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`);
}

/** how long before Node read a bundle file it must have been unchanged for its compiled code to be kept or used */
export const SETTLED_MS = 20;

/** the module's wrapper compiled with its cached data, if there is trusted data; throws before anything runs */
function compile(content: string, filename: string, cacheDir: string, readAt: number): Compiled | undefined {
  const id = identity(filename, readAt);
  if (id === undefined) return undefined;
  const file = join(cacheDir, `${basename(filename)}-${id}-${content.length}-${process.version}-${process.arch}.v8`);
  const cachedData = readTrusted(file);
  // a first line "#!..." is Node's to drop; the line stays, so line numbers stay right, and the
  // wrapper's opening is taken off the first line's columns
  const script = new Script(Module.wrap(content.replace(/^#!.*/, "")), { filename, cachedData, columnOffset: -M.wrapper[0]!.length });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  if (used) stats.hits++;
  else if (cachedData) stats.rejected++;
  return { fn: script.runInThisContext({ displayErrors: true }) as Compiled["fn"], script, file, used };
}

/** the cache file, written whole or not at all; the same bundle file's older data removed */
function save(script: Script, file: string, name: string, cacheDir: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData(), { flag: "wx", mode: 0o644 });
    // readable by every user whatever root's umask: the CLI's other users read it
    chmodSync(tmp, 0o644);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // not there
    }
    throw e;
  }
  stats.written++;
  for (const f of readdirSync(cacheDir)) if (f.startsWith(`${name}-`) && join(cacheDir, f) !== file && !f.endsWith(".tmp")) unlinkSync(join(cacheDir, f));
}

/**
 * Compile the bundle's files in `bundleDir` through V8's code cache kept in `cacheDir` ("none":
 * not at all). Without a trusted cache directory nothing changes (codeCacheStats().disabled says why).
 */
export function enableCodeCache(bundleDir: string, cacheDir: string): void {
  const dir = cacheDir === "none" ? cacheDir : resolve(cacheDir);
  const why = dir === "none" ? "turned off (SVCROUTE_CODE_CACHE=none)" : trustedDir(dir);
  if (why) {
    stats.disabled = why;
    return;
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    stats.readOnly = true;
  }
  const original = M.prototype._compile;
  const pending: { script: Script; file: string; name: string }[] = [];
  const prefix = `${bundleDir}/`;
  // the time before Node reads a bundle file: its loader reads it, then compiles it, in one call
  let readAt: number | undefined;
  for (const ext of [".js", ".cjs"]) {
    const load = M._extensions[ext];
    // .cjs files go through .js's loader where .cjs has none of its own
    if (!load) continue;
    M._extensions[ext] = function (this: unknown, module: unknown, filename: string): unknown {
      if (filename.startsWith(prefix)) readAt = Date.now();
      return load.call(this, module, filename);
    };
  }
  M.prototype._compile = function (this: InternalModule, content: string, filename: string, ...rest: unknown[]): unknown {
    const at = readAt;
    readAt = undefined;
    if (!filename.startsWith(prefix) || !filename.endsWith(".cjs") || at === undefined) return original.call(this, content, filename, ...rest);
    let c: Compiled | undefined;
    try {
      c = compile(content, filename, dir, at);
    } catch {
      // anything wrong before the module runs: Node's own compile
    }
    if (!c) return original.call(this, content, filename, ...rest);
    if (!c.used && !stats.readOnly) pending.push({ script: c.script, file: c.file, name: basename(filename) });
    return c.fn.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  // at exit, so that the data holds what the command compiled lazily as it ran
  process.once("exit", () => {
    for (const { script, file, name } of pending) {
      try {
        save(script, file, name, dir);
      } catch {
        // a cache that cannot be written is a slower next start, nothing more
      }
    }
  });
}
