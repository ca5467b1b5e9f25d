// What `svcroute doctor` knows about a box (Facts, gathered by gather.ts) and what it concludes
// (Findings, by the pure checks in checks.ts). Finding codes are stable: scripts and tests key
// on them.
import type { Problem } from "../errors.js";
import type { LoadResult } from "../manifest/load.js";
import type { Manifest } from "../manifest/types.js";
import type { ObservedPeer } from "../daemons/driver.js";
import type { SupervisorStatus } from "../supervisor/status-types.js";

export type Result = "PASS" | "WARN" | "FAIL" | "SKIP";

export interface Finding {
  /** area in report order: manifest, daemon, config, sessions, advertisement, host, supervisor */
  area: string;
  /** stable code, e.g. SESSION_ASN_MISMATCH; "<AREA>_OK" for a pass */
  code: string;
  result: Result;
  /** one line */
  finding: string;
  /** an excerpt of what was seen (command output, file lines) */
  evidence?: string;
  /** what to do, concretely */
  fix?: string;
}

export interface FileFacts {
  path: string;
  exists: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
  text?: string;
  mtimeMs?: number;
  error?: string;
}

export interface BfdPeerFacts {
  address: string;
  state: string;
}

export interface Facts {
  manifestPath: string;
  load: LoadResult;
  /** the manifest doctor works with: the valid one on disk, else the supervisor's last good one is unknown → undefined */
  manifest: Manifest | undefined;
  files: { manifest: FileFacts; dropInDir: FileFacts; secrets: FileFacts[] };
  daemon: {
    binaries: { name: string; path: string; exists: boolean }[];
    version: string | null;
    /** /etc/frr/daemons (FRR only) */
    daemonsFile: FileFacts | null;
    reachable: boolean;
    /** why not reachable: the driver's error */
    error: string | null;
    errorCode: string | null;
    instance: string | null;
  };
  config: {
    file: FileFacts;
    /** what svcroute would render now, with the health the supervisor reports (masked) */
    rendered: string | null;
    renderedWith: "supervisor" | "all-up" | null;
    checksum: "intact" | "edited" | "foreign" | null;
    /** FRR: frr-reload --test diff (running vs file), noise removed; null when not available */
    runningDiff: { toDelete: string[]; toAdd: string[] } | null;
    /** BIRD: last reconfiguration time, to compare with the file's mtime */
    lastReconfigMs: number | null;
    /** prefixes the on-disk config announces (the desired set svcroute wrote) */
    announcedInFile: string[] | null;
  };
  peers: ObservedPeer[] | null;
  bfd: BfdPeerFacts[] | null;
  host: {
    addresses: string[] | null;
    sysctl: Record<string, string | null>;
    kernelDefault: { v4: number; v6: number } | null;
  };
  supervisor: { status: SupervisorStatus | null; error: string | null; socket: string };
  now: number;
}

export type Check = (f: Facts) => Finding[];

export const RANK: Record<Result, number> = { PASS: 0, SKIP: 0, WARN: 1, FAIL: 2 };

export function worst(findings: Finding[]): Result {
  let w: Result = "PASS";
  for (const f of findings) if (RANK[f.result] > RANK[w]) w = f.result;
  return w;
}

export type { Problem };
