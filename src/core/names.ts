// Every name svcroute puts into a daemon config, derived from the manifest's slugs ([a-z0-9-],
// no "_"). Each scheme is injective: a fixed prefix, then the slug (upper-cased for FRR, "-"→"_"
// for BIRD), so two services or peers can never share a derived name.
import { createHash } from "node:crypto";
import type { Family } from "../manifest/ip.js";

const up = (slug: string) => slug.toUpperCase();
const ident = (slug: string) => slug.replace(/-/g, "_");
const v = (f: Family) => `V${f}`;

export const frrNames = {
  exportPrefixList: (f: Family) => `SVCR-EXPORT-${v(f)}`,
  /** a peer's own export list, where some service is not announced to it */
  peerExportPrefixList: (f: Family, peer: string) => `SVCR-EXPORT-${v(f)}-${up(peer)}`,
  defaultPrefixList: (f: Family) => `SVCR-DEFAULT-${v(f)}`,
  localAsPath: "SVCR-LOCAL-ORIGIN",
  routeMapIn: (f: Family) => `SVCR-IN-${v(f)}`,
  routeMapOut: (f: Family, peer: string) => `SVCR-OUT-${v(f)}-${up(peer)}`,
  // Route-maps that set attributes are shared by every service with the same attributes (FRR 8.4
  // spends time quadratic in the number of route-maps), and named by what they set, so the name
  // of a service's route-map changes only when its own attributes do. See attrsId.
  normal: (attrsId: string) => `SVCR-NORMAL-${attrsId}`,
  deprefer: (attrsId: string) => `SVCR-DEPREFER-${attrsId}`,
  gracefulShutdown: (attrsId: string) => `SVCR-GSHUT-${attrsId}`,
  bfdProfile: (peer: string) => `SVCR-BFD-${up(peer)}`,
  addressFamily: (f: Family) => (f === 4 ? "ipv4 unicast" : "ipv6 unicast"),
};

export const birdNames = {
  device: "svcr_device",
  bfd: "svcr_bfd",
  kernel: (f: Family) => `svcr_kernel${f}`,
  direct: (f: Family) => `svcr_direct${f}`,
  exportSet: (f: Family) => `SVCR_EXPORT${f}`,
  peerExportSet: (f: Family, peer: string) => `SVCR_EXPORT${f}_${ident(peer)}`,
  attrFunction: (f: Family) => `svcr_attrs${f}`,
  importFilter: (f: Family) => `svcr_in${f}`,
  exportFilter: (f: Family, peer: string) => `svcr_out${f}_${ident(peer)}`,
  /** service statics: the fast path toggles these with `birdc disable|enable` */
  static: (f: Family, svc: string) => `svc${f}_${ident(svc)}`,
  staticPattern: (f: Family) => `svc${f}_*`,
  peer: (peer: string) => `peer_${ident(peer)}`,
  /** every BGP protocol and nothing else: what session reads ask for, whatever the services */
  peerPattern: "peer_*",
  channel: (f: Family) => (f === 4 ? ("ipv4" as const) : ("ipv6" as const)),
};

export const defaultNet = (f: Family) => (f === 4 ? "0.0.0.0/0" : "::/0");

const ids = new Map<string, string>();

/**
 * a short stable id of a set of route attributes (build-frr refuses a config where two differ);
 * remembered, as thousands of services share a few sets
 */
export function attrsId(attrsKey: string): string {
  let id = ids.get(attrsKey);
  if (id === undefined) {
    if (ids.size >= 100_000) ids.clear();
    id = createHash("sha256").update(attrsKey).digest("hex").slice(0, 10).toUpperCase();
    ids.set(attrsKey, id);
  }
  return id;
}
