// `svcroute guard` (internal): the fail-closed guard the supervisor starts when not under systemd.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Io } from "../io.js";
import { loadManifestTexts } from "../manifest/load.js";
import { readManifestTexts } from "../manifest/read.js";
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
  // the manifest's files as they are now, in case they are broken by the time the guard has to
  // act: kept as text and judged only then (a guard holding thousands of services parsed would
  // weigh as much as the supervisor it watches)
  const atStart = await readManifestTexts(o.manifest);
  const outcome = await runGuard({
    input: process.stdin,
    graceMs: Number(o.graceMs),
    parentPid: Number(o.parent),
    lockHolder: () => lockHolder(o.stateDir),
    withdraw: () => withdrawEverything(o.manifest, log, () => loadManifestTexts(atStart).manifest),
    log,
  });
  log.info(`guard done: ${outcome}`, { op: "guard" });
  return 0;
}
