// The normalised manifest: every default resolved, durations in ms, prefixes parsed. This is what
// the rest of svcroute consumes; RawManifest (schema.ts) is only what a file says.
import type { Family, Prefix } from "./ip.js";
import type { TimeoutSource } from "./timing.js";

export type DaemonType = "frr" | "bird";

export interface DaemonConfig {
  type: DaemonType;
  configFile: string;
  /** FRR: vty socket directory; BIRD: control socket path */
  socket: string;
  vtysh: string;
  frrReload: string;
  bgpd: string;
  bird: string;
  birdc: string;
  routeMapDelayMs: number;
  logFile: string | undefined;
}

export interface BfdConfig {
  intervalMs: number;
  multiplier: number;
}

export interface Peer {
  name: string;
  /** canonical IP text, or undefined for an interface (unnumbered) peer */
  address: string | undefined;
  interface: string | undefined;
  remoteAsn: number | "external" | "internal";
  localAddress: string | undefined;
  passwordFile: string | undefined;
  bfd: BfdConfig | undefined;
  keepaliveMs: number;
  holdMs: number;
  connectRetryMs: number;
  ttlSecurity: boolean;
  multihop: number | undefined;
  families: Family[];
  gracefulRestart: boolean;
}

export type CheckSpec =
  | {
      type: "exec";
      name: string;
      timeoutMs: number;
      command: string[];
      /** "nobody" unless the manifest names one; see userFromManifest */
      user: string;
      /** false: the default applies — nobody when svcroute runs as root, else svcroute's own user */
      userFromManifest: boolean;
      group: string | undefined;
      env: Record<string, string>;
      cwd: string;
    }
  | {
      type: "http";
      name: string;
      timeoutMs: number;
      url: string;
      method: "GET" | "HEAD" | "POST";
      expectStatus: number[];
      bodyRegex: string | undefined;
      hostHeader: string | undefined;
      tlsVerify: boolean;
    }
  | { type: "tcp"; name: string; timeoutMs: number; host: string; port: number; send: string | undefined; expect: string | undefined }
  | { type: "file"; name: string; timeoutMs: number; path: string; healthyWhen: "exists" | "absent" }
  | {
      type: "dns";
      name: string;
      timeoutMs: number;
      query: string;
      record: string;
      /** the manifest's server, else the service's first address */
      server: string;
      port: number;
      transport: "udp" | "tcp";
      expectRcodes: string[];
      answerRegex: string | undefined;
      recursion: boolean;
    };

/** a program run on a service's health transitions (on_change) */
export interface Hook {
  command: string[];
  /** "nobody" unless the manifest names one; see userFromManifest */
  user: string;
  userFromManifest: boolean;
  group: string | undefined;
  env: Record<string, string>;
  timeoutMs: number;
  /** health states whose arrival runs it */
  when: string[];
}

export type Combine = { kind: "all" } | { kind: "any" } | { kind: "quorum"; n: number };

/** route attributes as the manifest writes them: a healthy service's own, and `deprefer` */
export interface Attributes {
  asPathPrepend: number;
  med: number | undefined;
  localPref: number | undefined;
  communities: string[];
}

export type Deprefer = Attributes;

export interface Service {
  name: string;
  prefixes: Prefix[];
  /** the peers (by name, in manifest order) its prefixes are announced to: every peer unless the manifest names some */
  peers: string[];
  checks: CheckSpec[];
  combine: Combine;
  intervalMs: number;
  fastIntervalMs: number;
  timeoutMs: number;
  /** whether the manifest set `timeout` or it was derived (timing.ts) */
  timeoutSource: TimeoutSource;
  rise: number;
  fall: number;
  initial: "down" | "up";
  flap: { maxTransitions: number; windowMs: number; holdMs: number };
  onFailure: "withdraw" | "deprefer";
  /** a passing round with failed checks: announce as usual, or de-preferred (DEGRADED) */
  degraded: "announce" | "deprefer";
  deprefer: Deprefer;
  /** its attributes while healthy (a standby adds `deprefer` to them) */
  healthy: Attributes;
  role: "primary" | "standby";
  /** its own on_change hook, else the supervisor's (resolved here); undefined: none */
  onChange: Hook | undefined;
  /** canonical addresses that must be on the host for the service to be announced ([]: address: none, or no host prefix) */
  addresses: string[];
  /** the manifest file this service came from */
  source: string;
}

export interface Manifest {
  version: 1;
  daemon: DaemonConfig;
  router: { asn: number; routerId: string | undefined };
  peers: Peer[];
  policy: { allowed: Prefix[]; accept: "none" | "default-only"; maxPrefix: number };
  services: Service[];
  addresses: { interface: string; manage: boolean };
  maintenance: { drainFile: string; drainWaitMs: number };
  supervisor: {
    statusSocket: string;
    metricsListen: string | undefined;
    stateDir: string;
    onStop: "withdraw" | "keep";
    stopGraceMs: number;
    guardGraceMs: number;
    reverifyIntervalMs: number;
  };
  /** sha256 of the normalised content (not of file bytes): equal manifests → equal hash */
  hash: string;
  /** every file that contributed, in load order */
  files: string[];
}
