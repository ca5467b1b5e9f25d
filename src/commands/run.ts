// `svcroute run`: the supervisor (long-running; systemd starts it).
import type { Io } from "../io.js";
import { resolveManifestPath } from "../manifest/read.js";
import { dropInOpt } from "./check.js";
import { createLogger, type Level } from "../supervisor/log.js";
import { runSupervisor } from "../supervisor/supervisor.js";

export interface RunCommandOptions {
  manifest?: string;
  dropIns?: string;
  logFormat?: "json" | "text";
  logLevel?: Level;
  guard?: boolean;
}

export async function runCommand(io: Io, opts: RunCommandOptions): Promise<number> {
  const tty = opts.logFormat ? opts.logFormat === "text" : io.isTTY;
  const log = createLogger({ write: (l) => io.out(l), tty, level: opts.logLevel ?? "info" });
  const dropInDir = dropInOpt(opts.dropIns);
  return runSupervisor({
    manifestPath: resolveManifestPath(opts.manifest, io.env),
    log,
    env: io.env,
    ...(dropInDir === undefined ? {} : { dropInDir }),
    ...(opts.guard === false ? { guard: false } : {}),
  });
}
