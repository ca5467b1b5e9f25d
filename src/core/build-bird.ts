// The BIRD half of the model. One static protocol per service and family holds its prefixes
// (`disabled yes` while withdrawn, so the fast path is `birdc disable|enable`); per-peer export
// filters accept only those statics' routes inside the exact export set.
import type { Family, Prefix } from "../manifest/ip.js";
import type { Manifest, Peer } from "../manifest/types.js";
import { attrsEmpty, attrsKey, type RouteAttrs } from "./desired.js";
import type { BirdAttrBundle, BirdModel, BirdPeer, HeaderModel, ServiceModel } from "./model.js";
import { birdNames, defaultNet } from "./names.js";
import { configFamiliesOf, exportPrefixes, exportPrefixesTo } from "./policy.js";
import { Secret, type SecretStore } from "./secrets.js";
import type { DaemonCapabilities } from "./capabilities.js";

/** BIRD's reconnect back-off starts at 1 s (its default, 60 s, would keep a host dark for a minute). */
const ERROR_WAIT_MIN = 1;
/** BIRD waits this long after a protocol starts before it connects: its default, 5 s, delayed every
 * cold start and reload that restarts a session; 1 s is its floor (BIRD raises anything lower). */
const CONNECT_DELAY = 1;

export type BirdBuild = { ok: true; model: BirdModel } | { ok: false; reason: string };

/** filter statements for route attributes */
function birdStatements(asn: number, a: RouteAttrs): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.prepend; i++) out.push(`bgp_path.prepend(${asn})`);
  if (a.med !== null) out.push(`bgp_med = ${a.med}`);
  if (a.localPref !== null) out.push(`bgp_local_pref = ${a.localPref}`);
  for (const c of a.communities) out.push(`bgp_community.add((${c.split(":").join(",")}))`);
  for (const c of a.largeCommunities) out.push(`bgp_large_community.add((${c.split(":").join(",")}))`);
  return out;
}

/** Why BIRD cannot run this manifest, or null. */
function birdUnsupportedReason(m: Manifest): string | null {
  for (const p of m.peers) {
    if (p.interface !== undefined) return `peer ${p.name}: BGP unnumbered (interface ${p.interface}) needs FRR; BIRD 2.0 cannot discover the peer`;
    if (p.multihop !== undefined && p.bfd && p.localAddress === undefined) {
      return `peer ${p.name}: BIRD needs local_address for BFD on a multihop session`;
    }
  }
  return null;
}

/** names listed in a bundle's comment before "+N more" */
const COMMENT_NAMES = 8;

