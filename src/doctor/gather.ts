// Collect the facts doctor reasons about. Every probe is allowed to fail: a failure is a fact
// too (the daemon is down, a file is unreadable), never a crash.
import { constants, promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { buildModel } from "../core/build-model.js";
import { ALL_UP } from "../core/desired.js";
import { checksumState, render } from "../core/render.js";
import { loadSecrets } from "../core/secrets.js";
import { parseStatus } from "../daemons/bird-parse.js";
import { BirdSocket } from "../daemons/bird-socket.js";
import { announcedInConfig } from "../daemons/config-read.js";
import { diffIsEmpty, parseReloadDiff } from "../daemons/frr-parse.js";
import { makeDriver } from "../daemons/make.js";
import { capabilitiesOf, parseBirdVersion, parseFrrVersion, versionOf, type DaemonCapabilities } from "../daemons/versions.js";
import { formatDiagnostics, validateConfigText } from "../daemons/validate.js";
import type { Exec } from "../effects/exec.js";
import { DEFAULTS } from "../manifest/defaults.js";
import { readSecretFile } from "../effects/secret-file.js";
import { SvcrouteError, toSvcrouteError } from "../errors.js";
import { DROP_IN_DIR, loadManifest } from "../manifest/load.js";
import type { Manifest } from "../manifest/types.js";
import { fetchStatus } from "../supervisor/client.js";
import type { Facts, FileFacts, InterfaceFacts, RouteLookup, TcpMd5Counters } from "./types.js";

// ---------------------------------------------------------------------------------- parsers
// Pure parsers of what doctor reads from the host: `ip -j route get`, the kernel's TCP counters
// (/proc/net/netstat), `ip -j addr`, the daemons' version lines and BIRD's protocols. Unit-tested
// on outputs captured in the lab (test/fixtures/captured/doctor/).

/** `ip -j route get ADDR`: exit code and output → how the kernel would reach ADDR */
export function parseRouteGet(r: { code: number | null; stdout: string; stderr: string }): RouteLookup {
  const said = (r.stderr || r.stdout).trim().replace(/^RTNETLINK answers: /, "");
  if (r.code !== 0) return { ok: false, error: said || `exit ${r.code ?? "?"}` };
  try {
    const j = JSON.parse(r.stdout) as { dev?: string; gateway?: string; type?: string }[];
    const first = j[0];
    if (!first?.dev) return { ok: false, error: said || "no route" };
    return { ok: true, dev: first.dev, gateway: first.gateway ?? null, type: first.type ?? "unicast" };
  } catch {
    return { ok: false, error: `unreadable output of ip route get: ${said.slice(0, 200)}` };
  }
}

/**
 * /proc/net/netstat (and /proc/net/snmp): pairs of lines, a header `Section: Name Name …` and a
 * value line `Section: 1 2 …` → section → counter → value
 */
export function parseNetstat(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [hs, ...names] = lines[i]!.trim().split(/\s+/);
    const [vs, ...values] = lines[i + 1]!.trim().split(/\s+/);
    if (!hs || hs !== vs || !hs.endsWith(":")) continue;
    const sec = hs.slice(0, -1);
    const rec: Record<string, number> = (out[sec] ??= {});
    names.forEach((n, k) => {
      const v = Number(values[k]);
      if (Number.isFinite(v)) rec[n] = v;
    });
  }
  return out;
}

/** the TCP-MD5 counters of TcpExt, or null when the kernel has none */
export function tcpMd5Counters(netstat: Record<string, Record<string, number>>): TcpMd5Counters | null {
  const t = netstat.TcpExt;
  if (!t || t.TCPMD5Failure === undefined) return null;
  return { failure: t.TCPMD5Failure, notFound: t.TCPMD5NotFound ?? 0, unexpected: t.TCPMD5Unexpected ?? 0 };
}

/**
 * The version from `bgpd --version` ("bgpd version 8.4.4") or `bird --version` ("BIRD version
 * 2.0.12", on stderr). vtysh 8.x has no --version.
 */
export function parseDaemonVersion(text: string): string | null {
  return (parseFrrVersion(text) ?? parseBirdVersion(text))?.text ?? null;
}

