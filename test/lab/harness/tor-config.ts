// The ToR's FRR config: accepts only host routes from the service ranges, sends hosts at most a
// default route, spreads anycast prefixes with ECMP, and fails over fast (GR off, connect 1 s).
import { SERVICE_RANGES_V4, SERVICE_RANGES_V6 } from "./allowed.js";
import type { LinkPlan, TorPlan } from "./topology.js";

/** How the ToR names the session(s) of a link, per family. */
export function torNeighbor(link: LinkPlan, family: "ipv4" | "ipv6"): string {
  if (link.peering === "unnumbered") return link.torIf;
  return family === "ipv4" ? link.host4 : link.host6;
}

function neighborIds(link: LinkPlan): string[] {
  return [...new Set(link.families.map((f) => torNeighbor(link, f)))];
}

function neighborLines(tor: TorPlan, link: LinkPlan): string[] {
  const lines: string[] = [];
  for (const n of neighborIds(link)) {
    lines.push(
      link.peering === "unnumbered"
        ? ` neighbor ${n} interface remote-as ${link.hostAsn}`
        : ` neighbor ${n} remote-as ${link.hostAsn}`,
      ` neighbor ${n} description ${link.host}`,
      ` neighbor ${n} timers connect 1`,
    );
    if (tor.timers) lines.push(` neighbor ${n} timers ${tor.timers.keepalive} ${tor.timers.hold}`);
    if (link.bfd) lines.push(` neighbor ${n} bfd`, ` neighbor ${n} bfd profile fast`);
    if (link.torSession.ttlSecurity) lines.push(` neighbor ${n} ttl-security hops 1`);
    if (link.torSession.password !== undefined) lines.push(` neighbor ${n} password ${link.torSession.password}`);
  }
  return lines;
}

/**
 * The neighbours a family is activated on: each link's session of that family, and with
 * `allFamilies` also its session of the other family (a numbered link has two).
 */
function familyNeighbors(tor: TorPlan, family: "ipv4" | "ipv6"): { link: LinkPlan; n: string; own: boolean }[] {
  const out: { link: LinkPlan; n: string; own: boolean }[] = [];
  for (const l of tor.links) {
    const own = l.families.includes(family) ? torNeighbor(l, family) : undefined;
    if (own !== undefined) out.push({ link: l, n: own, own: true });
    if (!l.torSession.allFamilies) continue;
    for (const other of neighborIds(l)) if (other !== own) out.push({ link: l, n: other, own: false });
  }
  return out;
}

function familyBlock(tor: TorPlan, family: "ipv4" | "ipv6"): string[] {
  const neighbors = familyNeighbors(tor, family);
  if (neighbors.length === 0) return [];
  const v = family === "ipv4" ? "4" : "6";
  const lines = [` address-family ${family} unicast`, `  maximum-paths ${tor.maximumPaths}`];
  for (const { link, n, own } of neighbors) {
    lines.push(`  neighbor ${n} activate`);
    if (tor.defaultOriginate && own) lines.push(`  neighbor ${n} default-originate`);
    if (link.torSession.keepReceived) lines.push(`  neighbor ${n} soft-reconfiguration inbound`);
    lines.push(`  neighbor ${n} route-map FROM-HOST${v} in`, `  neighbor ${n} route-map TO-HOST out`);
  }
  lines.push(" exit-address-family", " !");
  return lines;
}

export function renderTorConfig(tor: TorPlan): string {
  const anyBfd = tor.links.some((l) => l.bfd);
  const out = [
    "frr version 8.4.4",
    "frr defaults datacenter",
    `hostname ${tor.name}`,
    `log file ${tor.paths.logFile} ${tor.debugUpdates ? "debugging" : "informational"}`,
    "log timestamp precision 6",
    "ip forwarding",
    "ipv6 forwarding",
    "bgp route-map delay-timer 1",
    "!",
  ];
  if (tor.debugUpdates) out.push("debug bgp updates in", "!");
  SERVICE_RANGES_V4.forEach((r, i) => out.push(`ip prefix-list HOST-SVC4 seq ${10 * (i + 1)} permit ${r} ge 32`));
  SERVICE_RANGES_V6.forEach((r, i) => out.push(`ipv6 prefix-list HOST-SVC6 seq ${10 * (i + 1)} permit ${r} ge 128`));
  out.push(
    "!",
    "route-map FROM-HOST4 permit 10",
    " match ip address prefix-list HOST-SVC4",
    "exit",
    "!",
    "route-map FROM-HOST6 permit 10",
    " match ipv6 address prefix-list HOST-SVC6",
    "exit",
    "!",
    // default-originate bypasses the outbound route-map: hosts get the default and nothing else
    "route-map TO-HOST deny 10",
    "exit",
    "!",
  );
  if (anyBfd) {
    out.push("bfd", " profile fast", "  detect-multiplier 3", "  receive-interval 100", "  transmit-interval 100", " exit", " !", "exit", "!");
  }
  out.push(
    `router bgp ${tor.asn}`,
    ` bgp router-id ${tor.routerId}`,
    // FRR would otherwise also run IPv4 over the IPv6 sessions (lab-notes, pitfall 1)
    " no bgp default ipv4-unicast",
    " bgp graceful-restart-disable",
    " bgp bestpath as-path multipath-relax",
  );
  for (const l of tor.links) out.push(...neighborLines(tor, l));
  out.push(" !", ...familyBlock(tor, "ipv4"), ...familyBlock(tor, "ipv6"), "exit", "!");
  if (tor.extraConfig.trim()) out.push(tor.extraConfig.trimEnd(), "!");
  return out.join("\n") + "\n";
}
