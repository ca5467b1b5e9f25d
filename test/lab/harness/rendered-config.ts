// svcroute's real config pipeline pointed at a lab host: manifest text → loadManifest →
// buildModel → render(showSecrets), with the daemon's paths replaced by the host's own, plus the
// observers the rendered-config tests need on the host side (BIRD has no JSON) and at the ToRs.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, parseDocument } from "yaml";
import { buildModel } from "../../../src/core/build-model.js";
import { daemonCapabilities } from "../../../src/daemons/make.js";
import { ALL_UP, type HealthInput } from "../../../src/core/desired.js";
import { birdNames } from "../../../src/core/names.js";
import { render } from "../../../src/core/render.js";
import { loadSecrets } from "../../../src/core/secrets.js";
import { readSecretFile } from "../../../src/effects/secret-file.js";
import { formatProblem } from "../../../src/errors.js";
import { loadManifest } from "../../../src/manifest/load.js";
import type { Manifest } from "../../../src/manifest/types.js";
import { LabError } from "./errors.js";
import { hostTools, toolLines } from "./tools.js";
import type { Lab } from "./lab.js";
import type { Family, HostPlan } from "./topology.js";

export interface HostRender {
  /** the config text the daemon reads (passwords included) */
  text: string;
  manifest: Manifest;
  /** where the manifest (with the lab's daemon paths) was written */
  manifestFile: string;
}

/**
 * Renders `manifestText` for `host` as svcroute would: the `daemon` block is replaced by one
 * naming the host's daemon type and its config file, socket and log file in the lab; the result is
 * written to <host dir>/svcroute.yaml and read back with the real loader (no drop-ins).
 */
export async function renderForHost(host: HostPlan, manifestText: string, health: HealthInput = ALL_UP): Promise<HostRender> {
  const paths = host.paths;
  if (!paths) throw new LabError(`host ${host.name} runs no routing daemon`);
  const doc = parseDocument(manifestText);
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw new LabError(`manifest for ${host.name} is not a YAML mapping`, { details: doc.errors.join("\n") });
  const tools = Object.fromEntries(toolLines(paths.kind, hostTools(host)).map((l) => l.split(": ") as [string, string]));
  doc.set("daemon", { type: paths.kind, config_file: paths.configFile, socket: paths.socket, log_file: paths.logFile, ...tools });
  const manifestFile = join(host.dir, "svcroute.yaml");
  writeFileSync(manifestFile, String(doc), { mode: 0o600 });
  const r = await loadManifest(manifestFile, { dropInDir: null });
  if (!r.manifest) throw new LabError(`manifest for ${host.name} is invalid`, { details: r.problems.map(formatProblem).join("\n") });
  const secrets = await loadSecrets(r.manifest, readSecretFile);
  // for the version the host runs, as svcroute renders it (its daemon.* programs say which)
  const model = buildModel(r.manifest, health, secrets, { capabilities: await daemonCapabilities(r.manifest.daemon) });
  return { text: render(model, r.manifest.daemon.type, { showSecrets: true }).text, manifest: r.manifest, manifestFile };
}

/** Renders for the host and (re)starts its daemon on the result. */
export async function startRendered(lab: Lab, hostName: string, manifestText: string, health?: HealthInput): Promise<HostRender> {
  const r = await renderForHost(lab.host(hostName), manifestText, health);
  await lab.startDaemon(hostName, r.text);
  return r;
}

