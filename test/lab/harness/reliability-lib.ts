// Shared pieces of the reliability suites (reliability.test.ts, reliability-soak.test.ts): a
// fabric of two ToRs (tor1 with BFD toward the hosts, tor2 without) and one supervised host per
// daemon whose routing config lives on a small tmpfs of its own (so a suite can make it read-only
// or fill it), the manifest those hosts run, what the ToRs should hold, and process facts (RSS).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fetchStatus } from "../../../src/supervisor/client.js";
import type { SupervisorStatus } from "../../../src/supervisor/status-types.js";
import { waitEstablished } from "./conditions.js";
import { createLab, type Lab } from "./lab.js";
import { isAlive } from "./procs.js";
import { dropInDir, guardPids, healthFile, labManifest, startSupervisor, waitSupervisorUp, writeAtomic, type Supervised } from "./supervised.js";
import { waitFor } from "./wait.js";

export type Daemon = "bird" | "frr";
export const DAEMONS: Daemon[] = ["bird", "frr"];
export const TORS = ["tor1", "tor2"] as const;
/** the ToR whose sessions to the hosts run BFD (both sides); tor2's rely on the hold timer */
export const BFD_TOR = "tor1";

/** one service of a reliability host: a file-checked service, or one without checks (always up) */
export interface RelService {
  name: string;
  prefix: string;
  checked: boolean;
  /** the check's timing lines (indented 4 spaces) instead of interval 200ms, rise 1, fall 1, no hold-down */
  timing?: string[];
}

export interface RelHost {
  daemon: Daemon;
  host: string;
  services: RelService[];
  /** the tmpfs the routing daemon's config file lives on */
  confDir: string;
}

/** prefixes per daemon: 192.0.2.<base + i>/32 */
export function relServices(base: number, checked: string[], unchecked: string[] = ["base"]): RelService[] {
  const all = [...checked.map((n) => ({ name: n, checked: true })), ...unchecked.map((n) => ({ name: n, checked: false }))];
  return all.map((s, i) => ({ ...s, prefix: `192.0.2.${base + i}/32` }));
}

export interface ManifestOptions {
  /** services of the manifest (default: the host's) */
  services?: RelService[];
  /** extra YAML lines per service name (indented 4 spaces) */
  serviceExtra?: Record<string, string[]>;
  /** daemon.* lines beyond type/config_file/socket, e.g. `bird: /path/wrapper` */
  daemonExtra?: string[];
  /** per-peer hold timer (default 3s) */
  hold?: string;
  reverifyInterval?: string;
  checkTimeout?: string;
}

/** the manifest of a reliability host: both ToRs as peers, BFD toward BFD_TOR */
export function relManifest(lab: Lab, h: RelHost, o: ManifestOptions = {}): string {
  const host = lab.host(h.host);
  const peers = host.links.map((l) =>
    [
      `  - name: ${l.tor}`,
      `    address: ${l.tor4}`,
      `    remote_asn: ${l.torAsn}`,
      `    timers: {keepalive: 1s, hold: ${o.hold ?? "3s"}, connect_retry: 1s}`,
      ...(l.tor === BFD_TOR ? ["    bfd: {interval: 100ms, multiplier: 3}"] : []),
    ].join("\n"),
  );
  const timeout = o.checkTimeout ?? "150ms";
  const services = (o.services ?? h.services).map((s) =>
    [
      `  - name: ${s.name}`,
      `    prefixes: [${s.prefix}]`,
      ...(s.checked
        ? [
            `    checks: [{type: file, path: ${healthFile(host, s.name)}}]`,
            // the fault suites flip health on purpose, more often than the default hold-down allows
            ...(s.timing ?? ["    interval: 200ms", `    fast_interval: ${timeout}`, `    timeout: ${timeout}`, "    rise: 1", "    fall: 1", "    flap: {max_transitions: 1000, window: 10s, hold: 1s}"]),
          ]
        : []),
      ...(o.serviceExtra?.[s.name] ?? []),
    ].join("\n"),
  );
  return labManifest(host, { peers, services, daemonExtra: o.daemonExtra, tail: { reverify: o.reverifyInterval } });
}