/** `ip -j addr show` → interfaces with their state and addresses */
export function parseIpAddr(stdout: string): InterfaceFacts[] {
  const j = JSON.parse(stdout || "[]") as { ifname?: string; flags?: string[]; addr_info?: { local?: string; prefixlen?: number }[] }[];
  return j.flatMap((x) =>
    x.ifname
      ? [
          {
            name: x.ifname,
            up: (x.flags ?? []).includes("UP"),
            carrier: (x.flags ?? []).includes("LOWER_UP"),
            addrs: (x.addr_info ?? []).flatMap((a) => (a.local && a.prefixlen !== undefined ? [`${a.local}/${a.prefixlen}`] : [])),
          },
        ]
      : [],
  );
}

/** one row of BIRD's `show protocols` */
export interface BirdProtocolRow {
  name: string;
  proto: string;
  /** up, down, start, … */
  state: string;
  info: string;
}

/** BIRD's `show protocols` table (the greeting and header lines are skipped) */
export function parseBirdProtocols(text: string): BirdProtocolRow[] {
  const out: BirdProtocolRow[] = [];
  for (const line of text.split("\n")) {
    if (/^BIRD \S+ ready\.|^Name\s+Proto\s+Table/.test(line) || /^\s/.test(line)) continue;
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*?))?\s*$/.exec(line);
    if (m) out.push({ name: m[1]!, proto: m[2]!, state: m[4]!, info: m[6] ?? "" });
  }
  return out;
}

/** the named protocols of a BIRD config file and whether each says `disabled yes;` */
export function birdConfigProtocols(text: string): { name: string; proto: string; disabled: boolean }[] {
  const out: { name: string; proto: string; disabled: boolean }[] = [];
  for (const m of text.matchAll(/^protocol (\w+) ([A-Za-z_][\w]*)(?: from \w+)? \{\n([\s\S]*?)^\}/gm)) {
    out.push({ name: m[2]!, proto: m[1]!, disabled: /^\s*disabled( yes)?;/m.test(m[3]!) });
  }
  return out;
}

// ------------------------------------------------------------------------------------ probes

export interface GatherOptions {
  manifestPath: string;
  socket?: string;
  exec: Exec;
  now?: () => number;
}

