// What the fabric looks like right now: the ToRs' BGP state (vtysh JSON) and kernel routes.
import { isIP } from "node:net";
import type { RunOptions, RunResult } from "./exec.js";
import { torNeighbor } from "./tor-config.js";
import type { Family, LinkPlan, TorPlan } from "./topology.js";

/** the part of a Lab the observers need (kept narrow so lab.ts and this file don't import each other) */
export interface Observable {
  tor(name: string): TorPlan;
  link(host: string, tor: string): LinkPlan;
  vtyshJson<T = unknown>(node: string, command: string): Promise<T>;
  exec(node: string, cmd: string, args?: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

export interface BgpPath {
  peer: string;
  asPath: string;
  nexthops: string[];
  valid: boolean;
  best: boolean;
  multipath: boolean;
}

export interface BgpRoute {
  prefix: string;
  paths: BgpPath[];
  /** paths used for forwarding: the best one plus its multipath siblings */
  ecmp: number;
}

export interface Session {
  /** the neighbour as FRR names it: an address, or an interface for unnumbered peers */
  peer: string;
  family: Family;
  /** the host behind this neighbour, when it is one of the fabric's links */
  host: string | undefined;
  state: string;
  remoteAs: number;
  uptimeMs: number;
  connectionsEstablished: number;
  connectionsDropped: number;
  pfxRcd: number;
  pfxSnt: number;
}

export interface KernelNexthop {
  gateway: string | undefined;
  dev: string | undefined;
}

export interface KernelRoute {
  dst: string;
  protocol: string | undefined;
  /** one entry per path: a single-path route has one, an ECMP route several */
  nexthops: KernelNexthop[];
}

interface FrrPathJson {
  peerId?: string;
  path?: string;
  valid?: boolean;
  bestpath?: boolean;
  multipath?: boolean;
  nexthops?: { ip?: string }[];
}

interface FrrPeerJson {
  state?: string;
  remoteAs?: number;
  peerUptimeMsec?: number;
  connectionsEstablished?: number;
  connectionsDropped?: number;
  pfxRcd?: number;
  pfxSnt?: number;
}

type FrrSummaryJson = Partial<Record<"ipv4Unicast" | "ipv6Unicast", { peers?: Record<string, FrrPeerJson> }>>;

/** a next hop of another family (an IPv4 route via an IPv6 link-local, RFC 5549) comes as `via` */
interface IpNexthopJson {
  gateway?: string;
  via?: { family?: string; host?: string };
  dev?: string;
}

interface IpRouteJson extends IpNexthopJson {
  dst: string;
  protocol?: string;
  nexthops?: IpNexthopJson[];
}

const nexthopOf = (n: IpNexthopJson): KernelNexthop => ({ gateway: n.gateway ?? n.via?.host, dev: n.dev });

export const familyOf = (prefix: string): Family => (isIP(prefix.split("/")[0] ?? "") === 6 ? "ipv6" : "ipv4");

function toRoute(prefix: string, paths: FrrPathJson[]): BgpRoute {
  const parsed = paths.map(
    (p): BgpPath => ({
      peer: p.peerId ?? "",
      asPath: p.path ?? "",
      nexthops: (p.nexthops ?? []).map((n) => n.ip ?? "").filter(Boolean),
      valid: p.valid === true,
      best: p.bestpath === true,
      multipath: p.multipath === true,
    }),
  );
  return { prefix, paths: parsed, ecmp: parsed.filter((p) => p.valid && (p.best || p.multipath)).length };
}

export class Observers {
  constructor(private readonly lab: Observable) {}

  /** `show bgp <family> unicast json` of a ToR, by prefix */
  async bgpTable(tor: string, family: Family = "ipv4"): Promise<Map<string, BgpRoute>> {
    const j = await this.lab.vtyshJson<{ routes?: Record<string, FrrPathJson[]> }>(tor, `show bgp ${family} unicast json`);
    return new Map(Object.entries(j.routes ?? {}).map(([p, paths]) => [p, toRoute(p, paths)]));
  }

  async route(tor: string, prefix: string): Promise<BgpRoute | undefined> {
    return (await this.bgpTable(tor, familyOf(prefix))).get(prefix);
  }

  async hasRoute(tor: string, prefix: string): Promise<boolean> {
    return (await this.route(tor, prefix)) !== undefined;
  }

  /** number of equal-cost paths the ToR uses for `prefix` (0 when absent) */
  async ecmp(tor: string, prefix: string): Promise<number> {
    return (await this.route(tor, prefix))?.ecmp ?? 0;
  }

  /** every BGP session of a ToR, both families (`show bgp summary json`) */
  async sessions(tor: string): Promise<Session[]> {
    const t = this.lab.tor(tor);
    const j = await this.lab.vtyshJson<FrrSummaryJson>(tor, "show bgp summary json");
    const out: Session[] = [];
    for (const [key, family] of [["ipv4Unicast", "ipv4"], ["ipv6Unicast", "ipv6"]] as const) {
      for (const [peer, p] of Object.entries(j[key]?.peers ?? {})) {
        out.push({
          peer,
          family,
          host: t.links.find((l) => l.families.includes(family) && torNeighbor(l, family) === peer)?.host,
          state: p.state ?? "unknown",
          remoteAs: p.remoteAs ?? 0,
          uptimeMs: p.peerUptimeMsec ?? 0,
          connectionsEstablished: p.connectionsEstablished ?? 0,
          connectionsDropped: p.connectionsDropped ?? 0,
          pfxRcd: p.pfxRcd ?? 0,
          pfxSnt: p.pfxSnt ?? 0,
        });
      }
    }
    return out;
  }

  /** the ToR's session with `host` for one family (undefined when not configured) */
  async session(tor: string, host: string, family: Family = "ipv4"): Promise<Session | undefined> {
    const peer = torNeighbor(this.lab.link(host, tor), family);
    return (await this.sessions(tor)).find((s) => s.family === family && s.peer === peer);
  }

  /** "Established", "Active", … ("absent" when the ToR has no such session) */
  async sessionState(tor: string, host: string, family: Family = "ipv4"): Promise<string> {
    return (await this.session(tor, host, family))?.state ?? "absent";
  }

  /** prefixes the ToR accepted from `host` (after its import policy) */
  async received(tor: string, host: string, family: Family = "ipv4"): Promise<string[]> {
    const peer = torNeighbor(this.lab.link(host, tor), family);
    const j = await this.lab.vtyshJson<{ routes?: Record<string, unknown> }>(tor, `show bgp ${family} unicast neighbors ${peer} routes json`);
    return Object.keys(j.routes ?? {}).sort();
  }

  /**
   * prefixes `host` sent the ToR, before the ToR's import policy (needs the host's
   * `torSession.keepReceived`). `session` picks the session by its own family (default `family`):
   * with `torSession.allFamilies` the IPv4 session can be asked for IPv6 routes and vice versa.
   */
  async receivedRaw(tor: string, host: string, family: Family = "ipv4", session: Family = family): Promise<string[]> {
    const peer = torNeighbor(this.lab.link(host, tor), session);
    const j = await this.lab.vtyshJson<{ receivedRoutes?: Record<string, unknown> }>(tor, `show bgp ${family} unicast neighbors ${peer} received-routes json`);
    return Object.keys(j.receivedRoutes ?? {}).sort();
  }

  /** prefixes the ToR sends to `host`; a default-originate shows as 0.0.0.0/0 or ::/0 */
  async advertised(tor: string, host: string, family: Family = "ipv4"): Promise<string[]> {
    const peer = torNeighbor(this.lab.link(host, tor), family);
    const j = await this.lab.vtyshJson<{ advertisedRoutes?: Record<string, unknown>; bgpOriginatingDefaultNetwork?: string }>(
      tor,
      `show bgp ${family} unicast neighbors ${peer} advertised-routes json`,
    );
    const routes = Object.keys(j.advertisedRoutes ?? {});
    if (j.bgpOriginatingDefaultNetwork) routes.push(j.bgpOriginatingDefaultNetwork);
    return routes.sort();
  }

  /** the node's kernel routing table (main), from `ip -j route` */
  async kernelRoutes(node: string, family: Family = "ipv4"): Promise<KernelRoute[]> {
    const r = await this.lab.exec(node, "ip", ["-j", family === "ipv4" ? "-4" : "-6", "route", "show", "table", "main"]);
    const routes = JSON.parse(r.stdout || "[]") as IpRouteJson[];
    return routes.map((x) => ({
      dst: x.dst === "default" ? (family === "ipv4" ? "0.0.0.0/0" : "::/0") : x.dst,
      protocol: x.protocol,
      nexthops: x.nexthops ? x.nexthops.map(nexthopOf) : [nexthopOf(x)],
    }));
  }

  /** the node's kernel route to `dst` ("default" or a prefix; a bare address means /32 or /128) */
  async kernelRoute(node: string, dst: string, family?: Family): Promise<KernelRoute | undefined> {
    const fam = family ?? (dst === "default" ? "ipv4" : familyOf(dst));
    const want = dst === "default" ? (fam === "ipv4" ? "0.0.0.0/0" : "::/0") : dst;
    const bare = want.replace(/\/(32|128)$/, "");
    return (await this.kernelRoutes(node, fam)).find((r) => r.dst === want || r.dst === bare);
  }

  /** the default route a routing daemon installed (protocol bgp/bird), ignoring e.g. IPv6 RA defaults */
  async defaultRoute(node: string, family: Family = "ipv4"): Promise<KernelRoute | undefined> {
    const all = await this.kernelRoutes(node, family);
    return all.find((r) => (r.dst === "0.0.0.0/0" || r.dst === "::/0") && (r.protocol === "bgp" || r.protocol === "bird"));
  }
}
