// Atomic file replacement: a reader (the routing daemon, a restart, an operator) sees either the
// whole old file or the whole new one, never a partial write; a failed write leaves the old file
// untouched and reports why.
import { randomBytes } from "node:crypto";
import { constants, promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";
import { SvcrouteError } from "../errors.js";

export interface AtomicWriteOptions {
  /** file mode of the new file (default: the old file's, else 0640) */
  mode?: number;
  /** keep the replaced content as `<path>.prev` (for rollback and `diff`) */
  keepPrevious?: boolean;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function writeError(path: string, e: unknown): SvcrouteError {
  const err = e as NodeJS.ErrnoException;
  const hint =
    err.code === "ENOSPC" || err.code === "EDQUOT"
      ? `free space on the filesystem of ${dirname(path)}; the previous file is unchanged`
      : err.code === "EROFS"
        ? `${dirname(path)} is on a read-only filesystem; the previous file is unchanged`
        : err.code === "EACCES" || err.code === "EPERM"
          ? `svcroute needs write access to ${dirname(path)} (it creates a temp file there and renames it)`
          : undefined;
  return new SvcrouteError("E_WRITE", `cannot write ${path}: ${err.code ?? ""} ${err.message}`.trim(), { ...(hint ? { hint } : {}), cause: e });
}

async function writeTemp(dir: string, base: string, data: string | Uint8Array, mode: number, owner: { uid: number; gid: number } | undefined): Promise<string> {
  const tmp = join(dir, `.${base}.svcroute-${process.pid}-${randomBytes(4).toString("hex")}`);
  const fh = await fsp.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode); // the umask may have narrowed it
    if (owner && process.getuid?.() === 0) await fh.chown(owner.uid, owner.gid);
    // Unprivileged, the group still matters (the daemon reads the file through it): a setgid
    // directory gives it already; otherwise keep the old group when we are a member of it.
    else if (owner && process.getgid?.() !== owner.gid) await fh.chown(process.getuid?.() ?? -1, owner.gid).catch(() => undefined);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  return tmp;
}

/**
 * Replace `path` with `data` atomically: temp file in the same directory, fsync, rename, fsync of
 * the directory. The new file keeps the old one's owner/group and mode (a daemon running as its
 * own user must still read it); with no old file the directory's owner/group is used.
 */
export async function atomicWrite(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const base = basename(path);
  let owner: { uid: number; gid: number } | undefined;
  let mode = opts.mode ?? 0o640;
  let old: Buffer | undefined;
  try {
    const st = await fsp.stat(path);
    owner = { uid: st.uid, gid: st.gid };
    if (opts.mode === undefined) mode = st.mode & 0o7777;
    if (opts.keepPrevious) old = await fsp.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw writeError(path, e);
    try {
      const st = await fsp.stat(dir);
      owner = { uid: st.uid, gid: st.gid };
    } catch (e2) {
      throw writeError(path, e2);
    }
  }
  try {
    if (old !== undefined) {
      const prevTmp = await writeTemp(dir, `${base}.prev`, old, mode, owner);
      await fsp.rename(prevTmp, `${path}.prev`);
    }
    const tmp = await writeTemp(dir, base, data, mode, owner);
    try {
      await fsp.rename(tmp, path);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await fsyncDir(dir);
  } catch (e) {
    throw writeError(path, e);
  }
}

/** The file's content, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
