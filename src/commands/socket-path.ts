// Which status socket a client command talks to: --socket, else the one the running supervisor
// recorded for the manifest (effects/socket-record.ts: found while the file on disk is refused or
// does not parse), else the manifest's, else the default. The manifest's files are read as
// `check` reads them (trust, size, UTF-8, YAML), but only the one
// field is looked at: validating the whole manifest would cost `status` most of its start-up. Nor
// are the files parsed when none of them can name the socket: the YAML reader is a tenth of it.
import { DEFAULTS } from "../manifest/defaults.js";
import { ABS_PATH } from "../manifest/patterns.js";
import { recordedSocket } from "../effects/socket-record.js";
import { parseManifestTexts, readManifestTexts, resolveManifestPath } from "../manifest/read.js";

export async function resolveSocket(env: NodeJS.ProcessEnv, opts: { socket?: string; manifest?: string }): Promise<{ socket: string }> {
  if (opts.socket) return { socket: opts.socket };
  const path = resolveManifestPath(opts.manifest, env);
  const recorded = await recordedSocket(env, path);
  if (recorded) return { socket: recorded };
  const t = await readManifestTexts(path);
  const r = t.reads.some((f) => f.text !== undefined && mayNameSocket(f.text)) ? parseManifestTexts(t) : undefined;
  return { socket: (r?.ok ? manifestSocket([r.main.data, ...r.fragments.map((f) => f.data)]) : undefined) ?? DEFAULTS.supervisor.statusSocket };
}

/**
 * Whether YAML or JSON text may hold the key `status_socket`: only spelled out, or through an
 * escape in a quoted key. A manifest none of whose files may leaves the default socket whatever
 * else it says (and when a file cannot be read or parsed, the default is used as well).
 */
export const mayNameSocket = (text: string): boolean => text.includes("status_socket") || text.includes("\\");

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
