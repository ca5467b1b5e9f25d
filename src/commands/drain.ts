// `svcroute drain [SERVICE|--all]` / `undrain`: de-prefer with GRACEFUL_SHUTDOWN, then withdraw
// after drain_wait. The running supervisor is asked over its socket and persists the state itself
// (it survives restarts), so members of the svcroute group can drain without write access to the
// state directory; with no supervisor running, the client writes the state when it may.
import type { Io } from "../io.js";
import { SvcrouteError, isSvcrouteError } from "../errors.js";
import { loadManifestOrThrow } from "../manifest/load.js";
import { resolveManifestPath } from "../manifest/read.js";
import { formatDuration } from "../manifest/duration.js";
import { requestDrain } from "../supervisor/client.js";
import { changeDrain, drainStatePath } from "../supervisor/drain.js";

export interface DrainOptions {
  manifest?: string;
  all?: boolean;
}

export async function drainCommand(io: Io, service: string | undefined, opts: DrainOptions, on: boolean): Promise<number> {
  const { manifest } = await loadManifestOrThrow(resolveManifestPath(opts.manifest, io.env));
  const names = manifest.services.map((s) => s.name);
  if (!service && !opts.all) throw new SvcrouteError("E_USAGE", `name a service or pass --all`, { hint: `services: ${names.join(", ")}` });
  if (service && !names.includes(service)) {
    throw new SvcrouteError("E_USAGE", `no service named "${service}" in the manifest`, { hint: `services: ${names.join(", ")}` });
  }
  const target = opts.all ? "all" : service!;
  const dir = manifest.supervisor.stateDir;
  try {
    await requestDrain(manifest.supervisor.statusSocket, target, on);
  } catch (e) {
    if (!isSvcrouteError(e) || e.code !== "E_SUPERVISOR_DOWN") throw e;
    await changeDrain(dir, names, target, on, Date.now()).catch((w: unknown) => {
      const code = (w as { cause?: NodeJS.ErrnoException }).cause?.code ?? (w as NodeJS.ErrnoException).code;
      if (code !== "EACCES" && code !== "EPERM") throw w;
      throw new SvcrouteError("E_PERMISSION", `the supervisor is not running (${e.message}), and this user may not write ${drainStatePath(dir)}`, {
        hint: "start the supervisor (systemctl start svcroute), which takes drains from members of the svcroute group, or run this as root",
      });
    });
    io.err(`note: the supervisor is not running (${e.message}); the change takes effect when it starts`);
  }
  const what = target === "all" ? "every service" : target;
  io.out(
    on
      ? `${what}: draining — announced with GRACEFUL_SHUTDOWN (65535:0) now, withdrawn after ${formatDuration(manifest.maintenance.drainWaitMs)}`
      : `${what}: undrained — announced normally again while healthy`,
  );
  return 0;
}
