// The bench's one fabric. tor1 logs every received UPDATE (and every RIB change it sends to
// zebra) with microsecond timestamps: the latency and stability hosts peer with it. tor2 logs
// nothing extra (logging 10,000 prefixes would slow it down): the scale and footprint hosts.
import type { Topology } from "../lab/harness/topology.js";

export const FABRIC: Topology = {
  tors: [
    { name: "tor1", asn: 65001, debugUpdates: true, extraConfig: "debug bgp zebra" },
    { name: "tor2", asn: 65002 },
  ],
  hosts: [
    // latency + stability: svcroute on BIRD and FRR, ExaBGP (baseline A), naive BIRD and FRR (baseline B)
    { name: "sb", daemon: "bird", links: ["tor1"] },
    { name: "sf", daemon: "frr", links: ["tor1"] },
    { name: "ex", daemon: "none", links: ["tor1"], families: ["ipv4"] },
    { name: "nb", daemon: "bird", links: ["tor1"], families: ["ipv4"] },
    { name: "nf", daemon: "frr", links: ["tor1"], families: ["ipv4"] },
    // scale (both families: 10,000 prefixes need IPv6 /128s) and footprint
    { name: "kb", daemon: "bird", links: ["tor2"] },
    { name: "kf", daemon: "frr", links: ["tor2"] },
    { name: "fp", daemon: "bird", links: ["tor2"], families: ["ipv6"] },
  ],
};
