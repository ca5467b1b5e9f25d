// Where a running supervisor says its status socket is, keyed by its manifest's path: a symlink
// <runtime dir>/manifests/<key>.sock → the socket it listens on. Clients (status, drain, reload,
// probe) read it before the manifest, so they find the supervisor while the manifest on disk is
// refused, does not parse, or names a socket the supervisor has not bound yet.
import { promises as fsp } from "node:fs";
import { join, resolve } from "node:path";
import { hash64 } from "../hash.js";

/** systemd's RuntimeDirectory=svcroute; SVCROUTE_RUNTIME_DIR moves it (a lab, a second instance) */
export const runtimeDir = (env: NodeJS.ProcessEnv): string => env.SVCROUTE_RUNTIME_DIR ?? "/run/svcroute";

/** the same file through any path (relative, a symlink) gives the same key; a missing one its absolute path's */
async function manifestKey(manifestPath: string): Promise<string> {
  const real = await fsp.realpath(manifestPath).catch(() => resolve(manifestPath));
  return hash64(real);
}

export async function socketRecordPath(env: NodeJS.ProcessEnv, manifestPath: string): Promise<string> {
  return join(runtimeDir(env), "manifests", `${await manifestKey(manifestPath)}.sock`);
}

/**
 * Record `socket` for the manifest. Only where the runtime directory exists (systemd makes it):
 * a supervisor started by hand leaves no trace outside its own paths. Returns the record's path,
 * or undefined when there is no runtime directory.
 */
export async function recordSocket(env: NodeJS.ProcessEnv, manifestPath: string, socket: string): Promise<string | undefined> {
  const dir = runtimeDir(env);
  if (!(await fsp.stat(dir).then((s) => s.isDirectory(), () => false))) return undefined;
  const path = await socketRecordPath(env, manifestPath);
  await fsp.mkdir(join(dir, "manifests"), { recursive: true, mode: 0o750 });
  const tmp = `${path}.${process.pid}.tmp`;
  await fsp.rm(tmp, { force: true });
  await fsp.symlink(resolve(socket), tmp);
  await fsp.rename(tmp, path);
  return path;
}

/** remove the record if it still names `socket` (another supervisor may have taken the manifest since) */
export async function forgetSocket(recordPath: string, socket: string): Promise<void> {
  if ((await fsp.readlink(recordPath).catch(() => undefined)) === resolve(socket)) await fsp.rm(recordPath, { force: true });
}

/** the socket a running supervisor recorded for the manifest, if the record and its socket exist */
export async function recordedSocket(env: NodeJS.ProcessEnv, manifestPath: string): Promise<string | undefined> {
  const target = await fsp.readlink(await socketRecordPath(env, manifestPath)).catch(() => undefined);
  if (!target) return undefined;
  return (await fsp.stat(target).then((s) => s.isSocket(), () => false)) ? target : undefined;
}
