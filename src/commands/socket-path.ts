// Which status socket a client command talks to: --socket, else the manifest's, else the default.
// The manifest's files are read as `check` reads them (trust, size, UTF-8, YAML), but only the one
// field is looked at: validating the whole manifest would cost `status` most of its start-up.
import { DEFAULTS } from "../manifest/defaults.js";
import { ABS_PATH } from "../manifest/patterns.js";
import { readManifestSources, resolveManifestPath } from "../manifest/read.js";

export async function resolveSocket(env: NodeJS.ProcessEnv, opts: { socket?: string; manifest?: string }): Promise<{ socket: string }> {
  if (opts.socket) return { socket: opts.socket };
  const r = await readManifestSources(resolveManifestPath(opts.manifest, env));
  return { socket: (r.ok ? manifestSocket([r.main.data, ...r.fragments.map((f) => f.data)]) : undefined) ?? DEFAULTS.supervisor.statusSocket };
}

/**
 * `supervisor.status_socket` when exactly one file defines `supervisor:` (as merging requires) and
 * the value is a path the schema accepts; else undefined, and the default is used as for a
 * manifest that cannot be read.
 */
export function manifestSocket(files: unknown[]): string | undefined {
  const blocks = files.flatMap((d) => (d !== null && typeof d === "object" && "supervisor" in d ? [(d).supervisor] : []));
  if (blocks.length !== 1) return undefined;
  const b = blocks[0];
  const v = b !== null && typeof b === "object" && "status_socket" in b ? (b).status_socket : undefined;
  return typeof v === "string" && ABS_PATH.test(v) ? v : undefined;
}
