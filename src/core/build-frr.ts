// The FRR half of the model. Export guardrail (prefix-lists, outbound route-maps) is separate
// from the health toggle (`network` statements), so a health change never edits a prefix-list:
// FRR applies those only after `bgp route-map delay-timer`.
import type { Family, Prefix } from "../manifest/ip.js";
import type { Manifest, Peer, Service } from "../manifest/types.js";
import { SvcrouteError } from "../errors.js";
import { attrsFor, attrsKey, type RouteAttrs } from "./desired.js";
import type { FrrAddressFamily, FrrModel, FrrNeighbor, FrrPrefixList, FrrRouteMap, FrrRouteMapEntry, FrrServiceRouteMap, HeaderModel, ServiceModel } from "./model.js";
import { defaultNet, frrNames } from "./names.js";
import { allowedAggregates, configFamiliesOf, exportPrefixesTo, isInternal, withheldFrom } from "./policy.js";
import { Secret, type SecretStore } from "./secrets.js";
import type { DaemonCapabilities } from "./capabilities.js";

const SEQ_STEP = 10;

/**
 * Every route-map starts with this entry, which matches nothing (no route of svcroute's carries a
 * tag). svcroute turns route-map optimisation off (`no route-map NAME optimization`): with it on,
 * FRR 8.4 left prefixes unadvertised or unfiltered after prefix-list edits (upstream #11336,
 * #13007), and svcroute edits its export prefix-list at run time. But with it off, FRR 9 and later
 * (lib/routemap.c since upstream #12839) never evaluate a route-map's first entry and count it as
 * "no match". An entry that cannot match means the same whether it is evaluated or skipped, so the
 * route-map decides by its later entries, in order, on every version.
 */
export const FRR_FIRST_ENTRY: FrrRouteMapEntry = { action: "deny", seq: 1, matches: ["tag 4294967295"], sets: [] };

function matchPrefixList(f: Family, name: string): string {
  return `${f === 4 ? "ip" : "ipv6"} address prefix-list ${name}`;
}

/** FRR writes well-known communities by name; using its spelling keeps file and running config equal. */
const WELL_KNOWN: Record<string, string> = {
  "0:0": "internet",
  "65535:0": "graceful-shutdown",
  "65535:1": "accept-own",
  "65535:2": "route-filter-translated-v4",
  "65535:3": "route-filter-v4",
  "65535:4": "route-filter-translated-v6",
  "65535:5": "route-filter-v6",
  "65535:6": "llgr-stale",
  "65535:7": "no-llgr",
  "65535:8": "accept-own-nexthop",
  "65535:666": "blackhole",
  "65535:65281": "no-export",
  "65535:65282": "no-advertise",
  "65535:65283": "local-AS",
  "65535:65284": "no-peer",
};

const frrCommunity = (c: string): string => WELL_KNOWN[c] ?? c;

/** bfdd's defaults: FRR omits them from its running config, so the file does too */
const BFD_DEFAULT_INTERVAL_MS = 300;
const BFD_DEFAULT_MULTIPLIER = 3;

/** `set` statement bodies for route attributes */
function frrSets(asn: number, a: RouteAttrs): string[] {
  const sets: string[] = [];
  if (a.prepend > 0) sets.push(`as-path prepend ${Array<string>(a.prepend).fill(String(asn)).join(" ")}`);
  if (a.med !== null) sets.push(`metric ${a.med}`);
  if (a.localPref !== null) sets.push(`local-preference ${a.localPref}`);
  if (a.communities.length) sets.push(`community ${a.communities.map(frrCommunity).join(" ")} additive`);
  if (a.largeCommunities.length) sets.push(`large-community ${a.largeCommunities.join(" ")} additive`);
  return sets;
}

/** `P le 32` (or `le 128`): P and every longer prefix inside it; a host prefix is only itself */
function aggregateMatch(p: Prefix): string {
  const max = p.family === 4 ? 32 : 128;
  return p.len === max ? p.text : `${p.text} le ${max}`;
}

/**
 * The export guardrail: the allowed aggregates, whatever the services (a config that does not grow
 * per service, which FRR 8.4 loads slowly), after exact denies of the prefixes some services leave
 * a peer out of (as many entries as such prefixes). Which prefixes are originated at all is the
 * `network` lines' business, and the supervisor's verify.
 */
