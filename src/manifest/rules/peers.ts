// Cross-field rules about the router and its peers: usable ASNs, peers named by services,
// endpoints, a derivable router ID, families, daemon-specific limits, daemon paths.
import { suggestKey } from "../suggest.js";
import { formatIP, parseIP, parsePrefix } from "../ip.js";
import { isObj, arr, services, peers, daemonType, duplicates, type Path, type RuleIssue, type Obj } from "./raw.js";

/** Reserved/special ASNs (RFC 7300, 6996, 5398, 4893): never valid for a host. */
function reservedAsnReason(asn: number): string | undefined {
  if (asn === 0) return "AS 0 is reserved (RFC 7607)";
  if (asn === 23456) return "AS 23456 is AS_TRANS (RFC 6793), not a real ASN";
  if (asn >= 64496 && asn <= 64511) return "64496-64511 are documentation ASNs (RFC 5398)";
  if (asn === 65535) return "AS 65535 is reserved (RFC 7300)";
  if (asn >= 65536 && asn <= 65551) return "65536-65551 are documentation ASNs (RFC 5398)";
  if (asn >= 65552 && asn <= 131071) return "65552-131071 are reserved by IANA";
  if (asn === 4294967295) return "AS 4294967295 is reserved (RFC 7300)";
  return undefined;
}

export function asnNotReserved(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  const check = (v: unknown, path: Path) => {
    if (typeof v !== "number" || !Number.isInteger(v)) return;
    const why = reservedAsnReason(v);
    if (why) out.push({ path, message: `ASN ${v} cannot be used: ${why}`, hint: "private ASNs are 64512-65534 and 4200000000-4294967294" });
  };
  if (isObj(m.router)) check(m.router.asn, ["router", "asn"]);
  for (const [p, i] of peers(m)) check(p.remote_asn, ["peers", i, "remote_asn"]);
  return out;
}

/** services[].peers names peers of this manifest, each once */
export function servicePeersKnown(m: Obj): RuleIssue[] {
  const known = peers(m).flatMap(([p]) => (typeof p.name === "string" ? [p.name] : []));
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    const items: [string, Path][] = [];
    arr(s.peers).forEach((n, j) => {
      if (typeof n !== "string") return;
      items.push([n, ["services", i, "peers", j]]);
      if (!known.includes(n)) {
        const near = suggestKey(n, known);
        out.push({
          path: ["services", i, "peers", j],
          message: `no peer is named "${n}" (peers: ${known.join(", ")})`,
          hint: near ? `did you mean "${near}"?` : "name a peer from the manifest's `peers`, or add that peer",
        });
      }
    });
    out.push(...duplicates(items, (x) => x, "peer"));
  }
  return out;
}

export function peerEndpoints(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  const items: [string, Path][] = [];
  const dtype = daemonType(m);
  for (const [p, i] of peers(m)) {
    const hasA = p.address !== undefined;
    const hasI = p.interface !== undefined;
    if (hasA === hasI) {
      out.push({
        path: ["peers", i],
        message: hasA ? "give either `address` or `interface`, not both" : "a peer needs `address` (its IP) or `interface` (BGP unnumbered)",
      });
    }
    const ip = typeof p.address === "string" ? parseIP(p.address) : null;
    if (typeof p.address === "string" && !ip) out.push({ path: ["peers", i, "address"], message: `"${p.address}" is not an IPv4 or IPv6 address` });
    if (ip) items.push([`address ${formatIP(ip.family, ip.addr)}`, ["peers", i, "address"]]);
    if (typeof p.interface === "string") {
      items.push([`interface ${p.interface}`, ["peers", i, "interface"]]);
      if (dtype === "bird") {
        out.push({
          path: ["peers", i, "interface"],
          message: "BGP unnumbered (`interface`) peers need FRR; BIRD 2.0 cannot discover the peer on an interface",
          hint: "use daemon: frr, or give the peer's address with `address`",
        });
      }
    }
    if (typeof p.local_address === "string") {
      const la = parseIP(p.local_address);
      if (!la) out.push({ path: ["peers", i, "local_address"], message: `"${p.local_address}" is not an IPv4 or IPv6 address` });
      else if (ip && la.family !== ip.family) {
        out.push({ path: ["peers", i, "local_address"], message: `local_address is IPv${la.family} but the peer address is IPv${ip.family}` });
      }
    }
    if (p.ttl_security === true && p.multihop !== undefined) {
      out.push({
        path: ["peers", i, "ttl_security"],
        message: "ttl_security (GTSM) is for directly connected peers and cannot be combined with multihop",
      });
    }
    if (typeof p.interface === "string" && p.multihop !== undefined) {
      out.push({ path: ["peers", i, "multihop"], message: "an unnumbered peer is directly connected by definition: remove multihop" });
    }
  }
  return [...out, ...duplicates(items, (x) => x, "peer")];
}