/** Writes a password file (mode 0600, as svcroute demands) in the host's directory. */
export function writePasswordFile(host: HostPlan, name: string, password: string): string {
  const file = join(host.dir, name);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

const PREFIX_LINE = /^([0-9a-f.:]+\/\d+)\s/i;

/** prefixes listed by a `birdc show route …` command */
export function birdPrefixes(out: string): string[] {
  const seen = new Set<string>();
  for (const line of out.split("\n")) {
    const m = PREFIX_LINE.exec(line);
    if (m) seen.add(m[1]!);
  }
  return [...seen].sort();
}

/**
 * What the host's daemon sends one peer (a manifest peer name) in one family, read from the
 * daemon itself: FRR's advertised-routes, BIRD's `show route export`.
 */
export async function hostAdvertised(lab: Lab, host: string, peer: { name: string; key: string }, family: Family): Promise<string[]> {
  if (lab.host(host).daemon === "bird") {
    return birdPrefixes(await lab.birdc(host, `show route export ${birdNames.peer(peer.name)} ${family === "ipv4" ? "table master4" : "table master6"}`));
  }
  const j = await lab.vtyshJson<{ advertisedRoutes?: Record<string, unknown> }>(host, `show bgp ${family} unicast neighbors ${peer.key} advertised-routes json`);
  return Object.keys(j.advertisedRoutes ?? {}).sort();
}

/**
 * The host daemon's own state of its session with one peer: FRR's bgpState ("Established", …),
 * BIRD's "BGP state:" ("Established", "Connect", …), or "absent".
 */
export async function hostSessionState(lab: Lab, host: string, peer: { name: string; key: string }): Promise<string> {
  if (lab.host(host).daemon === "bird") {
    const out = await lab.birdc(host, `show protocols all ${birdNames.peer(peer.name)}`);
    return /BGP state:\s+(\S+)/.exec(out)?.[1] ?? "absent";
  }
  const j = await lab.vtyshJson<Record<string, { bgpState?: string }>>(host, `show bgp neighbors ${peer.key} json`);
  return j[peer.key]?.bgpState ?? "absent";
}

/** Every route in the host daemon's BGP/main table that came from a BGP peer, per family. */
export async function hostLearned(lab: Lab, host: string, family: Family): Promise<string[]> {
  if (lab.host(host).daemon === "bird") {
    return birdPrefixes(await lab.birdc(host, `show route where source = RTS_BGP table ${family === "ipv4" ? "master4" : "master6"}`));
  }
  const j = await lab.vtyshJson<{ routes?: Record<string, { peerId?: string }[]> }>(host, `show bgp ${family} unicast json`);
  return Object.entries(j.routes ?? {})
    .filter(([, paths]) => paths.some((p) => p.peerId !== undefined && p.peerId !== "(unspec)"))
    .map(([p]) => p)
    .sort();
}

/** One path of `show bgp <family> unicast PREFIX json`, with the attributes svcroute sets. */
export interface PathAttrs {
  peer: string;
  asPath: string;
  med: number | undefined;
  localPref: number | undefined;
  communities: string[];
  largeCommunities: string[];
}

interface FrrPrefixJson {
  paths?: {
    peer?: { peerId?: string; interface?: string };
    aspath?: { string?: string };
    med?: number;
    metric?: number;
    locPrf?: number;
    community?: { string?: string };
    largeCommunity?: { string?: string };
  }[];
}

/** The paths a ToR has for `prefix` (empty when it has none). */
export async function torPaths(lab: Lab, tor: string, prefix: string, family: Family): Promise<PathAttrs[]> {
  const j = await lab.vtyshJson<FrrPrefixJson>(tor, `show bgp ${family} unicast ${prefix} json`);
  return (j.paths ?? []).map((p) => ({
    peer: p.peer?.interface ?? p.peer?.peerId ?? "",
    asPath: p.aspath?.string ?? "",
    med: p.med ?? p.metric,
    localPref: p.locPrf,
    communities: (p.community?.string ?? "").split(" ").filter(Boolean),
    largeCommunities: (p.largeCommunity?.string ?? "").split(" ").filter(Boolean),
  }));
}

/** A kernel TCP counter (TcpExt, e.g. TCPMD5Failure, TCPMinTTLDrop) of a node's namespace. */
export async function tcpExtCounter(lab: Lab, node: string, name: string): Promise<number> {
  const r = await lab.exec(node, "cat", ["/proc/net/netstat"]);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("TcpExt:"));
  const keys = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const i = keys.indexOf(name);
  if (i < 0) throw new LabError(`no TcpExt counter ${name} in ${node}`);
  return Number(values[i]);
}
