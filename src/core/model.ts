// The routing model: everything a config needs, already decided and named. Templates only lay it
// out; the supervisor's fast path reads the per-service toggles from here too. Absent values are
// `null` (not undefined) so strict templates can test them.
import type { Family } from "../manifest/ip.js";
import type { DaemonType } from "../manifest/types.js";
import type { Announce, RouteAttrs } from "./desired.js";
import type { Secret } from "./secrets.js";

export interface HeaderModel {
  product: "svcroute";
  version: string;
  manifestHash: string;
  healthHash: string;
  /** the stable first line (after the comment character) that marks a svcroute-written file */
  marker: string;
}

/** How one prefix is switched by the fast path, per daemon. */
export interface PrefixToggle {
  prefix: string;
  family: Family;
  /** inside policy.allowed_prefixes (else never exported, whatever the health) */
  allowed: boolean;
  announce: Announce;
  /** FRR: the address-family the `network` statement lives in, e.g. "ipv4 unicast" */
  frrAddressFamily: string;
  /** FRR: the `network ...` statement for the current state; null when withdrawn */
  frrNetwork: string | null;
  /** FRR: the statement for every reachable state (null = no statement = withdrawn) */
  frrNetworkByState: Partial<Record<Announce, string | null>>;
  /** BIRD: the static protocol holding this prefix */
  birdProtocol: string;
}

export interface ServiceModel {
  name: string;
  /** the peers its prefixes are announced to (services[].peers; every peer by default) */
  peers: string[];
  announce: Announce;
  attrs: RouteAttrs | null;
  prefixes: PrefixToggle[];
  /**
   * FRR: the route-map a `network` statement names in each state this service can be announced
   * in (null: a plain `network P`). Every one of them exists in the config, whatever the current
   * state, so the fast path only ever adds, removes or swaps `network` statements.
   */
  frrRouteMapByState: Partial<Record<Exclude<Announce, "withdrawn">, string | null>>;
  /** BIRD static protocols of this service, one per family, and whether each is disabled */
  birdProtocols: { name: string; family: Family; disabled: boolean }[];
}

// ------------------------------------------------------------------------------------ FRR

export interface FrrPrefixListEntry {
  seq: number;
  action: "permit" | "deny";
  /** a prefix, or "any" */
  match: string;
}

export interface FrrPrefixList {
  name: string;
  /** "ip" or "ipv6" */
  keyword: "ip" | "ipv6";
  entries: FrrPrefixListEntry[];
}

export interface FrrAsPathList {
  name: string;
  entries: { seq: number; action: "permit" | "deny"; regex: string }[];
}

export interface FrrRouteMapEntry {
  action: "permit" | "deny";
  seq: number;
  /** bodies of `match ...` statements, e.g. "ip address prefix-list SVCR-EXPORT-V4" */
  matches: string[];
  /** bodies of `set ...` statements, e.g. "metric 100" */
  sets: string[];
}

export interface FrrRouteMap {
  name: string;
  comment: string;
  entries: FrrRouteMapEntry[];
}

/** The route-map a service's `network` statement names in one state: one permit entry of `set`s. */
export interface FrrServiceRouteMap {
  name: string;
  /** who uses it, for the comment: "service dns", "services a, b, c, d and 12 more" */
  services: string;
  state: Exclude<Announce, "withdrawn">;
  /** the permit entry of `set`s, after the entry every route-map starts with (FRR_FIRST_ENTRY) */
  entries: FrrRouteMapEntry[];
}

/** null values are bfdd's defaults (300 ms, 3), which FRR leaves out of its running config */
export interface FrrBfdProfile {
  name: string;
  detectMultiplier: number | null;
  receiveIntervalMs: number | null;
  transmitIntervalMs: number | null;
}

export interface FrrNeighbor {
  /** what follows `neighbor`: an address, or an interface name for unnumbered peers */
  key: string;
  peer: string;
  /** `remote-as ...` ("interface remote-as ..." for unnumbered) */
  remoteAs: string;
  interface: boolean;
  updateSource: string | null;
  ttlSecurityHops: number | null;
  ebgpMultihop: number | null;
  password: Secret | null;
  keepalive: number;
  hold: number;
  connectRetry: number;
  bfdProfile: string | null;
  /** per-neighbor graceful restart statement, e.g. "graceful-restart"; null = inherit global */
  gracefulRestart: string | null;
  /** IPv4 over an IPv6 (numbered) session */
  extendedNexthop: boolean;
}

export interface FrrAfNeighbor {
  key: string;
  routeMapIn: string;
  routeMapOut: string;
  maximumPrefix: number;
}

export interface FrrAddressFamily {
  /** "ipv4 unicast" | "ipv6 unicast" */
  name: string;
  family: Family;
  /** `network ...` statements of the announced prefixes, in prefix order */
  networks: string[];
  maximumPaths: number | null;
  maximumPathsIbgp: number | null;
  neighbors: FrrAfNeighbor[];
}