export function routerIdDerivable(m: Obj): RuleIssue[] {
  if (!isObj(m.router)) return [];
  const out: RuleIssue[] = [];
  const rid = m.router.router_id;
  if (typeof rid === "string") {
    const ip = parseIP(rid);
    if (!ip || ip.family !== 4) out.push({ path: ["router", "router_id"], message: `"${rid}" is not an IPv4 address` });
    else if (ip.addr === 0n) out.push({ path: ["router", "router_id"], message: "router_id 0.0.0.0 is not allowed" });
    return out;
  }
  const hasLocal4 = peers(m).some(([p]) => typeof p.local_address === "string" && parseIP(p.local_address)?.family === 4);
  if (hasLocal4) return out;
  const firstV4 = services(m)
    .flatMap(([s]) => arr(s.prefixes))
    .find((t): t is string => typeof t === "string" && parsePrefix(t).ok && parseIP(t.split("/")[0]!)?.family === 4);
  if (firstV4 === undefined) {
    out.push({
      path: ["router"],
      message: "router_id is missing and cannot be derived (no IPv4 local_address or IPv4 service prefix)",
      hint: "set router.router_id to an IPv4 address unique among your BGP speakers",
    });
  } else {
    out.push({
      path: ["router"],
      severity: "warning",
      message: `router_id not set: using ${firstV4.split("/")[0]!} (the first IPv4 service address)`,
      hint: "set router.router_id explicitly when that address is anycast (shared by several hosts)",
    });
  }
  return out;
}

export function listenAddress(m: Obj): RuleIssue[] {
  if (!isObj(m.supervisor) || typeof m.supervisor.metrics_listen !== "string") return [];
  const t = m.supervisor.metrics_listen;
  const mm = /^\[?([^\]]+)\]?:(\d+)$/.exec(t);
  if (!mm || !parseIP(mm[1]!) || Number(mm[2]) < 1 || Number(mm[2]) > 65535) {
    return [{ path: ["supervisor", "metrics_listen"], message: `"${t}" is not ADDRESS:PORT with a valid address and port` }];
  }
  return [];
}

function peerFamilies(p: Obj): number[] {
  const f = arr(p.families);
  if (f.length) return f.map((x) => (x === "ipv6" ? 6 : 4));
  if (typeof p.interface === "string") return [4, 6];
  if (typeof p.address === "string") return [parseIP(p.address)?.family ?? 4];
  return [];
}

export function familiesCovered(m: Obj): RuleIssue[] {
  const famsOf = new Map(peers(m).map(([p]) => [p.name, peerFamilies(p)] as const));
  if (![...famsOf.values()].some((f) => f.length)) return [];
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    const chosen = Array.isArray(s.peers) ? s.peers : [...famsOf.keys()];
    const fams = new Set(chosen.flatMap((n) => famsOf.get(n) ?? []));
    const whose = Array.isArray(s.peers) ? "of its peers" : "peer";
    arr(s.prefixes).forEach((t, j) => {
      const r = typeof t === "string" ? parsePrefix(t) : null;
      if (r?.ok && !fams.has(r.prefix.family)) {
        out.push({
          path: ["services", i, "prefixes", j],
          severity: "warning",
          message: `${String(t)} is IPv${r.prefix.family} but no ${whose} carries IPv${r.prefix.family}: it will never be announced`,
          hint: `add "ipv${r.prefix.family}" to a peer's families`,
        });
      }
    });
  }
  return out;
}

/** BIRD refuses BFD on a multihop session without a fixed local address ("Multihop BGP with BFD requires specified local address"). */
export function birdMultihopBfd(m: Obj): RuleIssue[] {
  if (daemonType(m) !== "bird") return [];
  return peers(m).flatMap(([p, i]) =>
    p.multihop !== undefined && p.bfd !== undefined && p.bfd !== false && p.local_address === undefined
      ? [{ path: ["peers", i, "local_address"] as Path, message: "BIRD needs local_address for BFD on a multihop session", hint: "set local_address, or turn bfd off for this peer" }]
      : [],
  );
}

export function daemonPaths(m: Obj): RuleIssue[] {
  if (!isObj(m.daemon) || m.daemon.type !== "frr") return [];
  const cf = m.daemon.config_file;
  if (typeof cf === "string" && !cf.endsWith("/frr.conf")) {
    return [
      {
        path: ["daemon", "config_file"],
        message: "for FRR the config file must be named frr.conf (frr-reload.py writes <dir>/frr.conf after every reload)",
        hint: `use ${cf.replace(/\/[^/]*$/, "")}/frr.conf`,
      },
    ];
  }
  return [];
}

/** a peer in our own AS: the only kind that receives LOCAL_PREF */
function isIbgp(p: Obj, ourAsn: unknown): boolean {
  return p.remote_asn === "internal" || (typeof p.remote_asn === "number" && p.remote_asn === ourAsn);
}

/** `local_preference` where none of the service's peers is iBGP: no peer would ever receive it */
export function localPrefReachesIbgp(m: Obj): RuleIssue[] {
  const ourAsn = isObj(m.router) ? m.router.asn : undefined;
  const all = peers(m).map(([p]) => p);
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    const chosen = Array.isArray(s.peers) ? all.filter((p) => (s.peers as unknown[]).includes(p.name)) : all;
    if (chosen.some((p) => isIbgp(p, ourAsn))) continue;
    const at: Path[] = [
      ...(typeof s.local_preference === "number" ? [["services", i, "local_preference"] as Path] : []),
      ...(isObj(s.deprefer) && typeof s.deprefer.local_preference === "number" ? [["services", i, "deprefer", "local_preference"] as Path] : []),
    ];
    for (const path of at) {
      out.push({
        path,
        severity: "warning",
        message: `LOCAL_PREF is sent to iBGP peers only (remote_asn ${String(ourAsn)} or "internal"), and none of ${Array.isArray(s.peers) ? "this service's" : "the"} peers is one: it has no effect`,
        hint: "remove it, or use med / as_path_prepend, which eBGP peers receive",
      });
    }
  }
  return out;
}