function exportList(name: string, f: Family, aggregates: Prefix[], withheld: Prefix[]): FrrPrefixList {
  const entries = [
    ...withheld.map((p) => ({ action: "deny" as const, match: p.text })),
    ...aggregates.map((p) => ({ action: "permit" as const, match: aggregateMatch(p) })),
  ].map((e, i) => ({ seq: (i + 1) * SEQ_STEP, ...e }));
  return {
    name,
    keyword: f === 4 ? "ip" : "ipv6",
    // An empty list would not exist at all; an explicit deny keeps the name defined.
    entries: aggregates.length ? entries : [{ seq: 5, action: "deny" as const, match: "any" }],
  };
}

/** the export prefix-list a peer's outbound route-map matches: its own where some service leaves it out */
function exportListName(m: Manifest, f: Family, peer: string): string {
  return exportPrefixesTo(m, peer) === null ? frrNames.exportPrefixList(f) : frrNames.peerExportPrefixList(f, peer);
}

function prefixLists(m: Manifest, fams: Family[]): FrrPrefixList[] {
  const out: FrrPrefixList[] = fams.map((f) => exportList(frrNames.exportPrefixList(f), f, allowedAggregates(m, f), []));
  for (const p of m.peers) {
    if (exportPrefixesTo(m, p.name) === null) continue;
    for (const f of p.families) out.push(exportList(frrNames.peerExportPrefixList(f, p.name), f, allowedAggregates(m, f), withheldFrom(m, p.name, f)));
  }
  if (m.policy.accept === "default-only") {
    for (const f of fams) {
      out.push({ name: frrNames.defaultPrefixList(f), keyword: f === 4 ? "ip" : "ipv6", entries: [{ seq: 10, action: "permit", match: defaultNet(f) }] });
    }
  }
  return out;
}

/** One route-map per announced state and set of attributes, shared by the services that use it. */
function serviceRouteMaps(asn: number, manifestServices: Service[], services: ServiceModel[]): FrrServiceRouteMap[] {
  const byName = new Map<string, { key: string; state: FrrServiceRouteMap["state"]; sets: string[]; services: string[] }>();
  services.forEach((sm, i) => {
    const svc = manifestServices[i]!;
    for (const [state, name] of Object.entries(sm.frrRouteMapByState) as [FrrServiceRouteMap["state"], string | null][]) {
      const attrs = attrsFor(svc, state);
      if (name === null || attrs === null) continue;
      const key = attrsKey(attrs);
      const seen = byName.get(name);
      if (!seen) byName.set(name, { key, state, sets: frrSets(asn, attrs), services: [sm.name] });
      else if (seen.key !== key) throw new SvcrouteError("E_INTERNAL", `route-map name ${name} stands for two sets of attributes (${seen.key} and ${key})`);
      else seen.services.push(sm.name);
    }
  });
  return [...byName].map(([name, r]) => {
    const n = r.services.length;
    const who = n === 1 ? `service ${r.services[0]}` : `services ${r.services.slice(0, 4).join(", ")}${n > 4 ? ` and ${n - 4} more` : ""}`;
    return { name, state: r.state, services: who, entries: [FRR_FIRST_ENTRY, { action: "permit", seq: 10, matches: [], sets: r.sets }] };
  });
}

function routeMaps(m: Manifest, fams: Family[]): FrrRouteMap[] {
  const out: FrrRouteMap[] = [];
  for (const f of fams) {
    out.push(
      m.policy.accept === "default-only"
        ? {
            name: frrNames.routeMapIn(f),
            comment: `import: only the default route (IPv${f})`,
            entries: [FRR_FIRST_ENTRY, { action: "permit", seq: 10, matches: [matchPrefixList(f, frrNames.defaultPrefixList(f))], sets: [] }],
          }
        : { name: frrNames.routeMapIn(f), comment: `import: nothing (IPv${f})`, entries: [FRR_FIRST_ENTRY, { action: "deny", seq: 10, matches: [], sets: [] }] },
    );
  }
  for (const p of m.peers) {
    for (const f of p.families) {
      out.push({
        name: frrNames.routeMapOut(f, p.name),
        comment: `export to ${p.name}: locally originated routes inside allowed_prefixes${exportPrefixesTo(m, p.name) === null ? "" : ", but for the services not announced to it"} (IPv${f})`,
        entries: [
          FRR_FIRST_ENTRY,
          { action: "permit", seq: 10, matches: [matchPrefixList(f, exportListName(m, f, p.name)), `as-path ${frrNames.localAsPath}`], sets: [] },
          { action: "deny", seq: 100, matches: [], sets: [] },
        ],
      });
    }
  }
  return out;
}

