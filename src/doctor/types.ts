// What `svcroute doctor` knows about a box (Facts, gathered by gather.ts) and what it concludes
// (Findings, by the pure checks in checks.ts). Finding codes are stable: scripts and tests key
// on them.
import type { Problem } from "../errors.js";
import type { LoadResult } from "../manifest/load.js";
import type { Manifest } from "../manifest/types.js";
import type { BfdPeer, ConfigDiff, ObservedPeer, RunningConfig } from "../daemons/driver.js";
import type { HostInterface } from "../effects/ip.js";
import type { SupervisorStatus } from "../supervisor/status-types.js";

export type Result = "PASS" | "WARN" | "FAIL" | "SKIP";

/**
 * Every finding code but the passes ("<AREA>_OK"), by area in report order: the rule of an area
 * (checks/<area>.ts) reports only its own. docs/doctor.md lists them; test/unit/doctor/codes.test.ts
 * holds the list, the rules and the page together.
 */
export const FINDING_CODES = {
  manifest: ["MANIFEST_INVALID", "MANIFEST_UNREADABLE", "MANIFEST_UNSAFE_PERMISSIONS", "MANIFEST_WARNING", "SECRET_MISSING", "SECRET_UNSAFE_PERMISSIONS"],
  daemon: ["DAEMON_SKIPPED", "DAEMON_NOT_INSTALLED", "DAEMON_TOO_OLD", "DAEMON_DOWN", "DAEMON_NOT_ANSWERING", "DAEMON_SOCKET_PERMISSION", "DAEMON_NOT_ENABLED"],
  config: ["CONFIG_MISSING", "CONFIG_SKIPPED", "CONFIG_NOT_SVCROUTE", "CONFIG_HAND_EDITED", "CONFIG_STALE", "CONFIG_NOT_RUNNING"],
  sessions: ["SESSIONS_SKIPPED", "SESSION_NO_TCP", "SESSION_ASN_MISMATCH", "SESSION_AUTH", "SESSION_HOLD_TIMER", "SESSION_ADMIN_DOWN", "SESSION_ROUTER_ID", "SESSION_OPEN_FAILS", "SESSION_DOWN", "BFD_DOWN"],
  advertisement: ["ADV_MISSING", "ADV_UNEXPECTED", "DEFAULT_MISSING"],
  host: ["ADDR_MISSING", "SYSCTL_RP_FILTER", "SYSCTL_ARP", "SYSCTL_FORWARDING", "SYSLOG_MISSING"],
  supervisor: [
    "SUPERVISOR_DOWN",
    "SUPERVISOR_SOCKET_PERMISSION",
    "RECONCILE_FAILED",
    "DRIFT_REPAIRED",
    "DAEMON_VIA_PROGRAM",
    "MANIFEST_NOT_APPLIED",
    "SERVICE_UNHEALTHY",
    "SERVICE_DRAINED",
    "HOOK_FAILED",
    "DNS_CHECK_NO_ANSWER",
    "DNS_CHECK_RCODE",
    "DNS_CHECK_ANSWER",
  ],
} as const;

export type Area = keyof typeof FINDING_CODES;
/** a finding code: one of FINDING_CODES, or an area's pass */
export type FindingCode = (typeof FINDING_CODES)[Area][number] | `${Uppercase<Area>}_OK`;

export interface Finding {
  /** area in report order: manifest, daemon, config, sessions, advertisement, host, supervisor */
  area: string;
  /** stable code, e.g. SESSION_ASN_MISMATCH; "<AREA>_OK" for a pass */
  code: FindingCode;
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
  /** the file exists but could not be read (e.g. EACCES for an unprivileged doctor) */
  readError?: string;
}

/** `ip route get ADDR`: how the kernel would reach a peer address */
export type RouteLookup = { ok: true; dev: string; gateway: string | null; type: string } | { ok: false; error: string };

/** TCP-MD5 counters of this network namespace (TcpExt in /proc/net/netstat), cumulative */
export interface TcpMd5Counters {
  /** segments dropped because their MD5 signature did not match: the passwords differ */
  failure: number;
  /** segments without a signature where one was expected: the peer has no password */
  notFound: number;
  /** signed segments for a peer without a password here: only the peer has one */
  unexpected: number;
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
    /** the control socket (FRR: bgpd.vty) when the daemon is not reachable: owner, group, mode */
    socketFile: FileFacts | null;
    /** the name of the socket's group, when known */
    socketGroup: string | null;
  };
  config: {
    file: FileFacts;
    /** what svcroute would render now, with the health the supervisor reports (masked) */
    rendered: string | null;
    renderedWith: "supervisor" | "all-up" | null;
    checksum: "intact" | "edited" | "foreign" | null;
    /** FRR: frr-reload --test diff (running vs file), noise removed; null when not available */
    runningDiff: ConfigDiff | null;
    /** BIRD: last reconfiguration time, to compare with the file's mtime */
    lastReconfigMs: number | null;
    /** BIRD: `show protocols` of the running daemon (name, protocol, state), to compare with the file */
    birdProtocols: RunningConfig["protocols"];
    /** BIRD: the named protocols of the file on disk, and whether each is disabled */
    protocolsInFile: { name: string; proto: string; disabled: boolean }[] | null;
    /** prefixes the on-disk config announces (the desired set svcroute wrote) */
    announcedInFile: string[] | null;
    /**
     * the daemon's own parser on what the manifest renders now (only when the file on disk is
     * stale or the last reconcile was rejected): why a change did not get applied
     */
    parserCheck: { ok: boolean; judges: string[]; evidence: string } | null;
  };
  peers: ObservedPeer[] | null;
  /** `ip route get` for the address of every peer that is not Established, by peer name */
  routes: Record<string, RouteLookup>;
  tcpMd5: TcpMd5Counters | null;
  bfd: BfdPeer[] | null;
  host: {
    addresses: string[] | null;
    sysctl: Record<string, string | null>;
    kernelDefault: { v4: number; v6: number } | null;
    /** whether /dev/log is a socket (a syslog daemon listens): where a daemon with no log file of its own logs */
    syslogSocket: boolean;
    /** every interface with its state and addresses, null when `ip` failed */
    interfaces: HostInterface[] | null;
  };
  supervisor: { status: SupervisorStatus | null; error: string | null; errorCode: string | null; socket: string };
  now: number;
}

export type Check = (f: Facts) => Finding[];

const RANK: Record<Result, number> = { PASS: 0, SKIP: 0, WARN: 1, FAIL: 2 };

export function worst(findings: Finding[]): Result {
  let w: Result = "PASS";
  for (const f of findings) if (RANK[f.result] > RANK[w]) w = f.result;
  return w;
}

export type { Problem };
