// Which status socket a client command talks to: --socket, else the manifest's, else the default.
import { loadManifest, resolveManifestPath } from "../manifest/load.js";

export const DEFAULT_SOCKET = "/run/svcroute/svcroute.sock";

export async function resolveSocket(env: NodeJS.ProcessEnv, opts: { socket?: string; manifest?: string }): Promise<{ socket: string; stateDir: string | undefined }> {
  if (opts.socket) return { socket: opts.socket, stateDir: undefined };
  const r = await loadManifest(resolveManifestPath(opts.manifest, env));
  return { socket: r.manifest?.supervisor.statusSocket ?? DEFAULT_SOCKET, stateDir: r.manifest?.supervisor.stateDir };
}