function neighbor(p: Peer, anyGracefulRestart: boolean, secrets: SecretStore): FrrNeighbor {
  const key = p.address ?? p.interface!;
  const asn = typeof p.remoteAsn === "number" ? String(p.remoteAsn) : p.remoteAsn;
  const v6Session = p.address !== undefined && p.address.includes(":");
  return {
    key,
    peer: p.name,
    remoteAs: p.interface !== undefined ? `interface remote-as ${asn}` : `remote-as ${asn}`,
    interface: p.interface !== undefined,
    updateSource: p.localAddress ?? null,
    ttlSecurityHops: p.ttlSecurity && p.multihop === undefined ? 1 : null,
    ebgpMultihop: p.multihop ?? null,
    password: p.passwordFile ? (secrets.get(p.passwordFile) ?? Secret.unread(p.passwordFile)) : null,
    keepalive: p.keepaliveMs / 1000,
    hold: p.holdMs / 1000,
    connectRetry: p.connectRetryMs / 1000,
    bfdProfile: p.bfd ? frrNames.bfdProfile(p.name) : null,
    gracefulRestart: anyGracefulRestart ? (p.gracefulRestart ? "graceful-restart" : "graceful-restart-disable") : null,
    // FRR turns it on for unnumbered (interface) peers by itself and never writes the line for
    // them: rendering it there would be a difference frr-reload can never settle.
    extendedNexthop: v6Session && p.families.includes(4),
  };
}

function addressFamily(m: Manifest, f: Family, services: ServiceModel[]): FrrAddressFamily {
  const networks: string[] = [];
  for (const s of services) for (const p of s.prefixes) if (p.family === f && p.frrNetwork !== null) networks.push(p.frrNetwork);
  const peers = m.peers.filter((p) => p.families.includes(f));
  const defaultOnly = m.policy.accept === "default-only";
  const ecmp = Math.max(1, m.peers.length);
  return {
    name: frrNames.addressFamily(f),
    family: f,
    networks,
    maximumPaths: defaultOnly ? ecmp : null,
    maximumPathsIbgp: defaultOnly && m.peers.some((p) => isInternal(m, p)) ? ecmp : null,
    neighbors: peers.map((p) => ({
      key: p.address ?? p.interface!,
      routeMapIn: frrNames.routeMapIn(f),
      routeMapOut: frrNames.routeMapOut(f, p.name),
      maximumPrefix: m.policy.maxPrefix,
    })),
  };
}

export function buildFrr(m: Manifest, services: ServiceModel[], header: HeaderModel, secrets: SecretStore, caps: DaemonCapabilities): FrrModel {
  const fams = configFamiliesOf(m);
  const anyGR = m.peers.some((p) => p.gracefulRestart);
  const asn = String(m.router.asn);
  return {
    header,
    logFile: m.daemon.logFile ?? null,
    routeMapDelaySeconds: Math.round(m.daemon.routeMapDelayMs / 1000),
    prefixLists: prefixLists(m, fams),
    asPathLists: [
      {
        name: frrNames.localAsPath,
        // Locally originated = empty path, or only our own ASN (de-preferred prefixes are prepended).
        // A path learned from a peer can never be only ours: eBGP loop detection drops it.
        entries: [
          { seq: 5, action: "permit", regex: "^$" },
          { seq: 10, action: "permit", regex: `^${asn}(_${asn})*$` },
        ],
      },
    ],
    routeMaps: routeMaps(m, fams),
    serviceRouteMaps: serviceRouteMaps(m.router.asn, m.services, services),
    bfdProfiles: m.peers.flatMap((p) =>
      p.bfd
        ? [
            {
              name: frrNames.bfdProfile(p.name),
              detectMultiplier: p.bfd.multiplier === BFD_DEFAULT_MULTIPLIER ? null : p.bfd.multiplier,
              receiveIntervalMs: p.bfd.intervalMs === BFD_DEFAULT_INTERVAL_MS ? null : p.bfd.intervalMs,
              transmitIntervalMs: p.bfd.intervalMs === BFD_DEFAULT_INTERVAL_MS ? null : p.bfd.intervalMs,
            },
          ]
        : [],
    ),
    bgp: {
      asn: m.router.asn,
      routerId: m.router.routerId ?? null,
      gracefulRestartDisable: !anyGR,
      // FRR 8.4's behaviour (no first-AS check) on every version: a route server need not prepend
      enforceFirstAs: caps.frrGlobalEnforceFirstAs ? "no bgp enforce-first-as" : null,
      multipathRelax: m.policy.accept === "default-only",
      neighbors: m.peers.map((p) => neighbor(p, anyGR, secrets)),
      addressFamilies: fams.map((f) => addressFamily(m, f, services)),
    },
  };
}
