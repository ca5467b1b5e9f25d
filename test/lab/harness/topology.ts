// A fabric described as a plain object, and its resolution into concrete names, addresses and
// paths. Resolution is pure, so the same topology always yields the same lab.
import { join } from "node:path";
import { DAEMON_SETS, type DaemonBuild, type DaemonSet } from "./daemon-sets.js";
import { linkAddresses, hostRouterId, torRouterId, MAX_LINKS, type LinkAddresses } from "./addressing.js";
import { parseServicePrefix, type HostPrefix } from "./allowed.js";
import { LabError } from "./errors.js";
import { NODE_NAME, hostIfName, nsName, torIfName, SERVICE_IFB } from "./naming.js";

export type Family = "ipv4" | "ipv6";
export type HostDaemon = "frr" | "bird" | "none";
export type Peering = "numbered" | "unnumbered";

export interface TorSpec {
  name: string;
  asn: number;
  /** send 0.0.0.0/0 and ::/0 to hosts (default true) */
  defaultOriginate?: boolean;
  /** BFD (100 ms × 3) toward every host; a host can opt out with `torBfd: false` (default false) */
  bfd?: boolean;
  /** ECMP width for host prefixes (default 8) */
  maximumPaths?: number;
  /** BGP keepalive/hold in seconds toward hosts (default: FRR datacenter, 3/9) */
  timers?: { keepalive: number; hold: number };
  /** `debug bgp updates in` with microsecond timestamps, for measuring withdrawal latency */
  debugUpdates?: boolean;
  /** verbatim FRR config appended to the rendered one */
  extraConfig?: string;
}

/** Options of the ToR's sessions toward one host (they match what the host's config asks for). */
export interface TorSessionSpec {
  /** GTSM: `neighbor N ttl-security hops 1` (default false) */
  ttlSecurity?: boolean;
  /** TCP-MD5: `neighbor N password P` */
  password?: string;
  /**
   * keep what the host sends before the ToR's import policy (`soft-reconfiguration inbound`), so
   * `observe.receivedRaw` shows anything the host leaks, even what the policy would drop (default false)
   */
  keepReceived?: boolean;
  /**
   * offer both families on every session toward this host: the IPv4 session also activates IPv6
   * and vice versa, so a host that spoke the wrong family there would be heard (default false)
   */
  allFamilies?: boolean;
}

export interface HostSpec {
  name: string;
  daemon: HostDaemon;
  /** ToR names, one per uplink, in order: eth0 goes to links[0], eth1 to links[1] */
  links: string[];
  /** default 65101, 65102, … by position */
  asn?: number;
  /** address families the ToR peers with on each link (default both) */
  families?: Family[];
  /** numbered: sessions to the host's 169.254/fd00 addresses; unnumbered: FRR `neighbor swpN interface` */
  peering?: Peering;
  /** whether the ToR runs BFD toward this host (default: the ToR's `bfd`) */
  torBfd?: boolean;
  /** further options of the ToR's sessions toward this host */
  torSession?: TorSessionSpec;
  /** where service addresses live: `lo` (default) or the ifb device `svc0` */
  serviceDev?: "lo" | typeof SERVICE_IFB;
  /** service addresses present from the start (/32, /128) */
  addresses?: string[];
  /** the daemon's config text; a function gets the resolved host (addresses, paths, ASN) */
  config?: string | ((host: HostPlan) => string);
}

export interface Topology {
  tors: TorSpec[];
  hosts: HostSpec[];
}

export interface LinkPlan extends LinkAddresses {
  /** 1-based, unique in the fabric */
  index: number;
  host: string;
  tor: string;
  hostIf: string;
  torIf: string;
  families: Family[];
  peering: Peering;
  bfd: boolean;
  /** the ToR's side of the session options (see TorSessionSpec) */
  torSession: Required<Omit<TorSessionSpec, "password">> & { password: string | undefined };
  hostAsn: number;
  torAsn: number;
}

export interface FrrPaths {
  kind: "frr";
  /** the root filesystem the daemons run from (chroot), null for this machine's own */
  root: string | null;
  dir: string;
  /** integrated config (frr-reload.py: --confdir dir, this file) */
  configFile: string;
  /** vty socket directory, also the rundir with pid files */
  socket: string;
  logFile: string;
}

export interface BirdPaths {
  kind: "bird";
  /** the root filesystem BIRD runs from (chroot), null for this machine's own */
  root: string | null;
  dir: string;
  configFile: string;
  /** control socket for birdc -s */
  socket: string;
  pidFile: string;
  logFile: string;
}

export type DaemonPaths = FrrPaths | BirdPaths;

export interface TorPlan {
  name: string;
  ns: string;
  asn: number;
  routerId: string;
  defaultOriginate: boolean;
  bfd: boolean;
  maximumPaths: number;
  timers: { keepalive: number; hold: number } | undefined;
  debugUpdates: boolean;
  extraConfig: string;
  paths: FrrPaths;
  links: LinkPlan[];
}