function attrBundles(asn: number, f: Family, services: ServiceModel[]): BirdAttrBundle[] {
  const groups = new Map<string, { announce: string; attrs: RouteAttrs; names: string[]; prefixes: string[] }>();
  for (const s of services) {
    if (s.attrs === null || attrsEmpty(s.attrs)) continue;
    const prefixes: string[] = [];
    for (const p of s.prefixes) if (p.family === f && p.announce !== "withdrawn") prefixes.push(p.prefix);
    if (prefixes.length === 0) continue;
    const a = s.attrs;
    const key = `${s.announce}|${attrsKey(a)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { announce: s.announce, attrs: a, names: [], prefixes: [] }));
    g.names.push(s.name);
    for (const p of prefixes) g.prefixes.push(p);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => {
      const more = g.names.length > COMMENT_NAMES ? ` (+${g.names.length - COMMENT_NAMES} more)` : "";
      return { comment: `${g.announce}: ${g.names.slice(0, COMMENT_NAMES).join(", ")}${more}`, prefixes: g.prefixes, statements: birdStatements(asn, g.attrs) };
    });
}

function peerModel(m: Manifest, p: Peer, secrets: SecretStore, caps: DaemonCapabilities): BirdPeer {
  const addr = p.address!;
  const remote = typeof p.remoteAsn === "number" ? `as ${p.remoteAsn}` : p.remoteAsn;
  const v6Session = addr.includes(":");
  const connectRetry = p.connectRetryMs / 1000;
  return {
    protocol: birdNames.peer(p.name),
    peer: p.name,
    local: p.localAddress ? `${p.localAddress} as ${m.router.asn}` : `as ${m.router.asn}`,
    neighbor: `${addr} ${remote}`,
    direct: p.multihop === undefined,
    multihop: p.multihop ?? null,
    ttlSecurity: p.ttlSecurity && p.multihop === undefined,
    hold: p.holdMs / 1000,
    // BIRD refuses a keepalive with hold time 0 (no keepalives at all).
    keepalive: p.holdMs === 0 ? null : p.keepaliveMs / 1000,
    connectDelay: CONNECT_DELAY,
    connectRetry,
    errorWaitMin: ERROR_WAIT_MIN,
    errorWaitMax: Math.max(ERROR_WAIT_MIN, connectRetry),
    gracefulRestart: p.gracefulRestart ? "on" : "off",
    password: p.passwordFile ? (secrets.get(p.passwordFile) ?? Secret.unread(p.passwordFile)) : null,
    // TCP-MD5 is the only option svcroute speaks; a BIRD that also knows TCP-AO wants it said
    authentication: p.passwordFile && caps.birdAuthenticationOption ? "md5" : null,
    bfd: p.bfd ? { minRxMs: p.bfd.intervalMs, minTxMs: p.bfd.intervalMs, multiplier: p.bfd.multiplier } : null,
    channels: p.families.map((f) => ({
      channel: birdNames.channel(f),
      import: m.policy.accept === "default-only" ? `filter ${birdNames.importFilter(f)}` : "none",
      importLimit: m.policy.maxPrefix,
      exportFilter: birdNames.exportFilter(f, p.name),
      extendedNextHop: v6Session && f === 4,
    })),
  };
}

export function buildBird(m: Manifest, services: ServiceModel[], header: HeaderModel, secrets: SecretStore, caps: DaemonCapabilities): BirdBuild {
  const reason = birdUnsupportedReason(m);
  if (reason !== null) return { ok: false, reason };
  const fams = configFamiliesOf(m);
  const exported = exportPrefixes(m);
  const defaultOnly = m.policy.accept === "default-only";
  const asn = m.router.asn;
  return {
    ok: true,
    model: {
      header,
      device: birdNames.device,
      routerId: m.router.routerId ?? null,
      logFile: m.daemon.logFile ?? null,
      sets: [
        ...fams.map((f) => ({ name: birdNames.exportSet(f), family: f, comment: "every service prefix inside policy.allowed_prefixes", prefixes: (exported.get(f) ?? []).map((p: Prefix) => p.text) })),
        ...m.peers.flatMap((p) => {
          const own = exportPrefixesTo(m, p.name);
          return own === null
            ? []
            : p.families.map((f) => ({ name: birdNames.peerExportSet(f, p.name), family: f, comment: `the prefixes of the services announced to ${p.name}`, prefixes: (own.get(f) ?? []).map((x) => x.text) }));
        }),
      ],
      statics: services.flatMap((s) =>
        s.birdProtocols.map((bp) => ({
          name: bp.name,
          service: s.name,
          channel: birdNames.channel(bp.family),
          disabled: bp.disabled,
          announce: s.announce,
          prefixes: s.prefixes.filter((p) => p.family === bp.family && p.allowed).map((p) => p.prefix),
        })),
      ),
      attrFunctions: fams.map((f) => ({ name: birdNames.attrFunction(f), family: f, bundles: attrBundles(asn, f, services) })),
      exportFilters: m.peers.flatMap((p) =>
        p.families.map((f) => ({
          name: birdNames.exportFilter(f, p.name),
          peer: p.name,
          family: f,
          protoPattern: birdNames.staticPattern(f),
          exportSet: exportPrefixesTo(m, p.name) === null ? birdNames.exportSet(f) : birdNames.peerExportSet(f, p.name),
          attrFunction: birdNames.attrFunction(f),
        })),
      ),
      importFilters: defaultOnly ? fams.map((f) => ({ name: birdNames.importFilter(f), family: f, defaultNet: defaultNet(f) })) : [],
      bfd: m.peers.some((p) => p.bfd) ? { name: birdNames.bfd } : null,
      kernels: defaultOnly
        ? fams.map((f) => ({
            name: birdNames.kernel(f),
            channel: birdNames.channel(f),
            defaultNet: defaultNet(f),
            mergePathsLimit: Math.max(1, m.peers.length),
            // BIRD resolves a multihop peer's next hop recursively in the table; with nothing but
            // BGP and service statics in it, the received default stays unresolved
            resolveNextHopsVia: m.peers.some((p) => p.multihop !== undefined && p.families.includes(f)) ? birdNames.direct(f) : null,
          }))
        : [],
      peers: m.peers.map((p) => peerModel(m, p, secrets, caps)),
    },
  };
}
