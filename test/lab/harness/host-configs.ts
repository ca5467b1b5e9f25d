// Small hand-written host configs for the lab's own tests (svcroute renders the real ones): announce
// the host's service addresses to every ToR, accept only a default route, optionally with BFD.
import { SERVICE_RANGES_V4, SERVICE_RANGES_V6 } from "./allowed.js";
import { capabilitiesOf, versionOf } from "../../../src/core/capabilities.js";
import type { Family, HostPlan, LinkPlan } from "./topology.js";

export interface HostConfigOptions {
  /** BFD 100 ms × 3 toward every ToR */
  bfd?: boolean;
  /** BGP keepalive/hold in seconds (default 3/9) */
  timers?: { keepalive: number; hold: number };
  /** prefixes to announce (default: the host's service addresses) */
  announce?: string[];
}

const announced = (host: HostPlan, o: HostConfigOptions, f: Family): string[] =>
  (o.announce ?? host.addresses.map((a) => a.text)).filter((p) => p.includes(":") === (f === "ipv6"));

function frrNeighbor(l: LinkPlan, f: Family): string {
  return l.peering === "unnumbered" ? l.hostIf : f === "ipv4" ? l.tor4 : l.tor6;
}

export function frrHostConfig(host: HostPlan, o: HostConfigOptions = {}): string {
  const t = o.timers ?? { keepalive: 3, hold: 9 };
  const log = host.paths?.logFile ?? `${host.dir}/frr.log`;
  // no `frr version` line: a host may run any FRR of the daemon set, and that line selects defaults
  const out = [
    "frr defaults datacenter",
    `hostname ${host.name}`,
    `log file ${log} informational`,
    "log timestamp precision 6",
    "no ip forwarding",
    "no ipv6 forwarding",
    "bgp route-map delay-timer 1",
    "!",
    ...SERVICE_RANGES_V4.map((r, i) => `ip prefix-list SVC4 seq ${10 * (i + 1)} permit ${r} ge 32`),
    "ip prefix-list DEFAULT4 seq 10 permit 0.0.0.0/0",
    ...SERVICE_RANGES_V6.map((r, i) => `ipv6 prefix-list SVC6 seq ${10 * (i + 1)} permit ${r} ge 128`),
    "ipv6 prefix-list DEFAULT6 seq 10 permit ::/0",
    "!",
    "route-map SVC4-OUT permit 10",
    " match ip address prefix-list SVC4",
    "exit",
    "route-map SVC6-OUT permit 10",
    " match ipv6 address prefix-list SVC6",
    "exit",
    "route-map DEFAULT4-IN permit 10",
    " match ip address prefix-list DEFAULT4",
    "exit",
    "route-map DEFAULT6-IN permit 10",
    " match ipv6 address prefix-list DEFAULT6",
    "exit",
    "!",
  ];
  if (o.bfd) out.push("bfd", " profile fast", "  receive-interval 100", "  transmit-interval 100", " exit", "exit", "!");
  out.push(
    `router bgp ${host.asn}`,
    ` bgp router-id ${host.routerId}`,
    " no bgp default ipv4-unicast",
    " bgp graceful-restart-disable",
    " bgp bestpath as-path multipath-relax",
    // as svcroute renders it: FRR 10's first-AS check off, as FRR 8.4 has it
    ...(capabilitiesOf(versionOf("frr", host.build?.version ?? "")).frrGlobalEnforceFirstAs ? [" no bgp enforce-first-as"] : []),
  );
  for (const l of host.links) {
    for (const n of new Set(l.families.map((f) => frrNeighbor(l, f)))) {
      out.push(
        l.peering === "unnumbered" ? ` neighbor ${n} interface remote-as ${l.torAsn}` : ` neighbor ${n} remote-as ${l.torAsn}`,
        ` neighbor ${n} timers ${t.keepalive} ${t.hold}`,
        ` neighbor ${n} timers connect 1`,
      );
      if (o.bfd) out.push(` neighbor ${n} bfd`, ` neighbor ${n} bfd profile fast`);
    }
  }
  for (const f of ["ipv4", "ipv6"] as const) {
    const links = host.links.filter((l) => l.families.includes(f));
    if (links.length === 0) continue;
    const v = f === "ipv4" ? "4" : "6";
    out.push(` address-family ${f} unicast`, "  maximum-paths 8");
    for (const p of announced(host, o, f)) out.push(`  network ${p}`);
    for (const l of links) {
      const n = frrNeighbor(l, f);
      out.push(`  neighbor ${n} activate`, `  neighbor ${n} route-map DEFAULT${v}-IN in`, `  neighbor ${n} route-map SVC${v}-OUT out`);
    }
    out.push(" exit-address-family");
  }
  out.push("exit", "!");
  return out.join("\n") + "\n";
}