export const manifestPath = (lab: Lab, h: RelHost) => join(lab.host(h.host).dir, "svcroute.yaml");

// ------------------------------------------------------------------------------ tmpfs

const mounted = new Set<string>();
let exitHook = false;

function mountpoint(dir: string): boolean {
  return execFileSync("findmnt", ["-n", "-o", "TARGET", "--mountpoint", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "" || false;
}

function isMounted(dir: string): boolean {
  try {
    return mountpoint(dir);
  } catch {
    return false;
  }
}

/**
 * A tmpfs of `size` at `dir`. Mount it before the processes that must see it start: the root
 * mount here is private, so every `ip netns exec` copies the mount table it finds (a later
 * remount ro or a full filesystem is seen everywhere: it is one superblock).
 */
export function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0755`, `svrl-rel-${basename(dir)}`, dir]);
  mounted.add(dir);
  if (!exitHook) {
    exitHook = true;
    // a crashed run must not leave a mount behind (nor one the lab's teardown cannot delete)
    process.on("exit", () => {
      for (const d of mounted) unmountTmpfs(d);
    });
  }
}

export function remount(dir: string, mode: "ro" | "rw"): void {
  execFileSync("mount", ["-o", `remount,${mode}`, dir]);
}

export function unmountTmpfs(dir: string): void {
  if (!isMounted(dir)) {
    mounted.delete(dir);
    return;
  }
  try {
    execFileSync("mount", ["-o", "remount,rw", dir], { stdio: "ignore" });
  } catch {
    // unmounted below anyway
  }
  try {
    execFileSync("umount", [dir], { stdio: "ignore" });
  } catch {
    execFileSync("umount", ["-l", dir], { stdio: "ignore" });
  }
  mounted.delete(dir);
}

/** free bytes on the filesystem of `dir` */
export function freeBytes(dir: string): number {
  const out = execFileSync("df", ["-B1", "--output=avail", dir], { encoding: "utf8" });
  return Number(out.trim().split("\n").pop());
}

/** fill the filesystem of `dir` until at most `leave` bytes are free; returns the filler file */
export function fillUp(dir: string, leave: number): string {
  const filler = join(dir, ".filler");
  const want = Math.max(0, freeBytes(dir) - leave);
  try {
    writeFileSync(filler, Buffer.alloc(want));
  } catch {
    // ENOSPC: as full as it gets
  }
  return filler;
}

// ------------------------------------------------------------------------------ the fabric

export interface RelFabric {
  lab: Lab;
  hosts: Record<Daemon, RelHost>;
  sup: Record<Daemon, Supervised>;
}

export interface FabricOptions {
  /** host names and services per daemon */
  hosts: Record<Daemon, { host: string; services: RelService[] }>;
  /** services a test adds later, per daemon: their addresses are on the host from the start too */
  later?: Record<Daemon, RelService[]>;
  /** tmpfs size for each host's config directory (default 1m) */
  confSize?: string;
  manifest?: (h: RelHost, lab: Lab) => ManifestOptions;
}

/**
 * Two ToRs (tor1: BFD toward the hosts; both with `debug bgp updates in`), a BIRD host and an FRR
 * host linked to both, each host's config file on its own tmpfs, and `svcroute run` on each.
 * Returns once every session is up and every service prefix is at both ToRs.
 */
export async function createRelFabric(o: FabricOptions): Promise<RelFabric> {
  const lab = await createLab(
    {
      tors: [
        { name: "tor1", asn: 65001, bfd: true, timers: { keepalive: 1, hold: 3 }, debugUpdates: true },
        { name: "tor2", asn: 65002, timers: { keepalive: 1, hold: 3 }, debugUpdates: true },
      ],
      // every service address on the host: each service is announced only with its address there
      hosts: DAEMONS.map((d) => ({
        name: o.hosts[d].host,
        daemon: d,
        links: [...TORS],
        families: ["ipv4" as const],
        addresses: [...o.hosts[d].services, ...(o.later?.[d] ?? [])].map((s) => s.prefix),
      })),
    },
    { startHosts: false },
  );
  const fabric: RelFabric = { lab, hosts: {} as Record<Daemon, RelHost>, sup: {} as Record<Daemon, Supervised> };
  try {
    for (const d of DAEMONS) {
      const plan = lab.host(o.hosts[d].host);
      const paths = plan.paths!;
      const confDir = join(plan.dir, "conf");
      mountTmpfs(confDir, o.confSize ?? "1m");
      // the daemon is started on, and svcroute writes, the file on the tmpfs
      paths.configFile = join(confDir, basename(paths.configFile));
      if (paths.kind === "frr") writeFileSync(join(confDir, "vtysh.conf"), "service integrated-vtysh-config\n");
      fabric.hosts[d] = { daemon: d, host: plan.name, services: o.hosts[d].services, confDir };
    }
    await Promise.all(DAEMONS.map((d) => lab.startDaemon(fabric.hosts[d].host)));
    for (const d of DAEMONS) {
      const h = fabric.hosts[d];
      writeAtomic(manifestPath(lab, h), relManifest(lab, h, o.manifest?.(h, lab)));
      fabric.sup[d] = startSupervisor(lab, h.host, { services: h.services.map((s) => ({ name: s.name, prefixes: [s.prefix] })), keepManifest: true });
    }
    await Promise.all(DAEMONS.map((d) => waitSupervisorUp(fabric.sup[d])));
    await waitEstablished(lab, { timeout: 60_000 });
    await Promise.all(DAEMONS.map((d) => waitTorsHold(fabric, d, "every service up at start")));
    return fabric;
  } catch (e) {
    await teardownRelFabric(fabric).catch(() => undefined);
    throw e;
  }
}

/** SIGTERM the supervisors (a planned stop), unmount the tmpfs, take the lab down */
export async function teardownRelFabric(f: RelFabric): Promise<void> {
  try {
    const live = DAEMONS.filter((d) => d in f.sup && isAlive(f.sup[d].pid));
    for (const d of live) process.kill(f.sup[d].pid, "SIGTERM");
    await waitFor(() => live.filter((d) => isAlive(f.sup[d].pid)), { what: "the supervisors to stop", timeout: 15_000, until: (l) => l.length === 0 }).catch(() => undefined);
    await waitFor(() => guardPids(f.lab), { what: "every guard to leave", timeout: 10_000, until: (p) => p.length === 0 }).catch(() => undefined);
  } finally {
    for (const d of DAEMONS) if (d in f.hosts) unmountTmpfs(f.hosts[d].confDir);
    await f.lab.down();
  }
}

// ------------------------------------------------------------------------------ health and desired state

export function setHealthy(lab: Lab, h: RelHost, service: string, up: boolean): void {
  const f = healthFile(lab.host(h.host), service);
  if (up) writeFileSync(f, "");
  else rmSync(f, { force: true });
}

export function isHealthy(lab: Lab, h: RelHost, s: RelService): boolean {
  return !s.checked || existsSync(healthFile(lab.host(h.host), s.name));
}

/** the prefixes the host should announce now, judged from the health files (sorted) */
export function desiredPrefixes(lab: Lab, h: RelHost, services = h.services): string[] {
  return services
    .filter((s) => isHealthy(lab, h, s))
    .map((s) => s.prefix)
    .sort();
}

/** whether a rendered config (on disk) announces the service's prefix */
export function fileAnnounces(d: Daemon, text: string, s: RelService): boolean {
  if (d === "bird") return new RegExp(`^protocol static svc4_${s.name} \\{\\n\\s+disabled no;`, "m").test(text);
  return new RegExp(`^\\s+network ${s.prefix.replace(/\./g, "\\.")}( |$)`, "m").test(text);
}

/** the host's prefixes each ToR accepted from it now */
export async function atTors(lab: Lab, host: string, tors: readonly string[] = TORS): Promise<Record<string, string[]>> {
  return Object.fromEntries(await Promise.all(tors.map(async (t) => [t, await lab.observe.received(t, host).catch(() => ["<no answer>"])] as const)));
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Waits until every ToR holds exactly the desired prefixes from the host. */
export async function waitTorsHold(f: RelFabric, d: Daemon, what: string, timeout = 20_000, want?: string[], tors: readonly string[] = TORS): Promise<number> {
  const h = f.hosts[d];
  const { ms } = await waitFor(() => atTors(f.lab, h.host, tors), {
    what: `${what}: ${tors.join(", ")} hold exactly ${JSON.stringify(want ?? desiredPrefixes(f.lab, h))} from ${h.host}`,
    timeout,
    interval: 50,
    until: (got) => tors.every((t) => same(got[t] ?? [], want ?? desiredPrefixes(f.lab, h))),
  });
  return ms;
}

export const status = (s: Supervised): Promise<SupervisorStatus> => fetchStatus(s.socket);

/**
 * The supervisor's view agrees with the ToRs: the daemon reachable, the last reconcile ok (and
 * after `since`), each prefix's desired state as health says and advertised to each peer exactly
 * when desired. Returns the disagreements ([] when it agrees).
 */
export function disagreements(st: SupervisorStatus, lab: Lab, h: RelHost, since = 0, peers: readonly string[] = TORS): string[] {
  const out: string[] = [];
  if (!st.daemon.reachable) out.push(`daemon unreachable: ${st.daemon.last_error}`);
  if (st.last_reconcile?.result !== "ok") out.push(`last reconcile ${st.last_reconcile?.result}: ${st.last_reconcile?.code} ${st.last_reconcile?.message}`);
  if ((st.last_reconcile?.at ?? 0) < since) out.push(`no reconcile since ${since}`);
  const want = new Set(desiredPrefixes(lab, h));
  for (const s of h.services) {
    const svc = st.services.find((x) => x.name === s.name);
    const p = svc?.prefixes.find((x) => x.prefix === s.prefix);
    if (!p) {
      out.push(`${s.prefix} missing from status`);
      continue;
    }
    const desired = want.has(s.prefix);
    if ((p.desired !== "withdrawn") !== desired) out.push(`${s.prefix} desired ${p.desired}, health says ${desired ? "up" : "down"}`);
    for (const peer of peers) if (p.advertised[peer] !== desired) out.push(`${s.prefix} advertised to ${peer}: ${p.advertised[peer]}`);
  }
  return out;
}

/** Waits until the supervisor's status agrees with health and the ToRs (see disagreements). */
export async function waitAgrees(f: RelFabric, d: Daemon, what: string, since = 0, timeout = 20_000, peers: readonly string[] = TORS): Promise<SupervisorStatus> {
  await waitFor(async () => disagreements(await status(f.sup[d]), f.lab, f.hosts[d], since, peers), {
    what: `${what}: ${f.hosts[d].host}'s status agrees (listing what does not)`,
    timeout,
    interval: 50,
    until: (x) => x.length === 0,
  });
  return status(f.sup[d]);
}

