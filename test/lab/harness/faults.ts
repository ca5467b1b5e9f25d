// Fault injectors: crash or freeze a daemon, cut a link, lose a peer silently, drop a service address.
import { parseServicePrefix } from "./allowed.js";
import { signalDaemons } from "./daemons.js";
import { addressLine, ipIn } from "./netns.js";
import type { DaemonPaths, HostPlan, LinkPlan } from "./topology.js";

export interface Faultable {
  host(name: string): HostPlan;
  link(host: string, tor: string): LinkPlan;
  ns(node: string): string;
  paths(node: string): DaemonPaths;
}

export type Side = "host" | "tor" | "both";

/** a MAC nobody has: frames to it vanish, like a peer that died without a word */
export const BLACKHOLE_MAC = "02:00:00:00:00:99";

export class Faults {
  constructor(private readonly lab: Faultable) {}

  /** Kills the node's daemons (all, or e.g. ["bgpd"]) and waits until they are gone. */
  kill(node: string, opts: { daemons?: string[]; signal?: "SIGKILL" | "SIGTERM" } = {}): Promise<number[]> {
    return signalDaemons(this.lab.paths(node), opts.signal ?? "SIGKILL", opts.daemons);
  }

  /** SIGSTOP: the daemon keeps its sockets but stops talking (keepalives, BFD) */
  pause(node: string, daemons?: string[]): Promise<number[]> {
    return signalDaemons(this.lab.paths(node), "SIGSTOP", daemons);
  }

  /** SIGCONT after pause */
  resume(node: string, daemons?: string[]): Promise<number[]> {
    return signalDaemons(this.lab.paths(node), "SIGCONT", daemons);
  }

  private async setLink(host: string, tor: string, state: "up" | "down", side: Side): Promise<void> {
    const l = this.lab.link(host, tor);
    const work: Promise<void>[] = [];
    if (side !== "tor") work.push(ipIn(this.lab.ns(host), [`link set ${l.hostIf} ${state}`]));
    if (side !== "host") work.push(ipIn(this.lab.ns(tor), [`link set ${l.torIf} ${state}`]));
    await Promise.all(work);
  }

  /** Administratively downs the link's end(s); a veth peer then loses carrier too. */
  linkDown(host: string, tor: string, side: Side = "host"): Promise<void> {
    return this.setLink(host, tor, "down", side);
  }

  linkUp(host: string, tor: string, side: Side = "host"): Promise<void> {
    return this.setLink(host, tor, "up", side);
  }

  private neighborLines(host: string, tor: string, op: "replace" | "del", side: Side): [string, string[]][] {
    const l = this.lab.link(host, tor);
    const line = (addr: string, dev: string): string =>
      op === "replace" ? `neigh replace ${addr} lladdr ${BLACKHOLE_MAC} dev ${dev} nud permanent` : `neigh del ${addr} dev ${dev}`;
    const out: [string, string[]][] = [];
    if (side !== "tor") out.push([this.lab.ns(host), [l.tor4, l.tor6, l.torLL].map((a) => line(a, l.hostIf))]);
    if (side !== "host") out.push([this.lab.ns(tor), [l.host4, l.host6, l.hostLL].map((a) => line(a, l.torIf))]);
    return out;
  }

  /**
   * Silent peer loss: the host's (or ToR's) neighbour entries for the other end point to a MAC
   * nobody has, so packets vanish while the link stays up. Only hold timers or BFD notice.
   */
  async poison(host: string, tor: string, side: Side = "host"): Promise<void> {
    await Promise.all(this.neighborLines(host, tor, "replace", side).map(([ns, lines]) => ipIn(ns, lines)));
  }

  /** Drops the poisoned entries so the neighbours are resolved again. */
  async unpoison(host: string, tor: string, side: Side = "host"): Promise<void> {
    // `ip -batch` stops at the first failure; a missing entry is fine, so one call per entry
    const calls = this.neighborLines(host, tor, "del", side).flatMap(([ns, lines]) => lines.map((l) => ipIn(ns, [l]).catch(() => undefined)));
    await Promise.all(calls);
  }

  /** Removes a service address from the host (default: its service interface). */
  async removeAddress(host: string, prefix: string, dev?: string): Promise<void> {
    const h = this.lab.host(host);
    const p = parseServicePrefix(prefix);
    await ipIn(h.ns, [addressLine("del", dev ?? h.serviceDev, p.text, p.family)]);
  }

  /** Puts a service address (back) on the host. */
  async addAddress(host: string, prefix: string, dev?: string): Promise<void> {
    const h = this.lab.host(host);
    const p = parseServicePrefix(prefix);
    await ipIn(h.ns, [addressLine("add", dev ?? h.serviceDev, p.text, p.family)]);
  }
}
