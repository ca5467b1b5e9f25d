// Outputs captured from the real daemons in the lab (test/lab/harness/capture.ts), one file per
// daemon version: parser tests run over every version the matrix proves.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildsOf, filePrefix } from "../lab/harness/daemon-sets.js";

const DIR = join(import.meta.dirname, "../fixtures/captured");

/** "frr-8.4", "frr-10.3" / "bird-2.0.12", "bird-2.17", "bird-3.1" */
export const versionsOf = (daemon: "frr" | "bird"): string[] => buildsOf(daemon).map((b) => filePrefix(b).slice(0, -1));
export const FRR_VERSIONS = versionsOf("frr");
export const BIRD_VERSIONS = versionsOf("bird");
/** the ToRs run FRR 8.4 in every daemon set */
export const TOR_VERSION = "frr-8.4";

export function captured(daemon: "frr" | "bird", version: string, file: string): string {
  return readFileSync(join(DIR, daemon, `${version}.${file}`), "utf8");
}