// ------------------------------------------------------------------------------ processes

/** resident set size of a process in kB (VmRSS), undefined when it is gone */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** least-squares slope of ys over xs */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** a small seeded PRNG (mulberry32): the same seed replays the same fault sequence */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** the supervisor's JSON log lines */
export function supLog(s: Supervised): { ts: string; level: string; msg: string; code?: string; op?: string; triggers?: string; hash?: string }[] {
  try {
    return readFileSync(s.logFile, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { ts: string; level: string; msg: string; code?: string; op?: string; triggers?: string; hash?: string });
  } catch {
    return [];
  }
}

export { dropInDir };

// ------------------------------------------------------------------------------ a daemon that refuses

/** flag files: while "parse" exists every config is refused; "reload" refuses the next reload once */
export const refuseFlag = (lab: Lab, h: RelHost, stage: "parse" | "reload") => join(lab.host(h.host).dir, `refuse-${stage}`);

/**
 * Wrappers around the real daemon tools (daemon.bird / daemon.vtysh / daemon.frr_reload) that pass
 * everything through, except when a refuse flag exists: then the real tool judges a broken copy
 * of the config instead, so the refusal svcroute sees is the daemon's own words. "parse": the
 * parser check before the write (BIRD `bird -p`, FRR `vtysh -C`); "reload": FRR's frr-reload.py
 * and the incremental vtysh call before it (a refused apply after the write, to be rolled back).
 */
