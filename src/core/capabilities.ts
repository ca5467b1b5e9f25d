// Which version of a routing daemon runs, and what that version needs from the rendered config
// and the commands svcroute sends. Pure: the version comes from the daemon driver's parsers
// (src/daemons/versions.ts); the model (build-*.ts) and the drivers read the capabilities.
import type { DaemonType } from "../manifest/types.js";

export interface DaemonVersion {
  daemon: DaemonType;
  /** as the daemon prints it, e.g. "8.4.4", "10.3", "3.1.8" */
  text: string;
  major: number;
  minor: number;
  patch: number;
}

/**
 * Everything the rendered config or a command depends on that differs between versions. A
 * manifest never says which version runs: svcroute asks the daemon (or its binary), and when
 * neither answers it assumes the oldest supported behaviour, which every version accepts.
 */
export interface DaemonCapabilities {
  /** the version these capabilities were derived from; null when it could not be learnt */
  version: DaemonVersion | null;
  /**
   * BIRD: `authentication md5;` beside a BGP `password` (2.17 / 3.1 added TCP-AO and warn
   * "Missing authentication option, assuming MD5" without it; 2.0 rejects the keyword)
   */
  birdAuthenticationOption: boolean;
  /**
   * BIRD 3 reconfigures in the background and answers every `configure` with "Reconfiguration in
   * progress", whether sessions restart or not; BIRD 2 says so only when one restarts
   */
  birdAsyncReconfigure: boolean;
  /**
   * FRR 10 checks a peer's first AS by default (`bgp enforce-first-as`, a global knob FRR 8.4 does
   * not have; there the check is off): the file says `no bgp enforce-first-as`, so the host
   * behaves the same on every version and frr-reload finds nothing to change
   */
  frrGlobalEnforceFirstAs: boolean;
}

/** "8.4.4", "10.3-3+deb13u1" → the version (null when it does not start with major.minor) */
export function versionOf(daemon: DaemonType, text: string): DaemonVersion | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return null;
  return { daemon, text, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** a ≥ b, comparing major.minor.patch */
export function atLeast(v: DaemonVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/** what nothing can be learnt about: the oldest supported behaviour */
export const BASELINE: DaemonCapabilities = { version: null, birdAuthenticationOption: false, birdAsyncReconfigure: false, frrGlobalEnforceFirstAs: false };

export function capabilitiesOf(v: DaemonVersion | null): DaemonCapabilities {
  if (v === null) return BASELINE;
  const bird = v.daemon === "bird";
  return {
    version: v,
    // TCP-AO came with 2.17 and 3.1 (BIRD 3.0 is the 2.16 line)
    birdAuthenticationOption: bird && (v.major >= 3 ? atLeast(v, 3, 1) : atLeast(v, 2, 17)),
    birdAsyncReconfigure: bird && v.major >= 3,
    frrGlobalEnforceFirstAs: !bird && v.major >= 10,
  };
}

/** "FRR 10.3", "BIRD 2.0.12", or the daemon's name alone */
export function describeVersion(daemon: DaemonType, v: DaemonVersion | null): string {
  return `${daemon === "frr" ? "FRR" : "BIRD"}${v ? ` ${v.text}` : ""}`;
}
