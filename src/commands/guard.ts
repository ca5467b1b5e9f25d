// `svcroute guard` (internal): the fail-closed guard the supervisor starts when not under systemd.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Io } from "../io.js";
import { loadManifest } from "../manifest/load.js";
import { runGuard } from "../supervisor/guard.js";
import { lockHolder } from "../supervisor/lock.js";
import { createLogger } from "../supervisor/log.js";
import { withdrawEverything } from "../supervisor/withdraw.js";

export interface GuardCommandOptions {
  manifest: string;
  stateDir: string;
  graceMs: string;
  parent: string;
}

export async function guardCommand(_io: Io, o: GuardCommandOptions): Promise<number> {
  mkdirSync(o.stateDir, { recursive: true, mode: 0o750 });
  const logFile = join(o.stateDir, "guard.log");
  const log = createLogger({ write: (l) => appendFileSync(logFile, l), tty: false });
  // the manifest as it is now, in case it is broken by the time the guard has to act
  const atStart = (await loadManifest(o.manifest)).manifest;
  const outcome = await runGuard({
    input: process.stdin,
    graceMs: Number(o.graceMs),
    parentPid: Number(o.parent),
    lockHolder: () => lockHolder(o.stateDir),
    withdraw: () => withdrawEverything(o.manifest, log, atStart),
    log,
  });
  log.info(`guard done: ${outcome}`, { op: "guard" });
  return 0;
}