async function fileFacts(path: string, read: boolean): Promise<FileFacts> {
  try {
    const st = await fsp.stat(path);
    let text: string | undefined;
    let readError: string | undefined;
    if (read && st.isFile() && st.size < 8 * 1024 * 1024) {
      text = await fsp.readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
        readError = e.code ?? e.message;
        return undefined;
      });
    }
    return { path, exists: true, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs, ...(text !== undefined ? { text } : {}), ...(readError ? { readError } : {}) };
  } catch (e) {
    return { path, exists: false, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}

async function executable(path: string): Promise<boolean> {
  return fsp.access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function sysctl(name: string): Promise<string | null> {
  try {
    return (await fsp.readFile(join("/proc/sys", ...name.split(".")), "utf8")).trim();
  } catch {
    return null;
  }
}

const SYSCTLS = [
  "net.ipv4.conf.all.rp_filter",
  "net.ipv4.conf.default.rp_filter",
  "net.ipv4.conf.all.arp_ignore",
  "net.ipv4.conf.all.arp_announce",
  "net.ipv4.ip_forward",
  "net.ipv6.conf.all.forwarding",
];

async function version(m: Manifest, exec: Exec): Promise<string | null> {
  // vtysh (FRR 8) has no --version; bgpd does
  const r = m.daemon.type === "frr" ? await exec(m.daemon.bgpd, ["--version"], { timeoutMs: 5000 }) : await exec(m.daemon.bird, ["--version"], { timeoutMs: 5000 });
  return parseDaemonVersion(`${r.stdout}\n${r.stderr}`);
}

/** the name of a group id, from /etc/group */
async function groupName(gid: number | undefined): Promise<string | null> {
  if (gid === undefined) return null;
  try {
    const line = (await fsp.readFile("/etc/group", "utf8")).split("\n").find((l) => l.split(":")[2] === String(gid));
    return line?.split(":")[0] ?? null;
  } catch {
    return null;
  }
}

/** how the kernel reaches each peer that is not Established (a typo, no route, a link down) */
async function peerRoutes(m: Manifest, peers: Facts["peers"], exec: Exec): Promise<Facts["routes"]> {
  const out: Facts["routes"] = {};
  for (const p of peers ?? []) {
    const addr = m.peers.find((x) => x.name === p.name)?.address;
    // a link-local address needs its interface: nothing to look up by address alone
    if (p.state === "Established" || !addr || /^fe80:/i.test(addr)) continue;
    const r = await exec("ip", ["-j", "route", "get", addr], { timeoutMs: 5000 });
    if (r.notFound) break;
    out[p.name] = parseRouteGet(r);
  }
  return out;
}

async function md5Counters(): Promise<Facts["tcpMd5"]> {
  try {
    return tcpMd5Counters(parseNetstat(await fsp.readFile("/proc/net/netstat", "utf8")));
  } catch {
    return null;
  }
}

/**
 * The daemon's own parser on what svcroute renders now: the reason a manifest change is not
 * running. With the real passwords when this user may read them, masked otherwise (the parsers
 * take any word as a password).
 */
async function parserCheck(m: Manifest, exec: Exec, capabilities: DaemonCapabilities): Promise<Facts["config"]["parserCheck"]> {
  const secrets = await loadSecrets(m, readSecretFile).catch(() => undefined);
  const text = render(buildModel(m, ALL_UP, secrets, { capabilities }), m.daemon.type, { showSecrets: secrets !== undefined }).text;
  const v = await validateConfigText(m.daemon.type, text, { exec, binaries: { bird: m.daemon.bird, vtysh: m.daemon.vtysh, bgpd: m.daemon.bgpd }, timeoutMs: 10_000 });
  return { ok: v.ok, judges: v.judges, evidence: v.ok ? "" : formatDiagnostics(v, `${m.daemon.configFile} (rendered now)`) };
}

async function addresses(iface: string, exec: Exec): Promise<string[] | null> {
  const r = await exec("ip", ["-j", "addr", "show", "dev", iface], { timeoutMs: 5000 });
  if (r.code !== 0) return null;
  try {
    const j = JSON.parse(r.stdout) as { addr_info?: { local: string }[] }[];
    return j.flatMap((x) => (x.addr_info ?? []).map((a) => a.local));
  } catch {
    return null;
  }
}

async function interfaces(exec: Exec): Promise<Facts["host"]["interfaces"]> {
  const r = await exec("ip", ["-j", "addr", "show"], { timeoutMs: 5000 });
  if (r.code !== 0) return null;
  try {
    return parseIpAddr(r.stdout);
  } catch {
    return null;
  }
}

async function kernelDefaults(exec: Exec): Promise<{ v4: number; v6: number } | null> {
  const count = async (fam: string) => {
    const r = await exec("ip", [fam, "-j", "route", "show", "default"], { timeoutMs: 5000 });
    if (r.code !== 0) return 0;
    const j = JSON.parse(r.stdout || "[]") as { nexthops?: unknown[]; protocol?: string }[];
    return j.filter((x) => x.protocol === "bgp" || x.protocol === "bird").reduce((n, x) => n + (x.nexthops?.length ?? 1), 0);
  };
  try {
    return { v4: await count("-4"), v6: await count("-6") };
  } catch {
    return null;
  }
}

/** FRR `show bfd peers json` → peer address and state, or null when it is not that JSON */
export function parseFrrBfdPeers(json: string): Facts["bfd"] {
  try {
    return (JSON.parse(json) as { peer: string; status: string }[]).map((p) => ({ address: p.peer, state: p.status }));
  } catch {
    return null;
  }
}

/** BIRD `show bfd sessions` → one entry per session line (address, interface, state, …) */
export function parseBirdBfdSessions(text: string): NonNullable<Facts["bfd"]> {
  return text
    .split("\n")
    .map((l) => /^([0-9a-fA-F]*[.:][0-9a-fA-F.:]+)\s+\S+\s+(\S+)/.exec(l))
    .flatMap((x) => (x ? [{ address: x[1]!, state: x[2]! }] : []));
}

async function bfdPeers(m: Manifest, exec: Exec, limitMs: number | undefined): Promise<Facts["bfd"]> {
  if (!m.peers.some((p) => p.bfd)) return null;
  if (m.daemon.type === "frr") {
    const r = await exec(m.daemon.vtysh, ["--vty_socket", m.daemon.socket, "-c", "show bfd peers json"], { timeoutMs: limitMs ?? 5000 });
    return parseFrrBfdPeers(r.stdout);
  }
  const s = new BirdSocket(m.daemon.socket, limitMs ?? 3000);
  try {
    return parseBirdBfdSessions((await s.command("show bfd sessions")).text);
  } catch {
    return null;
  } finally {
    s.close();
  }
}

async function birdRunning(m: Manifest, limitMs: number | undefined): Promise<{ lastReconfigMs: number | null; protocols: Facts["config"]["birdProtocols"] }> {
  const s = new BirdSocket(m.daemon.socket, limitMs ?? 3000);
  try {
    const st = parseStatus((await s.command("show status")).text);
    const protocols = parseBirdProtocols((await s.command("show protocols")).text).map(({ name, proto, state }) => ({ name, proto, state }));
    return { lastReconfigMs: st.lastReconfig ? Date.parse(st.lastReconfig.replace(" ", "T")) : null, protocols };
  } catch {
    return { lastReconfigMs: null, protocols: null };
  } finally {
    s.close();
  }
}

async function frrRunningDiff(m: Manifest, exec: Exec, limitMs: number | undefined): Promise<Facts["config"]["runningDiff"]> {
  const r = await exec(m.daemon.frrReload, ["--test", "--stdout", "--confdir", dirname(m.daemon.configFile), "--vty_socket", m.daemon.socket, "--rundir", "/tmp", m.daemon.configFile], { timeoutMs: limitMs ?? 60_000 });
  if (r.notFound || !/Lines To (Delete|Add)/.test(`${r.stdout}${r.stderr}`)) return null;
  const d = parseReloadDiff(`${r.stdout}\n${r.stderr}`);
  return diffIsEmpty(d) ? { toDelete: [], toAdd: [] } : d;
}

/** how long doctor waits for the daemon to answer one probe while the supervisor runs */
export const SUPERVISED_PROBE_MS = 1500;

export async function gatherFacts(o: GatherOptions): Promise<Facts> {
  const load = await loadManifest(o.manifestPath);
  const m = load.manifest;
  const socket = o.socket ?? m?.supervisor.statusSocket ?? DEFAULTS.supervisor.statusSocket;
  const facts: Facts = {
    manifestPath: o.manifestPath,
    load,
    manifest: m,
    files: {
      manifest: await fileFacts(o.manifestPath, false),
      dropInDir: await fileFacts(join(dirname(o.manifestPath), DROP_IN_DIR), false),
      secrets: m ? await Promise.all([...new Set(m.peers.flatMap((p) => (p.passwordFile ? [p.passwordFile] : [])))].map((p) => fileFacts(p, false))) : [],
    },
    daemon: { binaries: [], version: null, daemonsFile: null, reachable: false, error: null, errorCode: null, instance: null, socketFile: null, socketGroup: null },
    config: { file: { path: m?.daemon.configFile ?? "", exists: false }, rendered: null, renderedWith: null, checksum: null, runningDiff: null, lastReconfigMs: null, birdProtocols: null, protocolsInFile: null, announcedInFile: null, parserCheck: null },
    peers: null,
    routes: {},
    tcpMd5: null,
    bfd: null,
    host: { addresses: null, sysctl: {}, kernelDefault: null, interfaces: null },
    supervisor: { status: null, error: null, errorCode: null, socket },
    now: (o.now ?? Date.now)(),
  };
  try {
    facts.supervisor.status = await fetchStatus(socket);
  } catch (e) {
    const err = toSvcrouteError(e);
    facts.supervisor.error = err.message;
    facts.supervisor.errorCode = err.code;
  }
  for (const name of SYSCTLS) facts.host.sysctl[name] = await sysctl(name);
  if (!m) return facts;

  const d = m.daemon;
  const bins = d.type === "frr" ? [["vtysh", d.vtysh], ["bgpd", d.bgpd], ["frr-reload.py", d.frrReload]] : [["bird", d.bird], ["birdc", d.birdc]];
  facts.daemon.binaries = await Promise.all(bins.map(async ([name, path]) => ({ name: name!, path: path!, exists: await executable(path!) })));
  if (facts.daemon.binaries.every((b) => b.exists)) facts.daemon.version = await version(m, o.exec).catch(() => null);
  if (d.type === "frr") {
    const df = await fileFacts(join(dirname(d.configFile), "daemons"), true);
    facts.daemon.daemonsFile = df.exists ? df : null;
  }
  const file = await fileFacts(d.configFile, true);
  facts.config.file = file;
  if (file.text !== undefined) {
    facts.config.checksum = checksumState(file.text);
    facts.config.announcedInFile = announcedInConfig(file.text, d.type);
    if (d.type === "bird") facts.config.protocolsInFile = birdConfigProtocols(file.text);
  }
  // With the supervisor running, doctor does not wait on the daemon: what the supervisor knows
  // (the daemon unreachable) is taken from it, and each probe of the daemon gets a short limit.
  const st = facts.supervisor.status;
  const limitMs = st ? SUPERVISED_PROBE_MS : undefined;
  const driver = makeDriver(d, { exec: o.exec, timeoutMs: limitMs });
  // what a render must suit: the binary's version, or the running daemon's once it has answered
  let caps = capabilitiesOf(facts.daemon.version === null ? null : versionOf(d.type, facts.daemon.version));
  try {
    if (st && !st.daemon.reachable) {
      throw new SvcrouteError(st.last_reconcile?.code === "E_TIMEOUT" ? "E_TIMEOUT" : "E_DAEMON_UNAVAILABLE", `the supervisor cannot reach it: ${st.daemon.last_error ?? "no reason given"}`);
    }
    facts.daemon.instance = await driver.instance();
    const model = buildModel(m);
    const obs = await driver.observe(model);
    facts.daemon.reachable = true;
    facts.peers = obs.peers;
    caps = await driver.capabilities();
    if (caps.version) facts.daemon.version = caps.version.text;
  } catch (e) {
    const err = toSvcrouteError(e);
    facts.daemon.error = `${err.message}${err.details ? `: ${err.details}` : ""}`;
    facts.daemon.errorCode = err.code;
    // vtysh says only "failed to connect" whatever the reason: look at the socket itself
    const sock = d.type === "frr" ? join(d.socket, "bgpd.vty") : d.socket;
    const access = await fsp.access(sock, constants.R_OK | constants.W_OK).then(() => null, (x: NodeJS.ErrnoException) => x.code ?? null);
    const sf = await fileFacts(sock, false);
    facts.daemon.socketFile = sf;
    facts.daemon.socketGroup = await groupName(sf.gid);
    if (access === "EACCES") facts.daemon.error = `${sock}: EACCES (permission denied)`;
  } finally {
    driver.close();
  }
  if (facts.daemon.reachable) {
    facts.bfd = await bfdPeers(m, o.exec, limitMs).catch(() => null);
    if (d.type === "frr" && file.exists) facts.config.runningDiff = await frrRunningDiff(m, o.exec, limitMs).catch(() => null);
    if (d.type === "bird") {
      const b = await birdRunning(m, limitMs);
      facts.config.lastReconfigMs = b.lastReconfigMs;
      facts.config.birdProtocols = b.protocols;
    }
    facts.routes = await peerRoutes(m, facts.peers, o.exec).catch(() => ({}));
    facts.tcpMd5 = await md5Counters();
  }
  const marker = /svcroute-managed manifest=([0-9a-f]{12})/.exec(file.text ?? "")?.[1];
  const rejected = facts.supervisor.status?.last_reconcile?.code === "E_DAEMON_REJECTED";
  if ((marker && marker !== m.hash.slice(0, 12)) || rejected) facts.config.parserCheck = await parserCheck(m, o.exec, caps).catch(() => null);
  facts.host.addresses = await addresses(m.addresses.interface, o.exec).catch(() => null);
  facts.host.kernelDefault = await kernelDefaults(o.exec);
  facts.host.interfaces = await interfaces(o.exec).catch(() => null);
  return facts;
}