/** BIRD protocol name of the session to a ToR for one family, e.g. `tor1_v4` */
export const birdProto = (tor: string, f: Family): string => `${tor}_${f === "ipv4" ? "v4" : "v6"}`;

export function birdHostConfig(host: HostPlan, o: HostConfigOptions = {}): string {
  const t = o.timers ?? { keepalive: 3, hold: 9 };
  const log = host.paths?.logFile ?? `${host.dir}/bird.log`;
  const set = (ranges: readonly string[], len: number): string => ranges.map((r) => `${r}{${len},${len}}`).join(", ");
  const out = [
    `log "${log}" all;`,
    `router id ${host.routerId};`,
    `define SVC4 = [ ${set(SERVICE_RANGES_V4, 32)} ];`,
    `define SVC6 = [ ${set(SERVICE_RANGES_V6, 128)} ];`,
    "protocol device { scan time 10; }",
    // service addresses are announced while they are on the service interface
    `protocol direct svc { ipv4; ipv6; interface "${host.serviceDev}"; }`,
    'protocol kernel kernel4 { ipv4 { import none; export filter { if net = 0.0.0.0/0 then accept; reject; }; }; merge paths on; }',
    'protocol kernel kernel6 { ipv6 { import none; export filter { if net = ::/0 then accept; reject; }; }; merge paths on; }',
  ];
  if (o.bfd) out.push(`protocol bfd { interface "eth*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }`);
  const only = (announce: string[] | undefined, f: Family): string =>
    announce ? `net ~ [ ${announce.filter((p) => p.includes(":") === (f === "ipv6")).join(", ") || (f === "ipv4" ? "0.0.0.0/32" : "::/128")} ]` : "true";
  out.push(
    `filter export_svc4 { if net ~ SVC4 && ${only(o.announce, "ipv4")} then accept; reject; }`,
    `filter export_svc6 { if net ~ SVC6 && ${only(o.announce, "ipv6")} then accept; reject; }`,
    "filter import_default4 { if net = 0.0.0.0/0 then accept; reject; }",
    "filter import_default6 { if net = ::/0 then accept; reject; }",
    "template bgp tor {",
    `  local as ${host.asn};`,
    `  hold time ${t.hold}; keepalive time ${t.keepalive};`,
    // lab timings (lab-notes, pitfall 7): reconnect at once instead of after 60 s
    "  connect delay time 0; error wait time 1, 10; connect retry time 5;",
    "  graceful restart off;",
    "}",
  );
  for (const l of host.links) {
    for (const f of l.families) {
      const [local, peer, v] = f === "ipv4" ? [l.host4, l.tor4, "4"] : [l.host6, l.tor6, "6"];
      out.push(
        `protocol bgp ${birdProto(l.tor, f)} from tor {`,
        `  local ${local}; neighbor ${peer} as ${l.torAsn};`,
        ...(o.bfd ? ["  bfd on;"] : []),
        `  ${f} { import filter import_default${v}; export filter export_svc${v}; };`,
        "}",
      );
    }
  }
  return out.join("\n") + "\n";
}
