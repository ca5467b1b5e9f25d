// The doctor's reasoning: Facts → Findings, in report order. Pure, so every diagnosis is
// table-tested on facts built from captured daemon output. One file per area under checks/.
import { advertisementChecks } from "./checks/advertisement.js";
import { configChecks } from "./checks/config.js";
import { daemonChecks } from "./checks/daemon.js";
import { hostChecks } from "./checks/host.js";
import { manifestChecks } from "./checks/manifest.js";
import { sessionChecks } from "./checks/sessions.js";
import { supervisorChecks } from "./checks/supervisor.js";
import type { Check, Facts, Finding } from "./types.js";

const CHECKS: Check[] = [manifestChecks, daemonChecks, configChecks, sessionChecks, advertisementChecks, hostChecks, supervisorChecks];

export function diagnose(f: Facts): Finding[] {
  return CHECKS.flatMap((c) => c(f));
}
