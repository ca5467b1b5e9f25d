// `svcroute reload`: the running supervisor re-reads its manifest and drop-ins (as SIGHUP does,
// without needing to find its pid) and says whether it took them. Exit 0 when it did; 3 with every
// problem located when it refused them (its last good manifest stays in force).
import type { Io } from "../io.js";
import { SvcrouteError } from "../errors.js";
import { requestReload } from "../supervisor/client.js";
import { resolveSocket } from "./socket-path.js";

export interface ReloadOptions {
  manifest?: string;
  socket?: string;
  json?: boolean;
}

/** a large manifest takes a while to apply; the reconcile after the reload is waited for */
const RELOAD_TIMEOUT_MS = 120_000;

export async function reloadCommand(io: Io, opts: ReloadOptions): Promise<number> {
  const { socket } = await resolveSocket(io.env, opts);
  const a = await requestReload(socket, RELOAD_TIMEOUT_MS);
  const m = a.manifest;
  if (opts.json) io.out(JSON.stringify({ ok: m.valid, ...a }, null, 2));
  if (!m.valid) {
    throw new SvcrouteError("E_MANIFEST_INVALID", `the supervisor refused ${m.path}: ${m.errors.length} problem(s); its last good manifest ${String(m.last_good_hash).slice(0, 12)} stays in force`, {
      problems: m.errors,
      hint: "fix the lines above and run `svcroute reload` again",
    });
  }
  if (!opts.json) {
    const r = a.last_reconcile;
    const how = r ? `reconcile ${r.result}${r.result === "failed" ? ` (${r.code ?? "?"}: ${r.message ?? ""})` : `, ${r.path} path, ${r.duration_ms} ms`}` : "no reconcile yet";
    io.out(`reloaded: ${m.path} taken (hash ${String(m.hash).slice(0, 12)}); ${how}`);
  }
  return 0;
}
