// `svcroute status`: what the supervisor is doing, for people (table), machines (--json) and
// monitoring (--nagios, with the plugin exit codes 0/1/2/3).
import type { Io } from "../io.js";
import { isSvcrouteError } from "../errors.js";
import { fetchStatus } from "../supervisor/client.js";
import { nagios, statusText } from "./status-format.js";
import { resolveSocket } from "./socket-path.js";

export interface StatusOptions {
  manifest?: string;
  socket?: string;
  json?: boolean;
  watch?: boolean | string;
  nagios?: boolean;
}

export async function statusCommand(io: Io, opts: StatusOptions): Promise<number> {
  const { socket } = await resolveSocket(io.env, opts);
  if (opts.nagios) {
    try {
      const r = nagios(await fetchStatus(socket));
      io.out(r.line);
      return r.code;
    } catch (e) {
      const why = isSvcrouteError(e) ? e.message : String(e);
      // down is CRITICAL; anything else (the socket refuses this user, a bad answer) means the
      // check cannot tell: UNKNOWN, and the line says so too
      if (isSvcrouteError(e) && e.code === "E_SUPERVISOR_DOWN") {
        io.out(`SVCROUTE CRITICAL - supervisor not reachable: ${why}`);
        return 2;
      }
      io.out(`SVCROUTE UNKNOWN - cannot ask the supervisor: ${why}${isSvcrouteError(e) && e.hint ? ` (${e.hint})` : ""}`);
      return 3;
    }
  }
  const once = async () => {
    const s = await fetchStatus(socket);
    io.out(opts.json ? JSON.stringify(s, null, 2) : statusText(s, Date.now()));
  };
  if (!opts.watch) {
    await once();
    return 0;
  }
  const everyMs = typeof opts.watch === "string" ? Math.max(500, Number(opts.watch) * 1000 || 2000) : 2000;
  for (;;) {
    if (io.isTTY) io.out("\x1b[2J\x1b[H");
    await once();
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
