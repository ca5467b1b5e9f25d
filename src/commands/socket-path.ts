// Which status socket a client command talks to: --socket, else the manifest's, else the default.
import { DEFAULTS } from "../manifest/defaults.js";
import { loadManifest, resolveManifestPath } from "../manifest/load.js";

export async function resolveSocket(env: NodeJS.ProcessEnv, opts: { socket?: string; manifest?: string }): Promise<{ socket: string; stateDir: string | undefined }> {
  if (opts.socket) return { socket: opts.socket, stateDir: undefined };
  const r = await loadManifest(resolveManifestPath(opts.manifest, env));
  return { socket: r.manifest?.supervisor.statusSocket ?? DEFAULTS.supervisor.statusSocket, stateDir: r.manifest?.supervisor.stateDir };
}
