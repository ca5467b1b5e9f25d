// Collect the facts doctor reasons about. Every probe is allowed to fail: a failure is a fact
// too (the daemon is down, a file is unreadable), never a crash.
import { constants, promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { buildModel } from "../core/build-model.js";
import { checksumState } from "../core/render.js";
import { BirdSocket } from "../daemons/bird-socket.js";
import { parseStatus } from "../daemons/bird-parse.js";
import { announcedInConfig } from "../daemons/config-read.js";
import { diffIsEmpty, parseReloadDiff } from "../daemons/frr-parse.js";
import { makeDriver } from "../daemons/make.js";
import type { Exec } from "../effects/exec.js";
import { toSvcrouteError } from "../errors.js";
import { DROP_IN_DIR, loadManifest } from "../manifest/load.js";
import type { Manifest } from "../manifest/types.js";
import { fetchStatus } from "../supervisor/client.js";
import type { Facts, FileFacts } from "./types.js";

export interface GatherOptions {
  manifestPath: string;
  socket?: string;
  exec: Exec;
  now?: () => number;
}

async function fileFacts(path: string, read: boolean): Promise<FileFacts> {
  try {
    const st = await fsp.stat(path);
    const text = read && st.isFile() && st.size < 8 * 1024 * 1024 ? await fsp.readFile(path, "utf8").catch(() => undefined) : undefined;
    return { path, exists: true, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs, ...(text !== undefined ? { text } : {}) };
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
  const r = m.daemon.type === "frr" ? await exec(m.daemon.vtysh, ["--version"], { timeoutMs: 5000 }) : await exec(m.daemon.bird, ["--version"], { timeoutMs: 5000 });
  const text = `${r.stdout}\n${r.stderr}`;
  return /(?:FRRouting|BIRD version)\s+(\S+)/.exec(text)?.[1] ?? null;
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

async function bfdPeers(m: Manifest, exec: Exec): Promise<Facts["bfd"]> {
  if (!m.peers.some((p) => p.bfd)) return null;
  if (m.daemon.type === "frr") {
    const r = await exec(m.daemon.vtysh, ["--vty_socket", m.daemon.socket, "-c", "show bfd peers json"], { timeoutMs: 5000 });
    try {
      return (JSON.parse(r.stdout) as { peer: string; status: string }[]).map((p) => ({ address: p.peer, state: p.status }));
    } catch {
      return null;
    }
  }
  const s = new BirdSocket(m.daemon.socket, 3000);
  try {
    const r = await s.command("show bfd sessions");
    return r.text
      .split("\n")
      .map((l) => /^([0-9a-fA-F.:]+)\s+\S+\s+(\S+)/.exec(l))
      .flatMap((x) => (x ? [{ address: x[1]!, state: x[2]! }] : []));
  } catch {
    return null;
  } finally {
    s.close();
  }
}

async function birdLastReconfig(m: Manifest): Promise<number | null> {
  const s = new BirdSocket(m.daemon.socket, 3000);
  try {
    const st = parseStatus((await s.command("show status")).text);
    return st.lastReconfig ? Date.parse(st.lastReconfig.replace(" ", "T")) : null;
  } catch {
    return null;
  } finally {
    s.close();
  }
}

async function frrRunningDiff(m: Manifest, exec: Exec): Promise<Facts["config"]["runningDiff"]> {
  const r = await exec(m.daemon.frrReload, ["--test", "--stdout", "--confdir", dirname(m.daemon.configFile), "--vty_socket", m.daemon.socket, "--rundir", "/tmp", m.daemon.configFile], { timeoutMs: 60_000 });
  if (r.notFound || !/Lines To (Delete|Add)/.test(`${r.stdout}${r.stderr}`)) return null;
  const d = parseReloadDiff(`${r.stdout}\n${r.stderr}`);
  return diffIsEmpty(d) ? { toDelete: [], toAdd: [] } : d;
}

export async function gatherFacts(o: GatherOptions): Promise<Facts> {
  const load = await loadManifest(o.manifestPath);
  const m = load.manifest;
  const socket = o.socket ?? m?.supervisor.statusSocket ?? "/run/svcroute/svcroute.sock";
  const facts: Facts = {
    manifestPath: o.manifestPath,
    load,
    manifest: m,
    files: {
      manifest: await fileFacts(o.manifestPath, false),
      dropInDir: await fileFacts(join(dirname(o.manifestPath), DROP_IN_DIR), false),
      secrets: m ? await Promise.all([...new Set(m.peers.flatMap((p) => (p.passwordFile ? [p.passwordFile] : [])))].map((p) => fileFacts(p, false))) : [],
    },
    daemon: { binaries: [], version: null, daemonsFile: null, reachable: false, error: null, errorCode: null, instance: null },
    config: { file: { path: m?.daemon.configFile ?? "", exists: false }, rendered: null, renderedWith: null, checksum: null, runningDiff: null, lastReconfigMs: null, announcedInFile: null },
    peers: null,
    bfd: null,
    host: { addresses: null, sysctl: {}, kernelDefault: null },
    supervisor: { status: null, error: null, socket },
    now: (o.now ?? Date.now)(),
  };
  try {
    facts.supervisor.status = await fetchStatus(socket);
  } catch (e) {
    facts.supervisor.error = toSvcrouteError(e).message;
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
  }
  const driver = makeDriver(d);
  try {
    facts.daemon.instance = await driver.instance();
    const model = buildModel(m);
    const obs = await driver.observe(model);
    facts.daemon.reachable = true;
    facts.peers = obs.peers;
  } catch (e) {
    const err = toSvcrouteError(e);
    facts.daemon.error = `${err.message}${err.details ? `: ${err.details}` : ""}`;
    facts.daemon.errorCode = err.code;
    // vtysh says only "failed to connect" whatever the reason: look at the socket itself
    const sock = d.type === "frr" ? join(d.socket, "bgpd.vty") : d.socket;
    const access = await fsp.access(sock, constants.R_OK | constants.W_OK).then(() => null, (x: NodeJS.ErrnoException) => x.code ?? null);
    if (access === "EACCES") facts.daemon.error = `${sock}: EACCES (permission denied); ${facts.daemon.error}`;
  } finally {
    driver.close();
  }
  if (facts.daemon.reachable) {
    facts.bfd = await bfdPeers(m, o.exec).catch(() => null);
    if (d.type === "frr" && file.exists) facts.config.runningDiff = await frrRunningDiff(m, o.exec).catch(() => null);
    if (d.type === "bird") facts.config.lastReconfigMs = await birdLastReconfig(m);
  }
  facts.host.addresses = await addresses(m.addresses.interface, o.exec).catch(() => null);
  facts.host.kernelDefault = await kernelDefaults(o.exec);
  return facts;
}