export interface FrrModel {
  header: HeaderModel;
  logFile: string | null;
  routeMapDelaySeconds: number;
  prefixLists: FrrPrefixList[];
  asPathLists: FrrAsPathList[];
  /** import/export policy route-maps */
  routeMaps: FrrRouteMap[];
  serviceRouteMaps: FrrServiceRouteMap[];
  bfdProfiles: FrrBfdProfile[];
  bgp: {
    asn: number;
    routerId: string | null;
    /** global `bgp graceful-restart-disable` */
    gracefulRestartDisable: boolean;
    /** the first-AS check, stated where the version has the global knob (null: FRR 8.4, no line) */
    enforceFirstAs: "no bgp enforce-first-as" | null;
    multipathRelax: boolean;
    neighbors: FrrNeighbor[];
    addressFamilies: FrrAddressFamily[];
  };
}

// ----------------------------------------------------------------------------------- BIRD

export interface BirdSet {
  name: string;
  family: Family;
  /** what it holds, for the comment */
  comment: string;
  prefixes: string[];
}

export interface BirdStatic {
  name: string;
  service: string;
  channel: "ipv4" | "ipv6";
  disabled: boolean;
  announce: Announce;
  prefixes: string[];
}

/** prefixes sharing one set of export attributes */
export interface BirdAttrBundle {
  comment: string;
  prefixes: string[];
  /** filter statements, e.g. "bgp_med = 100" */
  statements: string[];
}

export interface BirdAttrFunction {
  name: string;
  family: Family;
  bundles: BirdAttrBundle[];
}

export interface BirdExportFilter {
  name: string;
  peer: string;
  family: Family;
  /** protocol name pattern of the service statics, e.g. "svc4_*" */
  protoPattern: string;
  exportSet: string;
  attrFunction: string;
}

export interface BirdImportFilter {
  name: string;
  family: Family;
  defaultNet: string;
}

export interface BirdKernel {
  name: string;
  channel: "ipv4" | "ipv6";
  defaultNet: string;
  mergePathsLimit: number;
  /**
   * A multihop peer's next hop is resolved recursively through the table: the kernel protocol
   * then learns the kernel's routes and a `direct` protocol (named here) adds the connected
   * networks; null: no multihop peer in this family (`learn no`, `import none`).
   */
  resolveNextHopsVia: string | null;
}

export interface BirdChannel {
  channel: "ipv4" | "ipv6";
  /** body after `import`: "none" or "filter NAME" */
  import: string;
  importLimit: number;
  exportFilter: string;
  extendedNextHop: boolean;
}

export interface BirdPeer {
  protocol: string;
  peer: string;
  /** body after `local`: "ADDR as ASN" or "as ASN" */
  local: string;
  /** body after `neighbor`: "ADDR as ASN" | "ADDR external" | "ADDR internal" */
  neighbor: string;
  direct: boolean;
  multihop: number | null;
  ttlSecurity: boolean;
  hold: number;
  /** null when hold is 0 (no keepalives) */
  keepalive: number | null;
  /** seconds from the protocol's start to its first connect */
  connectDelay: number;
  connectRetry: number;
  errorWaitMin: number;
  errorWaitMax: number;
  gracefulRestart: "on" | "off";
  password: Secret | null;
  /** `authentication md5;` beside the password, for BIRD versions that also know TCP-AO */
  authentication: "md5" | null;
  bfd: { minRxMs: number; minTxMs: number; multiplier: number } | null;
  channels: BirdChannel[];
}

export interface BirdModel {
  header: HeaderModel;
  device: string;
  routerId: string | null;
  logFile: string | null;
  sets: BirdSet[];
  statics: BirdStatic[];
  attrFunctions: BirdAttrFunction[];
  exportFilters: BirdExportFilter[];
  importFilters: BirdImportFilter[];
  bfd: { name: string } | null;
  kernels: BirdKernel[];
  peers: BirdPeer[];
}

// ---------------------------------------------------------------------------------- both

/** The daemon views (`frr`, `bird`, `birdUnsupported`) are built on first use and then kept. */
export interface RoutingModel {
  header: HeaderModel;
  asn: number;
  services: ServiceModel[];
  readonly frr: FrrModel;
  /** null when the manifest uses something BIRD cannot do (the reason says what) */
  readonly bird: BirdModel | null;
  readonly birdUnsupported: string | null;
  /** which daemon the manifest names */
  daemon: DaemonType;
}

const indexes = new WeakMap<readonly { name: string }[], Map<string, { name: string }>>();

/** an element of a list by name; the index is kept with the list, which is never changed (a stop toggles every service) */
export function named<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  let m = indexes.get(list);
  if (!m) indexes.set(list, (m = new Map(list.map((s) => [s.name, s]))));
  return m.get(name) as T | undefined;
}

/** a service of the model by name */
export const serviceNamed = (model: RoutingModel, name: string): ServiceModel | undefined => named(model.services, name);
