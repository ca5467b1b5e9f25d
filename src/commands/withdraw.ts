// `svcroute withdraw --all`: withdraw every prefix now, without a supervisor (systemd runs it
// from OnFailure= when the service has failed for good).
import type { Io } from "../io.js";
import { SvcrouteError } from "../errors.js";
import { resolveManifestPath } from "../manifest/read.js";
import { createLogger } from "../supervisor/log.js";
import { withdrawEverything } from "../supervisor/withdraw.js";

export async function withdrawCommand(io: Io, opts: { manifest?: string; all?: boolean }): Promise<number> {
  if (!opts.all) throw new SvcrouteError("E_USAGE", "withdraw needs --all (to withdraw one service, use `svcroute drain SERVICE`)");
  const log = createLogger({ write: (l) => io.err(l), tty: io.isTTY });
  await withdrawEverything(resolveManifestPath(opts.manifest, io.env), log);
  io.out("every svcroute prefix is withdrawn");
  return 0;
}