export function refusalWrappers(lab: Lab, h: RelHost): string[] {
  const dir = lab.host(h.host).dir;
  const broken = join(dir, "broken.conf");
  const parse = refuseFlag(lab, h, "parse");
  const reload = refuseFlag(lab, h, "reload");
  const write = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return p;
  };
  const breakIt = (file: string) => `{ cat "${file}"; printf '\\nthis is not a statement;\\n'; } > ${broken}`;
  if (h.daemon === "bird") {
    // svcroute runs `bird -p -c FILE`
    const bird = write("bird-wrapper", `if [ -e ${parse} ] && [ "$1" = "-p" ]; then ${breakIt("$3")}; exec /usr/sbin/bird -p -c ${broken}; fi\nexec /usr/sbin/bird "$@"`);
    return [`bird: ${bird}`];
  }
  // svcroute runs `vtysh -C -f FILE` to check; it applies a change of policy objects as
  // `vtysh --vty_socket S -c "configure terminal" -c … -c end`, anything else (and a refused
  // incremental change) with `frr-reload.py --reload ... FILE`. While "reload" exists the
  // incremental call meets a statement vtysh refuses before any of the change (vtysh stops at the
  // first refused command), and frr-reload.py the broken copy, once.
  const vtysh = write(
    "vtysh-wrapper",
    [
      `if [ -e ${parse} ] && [ "$1" = "-C" ]; then ${breakIt("$3")}; exec /usr/bin/vtysh -C -f ${broken}; fi`,
      `if [ -e ${reload} ] && [ "$1" = "--vty_socket" ] && [ "$4" = "configure terminal" ]; then`,
      `  a="$1"; b="$2"; shift 2; exec /usr/bin/vtysh "$a" "$b" -c "this is not a statement" "$@"`,
      "fi",
      `exec /usr/bin/vtysh "$@"`,
    ].join("\n"),
  );
  const frrReload = write(
    "frr-reload-wrapper",
    [
      `if [ -e ${reload} ] && [ "$1" = "--reload" ]; then`,
      `  rm -f ${reload}`,
      // --reload --stdout --confdir D --vty_socket S --rundir R FILE: the same, with the broken copy
      `  ${breakIt("$9")}`,
      `  exec /usr/lib/frr/frr-reload.py "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" ${broken}`,
      "fi",
      `exec /usr/lib/frr/frr-reload.py "$@"`,
    ].join("\n"),
  );
  return [`vtysh: ${vtysh}`, `frr_reload: ${frrReload}`];
}

/** the manifest with its `services:` block moved last, so any cut between two services is valid YAML */
export function servicesLast(text: string): string {
  const lines = text.split("\n");
  const start = lines.indexOf("services:");
  let end = start + 1;
  while (end < lines.length && (lines[end]!.startsWith(" ") || lines[end] === "")) end++;
  const block = lines.slice(start, end).filter((l) => l !== "");
  const rest = [...lines.slice(0, start), ...lines.slice(end)].filter((l) => l !== "");
  return `${[...rest, ...block].join("\n")}\n`;
}

/** a service without checks, for structural changes */
export const extraService = (name: string, prefix: string): RelService => ({ name, prefix, checked: false });
