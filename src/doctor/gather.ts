// Collect the facts doctor reasons about: thin I/O around the pure parsers (parse.ts, and the
// daemon's through its driver). Every probe is allowed to fail: a failure is a fact too (the
// daemon is down, a file is unreadable), never a crash.
import { constants, promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { buildModel } from "../core/build-model.js";
import { ALL_UP } from "../core/desired.js";
import { checksumState, render } from "../core/render.js";
import { loadSecrets } from "../core/secrets.js";
import { announcedInConfig, birdConfigProtocols } from "../daemons/config-read.js";
import type { Driver } from "../daemons/driver.js";
import { makeDriver } from "../daemons/make.js";
import { binaryVersion } from "../daemons/version-probe.js";
import { capabilitiesOf, type DaemonCapabilities } from "../core/capabilities.js";
import { formatDiagnostics, validateConfigText } from "../daemons/validate.js";
import type { Exec } from "../effects/exec.js";
import { interfaces } from "../effects/ip.js";
import { readSecretFile } from "../effects/secret-file.js";
import { SvcrouteError, toSvcrouteError } from "../errors.js";
import { DEFAULTS } from "../manifest/defaults.js";
import { loadManifest } from "../manifest/load.js";
import { canonicalIP } from "../manifest/ip.js";
import { DROP_IN_DIR } from "../manifest/read.js";
import type { Manifest } from "../manifest/types.js";
import { fetchStatus } from "../supervisor/client.js";
import { countDaemonDefaults, parseNetstat, parseRouteGet, tcpMd5Counters } from "./parse.js";
import type { Facts, FileFacts } from "./types.js";

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
      text = await fsp.readFile(path, "utf8").catch((e: unknown) => {
        readError = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
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

/** whether `path` is a socket (a syslog daemon listens on /dev/log) */
export async function syslogSocket(path = "/dev/log"): Promise<boolean> {
  return fsp.stat(path).then(
    (s) => s.isSocket(),
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

async function kernelDefaults(exec: Exec): Promise<{ v4: number; v6: number } | null> {
  const count = async (fam: string) => {
    const r = await exec("ip", [fam, "-j", "route", "show", "default"], { timeoutMs: 5000 });
    return r.code === 0 ? countDaemonDefaults(r.stdout) : 0;
  };
  try {
    return { v4: await count("-4"), v6: await count("-6") };
  } catch {
    return null;
  }
}

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
    host: { addresses: null, sysctl: {}, kernelDefault: null, syslogSocket: await syslogSocket(), interfaces: null },
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

  // With the supervisor running, doctor does not wait on the daemon: what the supervisor knows
  // (the daemon unreachable) is taken from it, and each probe of the daemon gets a short limit.
  const limitMs = facts.supervisor.status ? SUPERVISED_PROBE_MS : undefined;
  const driver = makeDriver(m.daemon, { exec: o.exec, timeoutMs: limitMs });
  let caps: DaemonCapabilities;
  try {
    caps = await daemonFacts(facts, m, driver, o.exec, limitMs);
  } finally {
    driver.close();
  }
  const marker = /svcroute-managed manifest=([0-9a-f]{12})/.exec(facts.config.file.text ?? "")?.[1];
  const rejected = facts.supervisor.status?.last_reconcile?.code === "E_DAEMON_REJECTED";
  if ((marker && marker !== m.hash.slice(0, 12)) || rejected) facts.config.parserCheck = await parserCheck(m, o.exec, caps).catch(() => null);
  facts.host.interfaces = await interfaces(o.exec).catch(() => null);
  // any interface counts, as for the supervisor: a service may bind its address elsewhere than lo
  facts.host.addresses = facts.host.interfaces ? facts.host.interfaces.flatMap((x) => x.addrs.map((a) => canonicalIP(a.split("/")[0]!) ?? a)) : null;
  facts.host.kernelDefault = await kernelDefaults(o.exec);
  return facts;
}

/** each direct probe of the daemon while a supervisor runs (it knows whether the daemon answers) */
export const SUPERVISED_PROBE_MS = 1500;

/**
 * The daemon, its config file and what it runs, asked through its driver. Returns what a render
 * must suit: the binary's version, or the running daemon's once it has answered.
 */
async function daemonFacts(facts: Facts, m: Manifest, driver: Driver, exec: Exec, limitMs: number | undefined): Promise<DaemonCapabilities> {
  const d = m.daemon;
  const bins = d.type === "frr" ? [["vtysh", d.vtysh], ["bgpd", d.bgpd], ["frr-reload.py", d.frrReload]] : [["bird", d.bird], ["birdc", d.birdc]];
  facts.daemon.binaries = await Promise.all(bins.map(async ([name, path]) => ({ name: name!, path: path!, exists: await executable(path!) })));
  const binary = facts.daemon.binaries.every((b) => b.exists) ? await binaryVersion(d, exec).catch(() => null) : null;
  facts.daemon.version = binary?.text ?? null;
  let caps = capabilitiesOf(binary);
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
  const st = facts.supervisor.status;
  try {
    if (st && !st.daemon.reachable) {
      throw new SvcrouteError(st.last_reconcile?.code === "E_TIMEOUT" ? "E_TIMEOUT" : "E_DAEMON_UNAVAILABLE", `the supervisor cannot reach it: ${st.daemon.last_error ?? "no reason given"}`);
    }
    facts.daemon.instance = await driver.instance();
    facts.peers = (await driver.observe(buildModel(m))).peers;
    facts.daemon.reachable = true;
    caps = await driver.capabilities();
    facts.daemon.version = (await driver.version())?.text ?? facts.daemon.version;
  } catch (e) {
    const err = toSvcrouteError(e);
    facts.daemon.error = `${err.message}${err.details ? `: ${err.details}` : ""}`;
    facts.daemon.errorCode = err.code;
    // vtysh says only "failed to connect" whatever the reason: look at the socket itself
    const sock = d.type === "frr" ? join(d.socket, "bgpd.vty") : d.socket;
    const access = await fsp.access(sock, constants.R_OK | constants.W_OK).then(() => null, (x: unknown) => (x as NodeJS.ErrnoException).code ?? null);
    const sf = await fileFacts(sock, false);
    facts.daemon.socketFile = sf;
    facts.daemon.socketGroup = await groupName(sf.gid);
    if (access === "EACCES") facts.daemon.error = `${sock}: EACCES (permission denied)`;
    return caps;
  }
  if (m.peers.some((p) => p.bfd)) facts.bfd = await driver.bfdPeers().catch(() => null);
  if (file.exists) facts.config.runningDiff = await driver.diffAgainst(d.configFile, limitMs).catch(() => null);
  const running = await driver.running().catch(() => ({ loadedAtMs: null, protocols: null }));
  facts.config.lastReconfigMs = running.loadedAtMs;
  facts.config.birdProtocols = running.protocols;
  facts.routes = await peerRoutes(m, facts.peers, exec).catch(() => ({}));
  facts.tcpMd5 = await md5Counters();
  return caps;
}
