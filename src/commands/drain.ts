// `svcroute drain [SERVICE|--all]` / `undrain`: de-prefer with GRACEFUL_SHUTDOWN, then withdraw
// after drain_wait. The state is persisted (it survives restarts); the running supervisor is
// asked to reconcile at once.
import type { Io } from "../io.js";
import { SvcrouteError } from "../errors.js";
import { loadManifestOrThrow, resolveManifestPath } from "../manifest/load.js";
import { formatDuration } from "../manifest/duration.js";
import { callSupervisor } from "../supervisor/client.js";
import { drain, readDrainState, undrain, writeDrainState } from "../supervisor/drain.js";

export interface DrainOptions {
  manifest?: string;
  all?: boolean;
}

export async function drainCommand(io: Io, service: string | undefined, opts: DrainOptions, on: boolean): Promise<number> {
  const { manifest } = await loadManifestOrThrow(resolveManifestPath(opts.manifest, io.env));
  if (!service && !opts.all) throw new SvcrouteError("E_USAGE", `name a service or pass --all`, { hint: `services: ${manifest.services.map((s) => s.name).join(", ")}` });
  if (service && !manifest.services.some((s) => s.name === service)) {
    throw new SvcrouteError("E_USAGE", `no service named "${service}" in the manifest`, { hint: `services: ${manifest.services.map((s) => s.name).join(", ")}` });
  }
  const target = opts.all ? "all" : service!;
  const dir = manifest.supervisor.stateDir;
  const before = await readDrainState(dir);
  const after = on ? drain(before, target, Date.now()) : undrain(before, target);
  await writeDrainState(dir, after);
  const what = target === "all" ? "every service" : target;
  io.out(
    on
      ? `${what}: draining — announced with GRACEFUL_SHUTDOWN (65535:0) now, withdrawn after ${formatDuration(manifest.maintenance.drainWaitMs)}`
      : `${what}: undrained — announced normally again while healthy`,
  );
  try {
    await callSupervisor(manifest.supervisor.statusSocket, "POST", "/reconcile");
  } catch (e) {
    io.err(`note: the supervisor is not running (${(e as Error).message}); the change takes effect when it starts`);
  }
  return 0;
}