export interface HostPlan {
  name: string;
  ns: string;
  asn: number;
  routerId: string;
  daemon: HostDaemon;
  serviceDev: string;
  addresses: HostPrefix[];
  /** undefined for daemon "none" */
  paths: DaemonPaths | undefined;
  /** which FRR or BIRD it runs (undefined for daemon "none") */
  build: DaemonBuild | undefined;
  /** a node directory for the caller's own files (e.g. a svcroute manifest), even for "none" */
  dir: string;
  links: LinkPlan[];
  config: HostSpec["config"];
}

export interface FabricPlan {
  id: string;
  dir: string;
  /** the daemon builds of the hosts */
  daemons: DaemonSet;
  tors: TorPlan[];
  hosts: HostPlan[];
  links: LinkPlan[];
}

export function frrPaths(dir: string, root: string | null = null): FrrPaths {
  return { kind: "frr", root, dir, configFile: join(dir, "frr.conf"), socket: join(dir, "run"), logFile: join(dir, "frr.log") };
}

export function birdPaths(dir: string, root: string | null = null): BirdPaths {
  return {
    kind: "bird",
    root,
    dir,
    configFile: join(dir, "bird.conf"),
    socket: join(dir, "bird.ctl"),
    pidFile: join(dir, "bird.pid"),
    logFile: join(dir, "bird.log"),
  };
}

function checkNames(t: Topology): void {
  const seen = new Set<string>();
  for (const n of [...t.tors.map((x) => x.name), ...t.hosts.map((x) => x.name)]) {
    if (!NODE_NAME.test(n)) throw new LabError(`node name ${JSON.stringify(n)} must match ${NODE_NAME}`);
    if (seen.has(n)) throw new LabError(`node name ${n} is used twice`);
    seen.add(n);
  }
}

function checkAsn(asn: number, who: string): void {
  if (!Number.isInteger(asn) || asn < 1 || asn > 4294967294) throw new LabError(`${who}: ASN ${asn} is not valid`);
}

/** `daemons`: the builds the hosts run (ToRs always run this machine's FRR) */
export function resolveTopology(t: Topology, id: string, dir: string, daemons: DaemonSet = DAEMON_SETS.debian12): FabricPlan {
  if (t.tors.length === 0) throw new LabError("a topology needs at least one ToR");
  checkNames(t);
  const tors = t.tors.map((s, i): TorPlan => {
    checkAsn(s.asn, s.name);
    const tdir = join(dir, s.name);
    return {
      name: s.name,
      ns: nsName(id, s.name),
      asn: s.asn,
      routerId: torRouterId(i + 1),
      defaultOriginate: s.defaultOriginate ?? true,
      bfd: s.bfd ?? false,
      maximumPaths: s.maximumPaths ?? 8,
      timers: s.timers,
      debugUpdates: s.debugUpdates ?? false,
      extraConfig: s.extraConfig ?? "",
      paths: frrPaths(tdir),
      links: [],
    };
  });
  const torByName = new Map(tors.map((x) => [x.name, x]));
  const links: LinkPlan[] = [];
  const hosts = t.hosts.map((s, i): HostPlan => {
    const asn = s.asn ?? 65101 + i;
    checkAsn(asn, s.name);
    if (s.links.length === 0) throw new LabError(`host ${s.name} has no links`);
    if (new Set(s.links).size !== s.links.length) throw new LabError(`host ${s.name} links to the same ToR twice`);
    const families = s.families ?? ["ipv4", "ipv6"];
    if (families.length === 0) throw new LabError(`host ${s.name}: families is empty`);
    const hlinks = s.links.map((torName, k): LinkPlan => {
      const tor = torByName.get(torName);
      if (!tor) throw new LabError(`host ${s.name} links to unknown ToR ${torName}`);
      const index = links.length + 1;
      if (index > MAX_LINKS) throw new LabError(`more than ${MAX_LINKS} links`);
      const link: LinkPlan = {
        ...linkAddresses(index),
        index,
        host: s.name,
        tor: torName,
        hostIf: hostIfName(k),
        torIf: torIfName(tor.links.length + 1),
        families,
        peering: s.peering ?? "numbered",
        bfd: s.torBfd ?? tor.bfd,
        torSession: {
          ttlSecurity: s.torSession?.ttlSecurity ?? false,
          password: s.torSession?.password,
          keepReceived: s.torSession?.keepReceived ?? false,
          allFamilies: s.torSession?.allFamilies ?? false,
        },
        hostAsn: asn,
        torAsn: tor.asn,
      };
      tor.links.push(link);
      links.push(link);
      return link;
    });
    const hdir = join(dir, s.name);
    return {
      name: s.name,
      ns: nsName(id, s.name),
      asn,
      routerId: hostRouterId(i + 1),
      daemon: s.daemon,
      serviceDev: s.serviceDev ?? "lo",
      addresses: (s.addresses ?? []).map(parseServicePrefix),
      paths: s.daemon === "frr" ? frrPaths(hdir, daemons.frr.root) : s.daemon === "bird" ? birdPaths(hdir, daemons.bird.root) : undefined,
      build: s.daemon === "none" ? undefined : daemons[s.daemon],
      dir: hdir,
      links: hlinks,
      config: s.config,
    };
  });
  return { id, dir, daemons, tors, hosts, links };
}
