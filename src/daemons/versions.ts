// Which version of a routing daemon runs (or is installed), read from what it prints: the daemon
// (vtysh `show version`, BIRD's greeting or `show status`) or its binary (`bgpd --version`,
// `bird --version`); tested on outputs captured from every version the lab runs. What a version
// needs from svcroute is src/core/capabilities.ts.
import type { DaemonType } from "../manifest/types.js";
import { versionOf, type DaemonVersion } from "../core/capabilities.js";

const FRR_PATTERNS = [/\bbgpd version\s+(\d[\w.~+-]*)/i, /\bFRRouting\s+v?(\d[\w.~+-]*)/];
const BIRD_PATTERNS = [/\bBIRD version\s+v?(\d[\w.~+-]*)/, /\bBIRD\s+v?(\d+\.\d[\w.~+-]*)(?:\s+ready\.|\s*$)/m];

/** "bgpd version 8.4.4" (bgpd --version), "FRRouting 10.3 (host) on Linux" (vtysh show version) */
export function parseFrrVersion(output: string): DaemonVersion | null {
  for (const re of FRR_PATTERNS) {
    const m = re.exec(output);
    if (m) return versionOf("frr", m[1]!);
  }
  return null;
}

/** "BIRD version 2.0.12" (bird --version), "0001 BIRD 3.1.8 ready." (greeting), "BIRD 2.17.6" (show status) */
export function parseBirdVersion(output: string): DaemonVersion | null {
  for (const re of BIRD_PATTERNS) {
    const m = re.exec(output);
    if (m) return versionOf("bird", m[1]!);
  }
  return null;
}

export function parseDaemonVersion(daemon: DaemonType, output: string): DaemonVersion | null {
  return daemon === "frr" ? parseFrrVersion(output) : parseBirdVersion(output);
}
