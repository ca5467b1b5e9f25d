// Run the real `svcroute run` (the built bundle) inside a lab host's namespace, with a manifest
// pointed at that host's daemon files, and talk to it over its status socket. Also: what the
// supervisor tests observe at the ToRs (path attributes, continuous watches, the ToR's update log)
// and the processes a supervisor leaves (its fail-closed guard).
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Lab } from "./lab.js";
import { cmdline, isAlive } from "./procs.js";
import { hostTools, toolLines } from "./tools.js";
import type { HostPlan, LinkPlan } from "./topology.js";
import { waitFor } from "./wait.js";

const ROOT = resolve(import.meta.dirname, "../../..");
export const BUNDLE = join(ROOT, "dist/svcroute.cjs");

export interface ServiceSpec {
  name: string;
  prefixes: string[];
  /** extra YAML lines of the service (indented 4 spaces) */
  extra?: string[];
  /** no health check: always healthy */
  noChecks?: boolean;
}

export interface SupervisedOptions {
  services: ServiceSpec[];
  accept?: "none" | "default-only";
  /** extra top-level YAML */
  extra?: string;
  /** per-peer extra YAML lines (indented 4 spaces) */
  peerExtra?: string[];
  families?: ("ipv4" | "ipv6")[];
  guardGrace?: string;
  /**
   * health check timeout (and fast_interval), default 100ms; on a busy machine a file check's stat
   * can wait that long behind fsyncs in libuv's thread pool and count as a failure
   */
  checkTimeout?: string;
  drainWait?: string;
  stopGrace?: string;
  reverifyInterval?: string;
}

/** health switch files: a service is healthy while <dir>/health/<name> exists */
export const healthFile = (host: HostPlan, service: string) => join(host.dir, "health", service);
/** the maintenance drain file of a supervised host */
export const drainFile = (host: HostPlan) => join(host.dir, "drain");
/** the drop-in directory beside the manifest */
export const dropInDir = (host: HostPlan) => join(host.dir, "services.d");

/** one service of the manifest: a file check every 200 ms, rise 1, fall 1 (`timeout` default 100ms) */
export function serviceYaml(host: HostPlan, s: ServiceSpec, timeout = "100ms"): string {
  return [
    `  - name: ${s.name}`,
    `    prefixes: [${s.prefixes.join(", ")}]`,
    ...(s.noChecks
      ? []
      : [`    checks: [{type: file, path: ${healthFile(host, s.name)}}]`, "    interval: 200ms", `    fast_interval: ${timeout}`, `    timeout: ${timeout}`, "    rise: 1", "    fall: 1"]),
    ...(s.extra ?? []),
  ].join("\n");
}

/**
 * a lab host's manifest up to `peers:`: its daemon (the programs of the lab's daemon set and, for
 * BIRD, its log file, plus `daemonExtra` lines, which win over such a line of the same key) and router
 */
export function manifestHead(host: HostPlan, daemonExtra: readonly string[] = []): string[] {
  if (!host.paths) throw new Error(`${host.name} runs no routing daemon`);
  const keyOf = (l: string) => l.split(":")[0]!.trim();
  const extraKeys = new Set(daemonExtra.map(keyOf));
  return [
    "version: 1",
    "daemon:",
    `  type: ${host.paths.kind}`,
    `  config_file: ${host.paths.configFile}`,
    `  socket: ${host.paths.socket}`,
    // BIRD logs to syslog unless told otherwise, and these machines have no syslog socket: it would
    // write every message to /dev/console (slowly: seconds for a reload of thousands of services,
    // which a host with syslog does not pay). FRR's lab daemons are started with a log file.
    ...[...toolLines(host.paths.kind, hostTools(host)), ...(host.paths.kind === "bird" ? [`log_file: ${host.paths.logFile}`] : [])]
      .filter((l) => !extraKeys.has(keyOf(l)))
      .map((l) => `  ${l}`),
    ...daemonExtra.map((l) => `  ${l}`),
    "router:",
    `  asn: ${host.asn}`,
    `  router_id: ${host.routerId}`,
  ];
}

export interface ManifestTail {
  /** default: drainFile(host) */
  drainFile?: string;
  drainWait?: string;
  reverify?: string;
  stopGrace?: string;
  guardGrace?: string;
}

/** a lab host's maintenance and supervisor sections: everything in the host's directory */
export function manifestTail(host: HostPlan, o: ManifestTail = {}): string[] {
  return [
    "maintenance:",
    `  drain_file: ${o.drainFile ?? drainFile(host)}`,
    `  drain_wait: ${o.drainWait ?? "2s"}`,
    "supervisor:",
    `  state_dir: ${join(host.dir, "state")}`,
    `  status_socket: ${join(host.dir, "svcroute.sock")}`,
    `  reverify_interval: ${o.reverify ?? "3s"}`,
    `  stop_grace: ${o.stopGrace ?? "500ms"}`,
    `  guard_grace: ${o.guardGrace ?? "3s"}`,
  ];
}

export function manifestFor(lab: Lab, hostName: string, o: SupervisedOptions): string {
  const host = lab.host(hostName);
  if (!host.paths) throw new Error(`${hostName} has no daemon`);
  const links: LinkPlan[] = lab.plan.tors.flatMap((t) => t.links.filter((l) => l.host === hostName));
  const fams = o.families ?? ["ipv4"];
  const peers = links.flatMap((l) =>
    fams.map((f) =>
      [`  - name: ${l.tor}${fams.length > 1 ? `-v${f.slice(3)}` : ""}`, `    address: ${f === "ipv4" ? l.tor4 : l.tor6}`, `    remote_asn: ${l.torAsn}`, `    timers: {keepalive: 1s, hold: 3s, connect_retry: 1s}`, ...(o.peerExtra ?? [])].join("\n"),
    ),
  );
  const services = o.services.map((s) => serviceYaml(host, s, o.checkTimeout));
  const tail = { drainWait: o.drainWait, reverify: o.reverifyInterval, stopGrace: o.stopGrace, guardGrace: o.guardGrace };
  return labManifest(host, { peers, services, accept: o.accept, tail, extra: o.extra ?? "" });
}

/**
 * A lab host's whole manifest: its daemon and router, the given peers and services (YAML list
 * items), the lab's address policy, its maintenance and supervisor sections, then `extra`.
 */
export function labManifest(
  host: HostPlan,
  p: { peers: string[]; services: string[]; daemonExtra?: readonly string[]; accept?: string; tail?: ManifestTail; extra?: string },
): string {
  return [
    ...manifestHead(host, p.daemonExtra),
    "peers:",
    ...p.peers,
    "policy:",
    "  allowed_prefixes: [192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32]",
    `  accept: ${p.accept ?? "default-only"}`,
    "services:",
    ...p.services,
    ...manifestTail(host, p.tail),
    ...(p.extra === undefined ? [] : [p.extra]),
    "",
  ].join("\n");
}

/** replace a file the way config management does: write beside it, then rename over it */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${Date.now()}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export interface Supervised {
  host: string;
  manifest: string;
  socket: string;
  logFile: string;
  stateDir: string;
  pid: number;
  exited: Promise<number | null>;
  setHealthy(service: string, up: boolean): void;
}

const staged = new WeakMap<Lab, string>();

/** A private copy of dist/ (the bundle's files and templates) in `dir`; returns its entry point. */
export function copyBundle(dir: string): string {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first (or call ensureBundle())`);
  cpSync(dirname(BUNDLE), dir, { recursive: true });
  return join(dir, basename(BUNDLE));
}

/**
 * The bundle this lab run uses: a private copy in the run directory, taken at first use, so a
 * rebuild of dist/ while the run goes on cannot pull it from under a supervisor.
 */
export function bundleFor(lab: Lab): string {
  let b = staged.get(lab);
  if (!b) {
    b = copyBundle(join(lab.dir, "svcroute"));
    staged.set(lab, b);
  }
  return b;
}

/** write the manifest (unless told to keep the one on disk), make every service healthy (unless told), start `svcroute run` */
export function startSupervisor(lab: Lab, hostName: string, o: SupervisedOptions & { healthy?: boolean; args?: string[]; keepManifest?: boolean }): Supervised {
  const bundle = bundleFor(lab);
  const host = lab.host(hostName);
  mkdirSync(join(host.dir, "health"), { recursive: true });
  const manifest = join(host.dir, "svcroute.yaml");
  if (!o.keepManifest || !existsSync(manifest)) writeAtomic(manifest, manifestFor(lab, hostName, o));
  const setHealthy = (service: string, up: boolean) => (up ? writeFileSync(healthFile(host, service), "") : rmSync(healthFile(host, service), { force: true }));
  if (o.healthy ?? true) for (const s of o.services) setHealthy(s.name, true);
  const logFile = join(host.dir, "svcroute.log");
  const p = lab.spawn(hostName, process.execPath, [bundle, "run", "--manifest", manifest, "--log-format", "json", ...(o.args ?? [])], { logFile, env: runtimeEnv(lab, hostName) });
  return { host: hostName, manifest, socket: join(host.dir, "svcroute.sock"), logFile, stateDir: join(host.dir, "state"), pid: p.pid, exited: p.exited, setHealthy };
}

export async function waitSupervisorUp(s: Supervised, timeout = 30_000): Promise<void> {
  const { fetchStatus } = await import("../../../src/supervisor/client.js");
  await waitFor(() => fetchStatus(s.socket).catch(() => undefined), { what: "the supervisor's status socket", timeout, until: (x) => x?.last_reconcile !== null && x !== undefined });
}

// ------------------------------------------------------------------------------ the bundle

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

/**
 * The lab runs the shipped bundle, so it must be built from the sources under test: build it when
 * it is missing or older than anything in src/, templates/ or package.json (a clean clone after
 * `npm ci` has no dist/ at all). Returns what happened, for the test log.
 */
export function ensureBundle(): "fresh" | "built" {
  const sources = Math.max(...["src", "templates", "package.json", "packaging/build.mjs"].map((p) => newestMtime(join(ROOT, p))));
  if (existsSync(BUNDLE) && existsSync(join(ROOT, "dist/templates")) && statSync(BUNDLE).mtimeMs >= sources) return "fresh";
  try {
    execFileSync(process.execPath, [join(ROOT, "packaging/build.mjs")], { cwd: ROOT, stdio: "pipe", timeout: 120_000 });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new Error(`building ${BUNDLE} (node packaging/build.mjs) failed: ${err.stderr?.toString() || err.stdout?.toString() || err.message}`, { cause: e });
  }
  if (!existsSync(BUNDLE)) throw new Error(`node packaging/build.mjs ran but ${BUNDLE} is missing`);
  return "built";
}

/**
 * The environment of the host's supervisor and CLI: the runtime directory systemd would make
 * (/run/svcroute), here in the host's directory, where the supervisor records its socket.
 */
export function runtimeEnv(lab: Lab, hostName: string): NodeJS.ProcessEnv {
  const dir = join(lab.host(hostName).dir, "run");
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  // the CLI's code cache (src/code-cache.ts) in the host's directory, not the machine's /var/cache
  return { ...process.env, SVCROUTE_RUNTIME_DIR: dir, SVCROUTE_CODE_CACHE: join(lab.host(hostName).dir, "code-cache") };
}

/** `svcroute ARGS` (the bundle) inside the host's namespace */
export async function svcroute(lab: Lab, host: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await lab.exec(host, process.execPath, [bundleFor(lab), ...args], { allowFail: true, env: runtimeEnv(lab, host) });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

// ------------------------------------------------------------------------- at the ToR

export interface PathInfo {
  /** the neighbour address the path came from */
  peer: string;
  asPath: number[];
  communities: string[];
  largeCommunities: string[];
  med: number | undefined;
  /** LOCAL_PREF as received (iBGP only; FRR shows none for an eBGP path) */
  localPref: number | undefined;
  best: boolean;
  multipath: boolean;
}

interface FrrPathDetailJson {
  aspath?: { string?: string };
  community?: { string?: string };
  largeCommunity?: { string?: string };
  metric?: number;
  locPrf?: number;
  bestpath?: { overall?: boolean };
  multipath?: boolean;
  peer?: { peerId?: string };
}

/** every path the ToR holds for `prefix`, with AS path, communities and MED ([] when absent) */
export async function paths(lab: Lab, tor: string, prefix: string): Promise<PathInfo[]> {
  const fam = prefix.includes(":") ? "ipv6" : "ipv4";
  const j = await lab.vtyshJson<{ paths?: FrrPathDetailJson[] }>(tor, `show bgp ${fam} unicast ${prefix} json`);
  return (j.paths ?? []).map((p) => ({
    peer: p.peer?.peerId ?? "",
    // FRR writes an empty AS path (an iBGP peer's own route) as "Local"
    asPath: (p.aspath?.string ?? "").split(/\s+/).filter((t) => t !== "" && t !== "Local").map(Number),
    communities: (p.community?.string ?? "").split(/\s+/).filter(Boolean),
    largeCommunities: (p.largeCommunity?.string ?? "").split(/\s+/).filter(Boolean),
    med: p.metric,
    localPref: p.locPrf,
    // FRR names every path's selection outcome under bestpath once it compared them; only the winner is `overall`
    best: p.bestpath?.overall === true,
    multipath: p.multipath === true,
  }));
}

/** the ToR's path for `prefix` learnt from `host` (undefined when the host does not announce it there) */
export async function pathFrom(lab: Lab, tor: string, host: string, prefix: string): Promise<PathInfo | undefined> {
  const peer = lab.link(host, tor).host4;
  return (await paths(lab, tor, prefix)).find((p) => p.peer === peer);
}

export interface RouteWatchResult {
  samples: number;
  present: number;
  absent: number;
  /** ms after the watch started of the first sample that saw the route absent / present */
  firstAbsentMs: number | undefined;
  firstPresentMs: number | undefined;
  /** the longest time between two answered samples: the watch's resolution */
  maxGapMs: number;
}

export interface RouteWatch {
  /** what was seen so far */
  seen(): RouteWatchResult;
  /** stop watching; resolves with what was seen */
  stop(): Promise<RouteWatchResult>;
}

/**
 * Watch the ToR continuously (every `intervalMs`) for `prefix`. A route that must never leave the
 * ToR (a quick restart, a change of attributes) is proven by zero absent samples, one that must
 * never appear by zero present ones.
 */
export function watchRoute(lab: Lab, tor: string, prefix: string, intervalMs = 20): RouteWatch {
  const stopping = new AbortController();
  const r: RouteWatchResult = { samples: 0, present: 0, absent: 0, firstAbsentMs: undefined, firstPresentMs: undefined, maxGapMs: 0 };
  const t0 = performance.now();
  let last = t0;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const has = await lab.observe.hasRoute(tor, prefix).catch(() => undefined);
      const now = performance.now();
      if (has !== undefined) {
        r.samples++;
        r.maxGapMs = Math.max(r.maxGapMs, Math.round(now - last));
        last = now;
        if (has) {
          r.present++;
          r.firstPresentMs ??= Math.round(now - t0);
        } else {
          r.absent++;
          r.firstAbsentMs ??= Math.round(now - t0);
        }
      }
      await new Promise((res) => setTimeout(res, intervalMs));
    }
  })();
  return {
    seen: () => ({ ...r }),
    async stop() {
      stopping.abort();
      await loop;
      return { ...r };
    },
  };
}

/** where the ToR's bgpd log ends now (read updates after this point with torUpdatesSince) */
export function torLogMark(lab: Lab, tor: string): number {
  try {
    return statSync(lab.tor(tor).paths.logFile).size;
  } catch {
    return 0;
  }
}

/**
 * Lines of the ToR's `debug bgp updates in` log after `mark` that name `prefix` (the ToR needs
 * `debugUpdates`); `withdrawn` are the UPDATEs that withdrew it.
 */
export function torUpdatesSince(lab: Lab, tor: string, prefix: string, mark: number): { lines: string[]; withdrawn: string[] } {
  let text: string;
  try {
    text = readFileSync(lab.tor(tor).paths.logFile).subarray(mark).toString("utf8");
  } catch {
    return { lines: [], withdrawn: [] };
  }
  const lines = text.split("\n").filter((l) => l.includes(` ${prefix} `) || l.endsWith(` ${prefix}`));
  return { lines, withdrawn: lines.filter((l) => /withdrawn/i.test(l)) };
}

/** NOTIFICATIONs the ToR received from `neighbor` after `mark`, as "code/subcode (reason)" (needs the ToR's log-neighbor-changes, on in the lab) */
export function torNotificationsSince(lab: Lab, tor: string, neighbor: string, mark: number): string[] {
  let text: string;
  try {
    text = readFileSync(lab.tor(tor).paths.logFile).subarray(mark).toString("utf8");
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const m of text.matchAll(/%NOTIFICATION[^:]*: received from neighbor (\S+?)(?:\([^)]*\))? (\d+\/\d+ \([^)]*\))/g)) if (m[1] === neighbor) out.push(m[2]!);
  return out;
}

// ------------------------------------------------------------------------- processes

/** live `svcroute guard` processes started for this lab run (any host, or one manifest) */
export function guardPids(lab: Lab, manifest?: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    const c = cmdline(pid);
    if (!c.includes("svcroute.cjs guard ") || !c.includes(lab.dir)) continue;
    if (manifest && !c.includes(manifest)) continue;
    if (isAlive(pid)) out.push(pid);
  }
  return out;
}

/**
 * A planned stop: SIGTERM each supervisor still alive, then wait until they have exited and every
 * guard of this lab has left (a guard told "bye" by its supervisor exits at once). Throws on
 * timeout: call it from a test, where that is a failure; from a hook only as clean-up.
 */
export async function plannedStop(lab: Lab, pids: number[]): Promise<void> {
  const live = pids.filter((p) => isAlive(p));
  for (const p of live) process.kill(p, "SIGTERM");
  await waitFor(() => live.filter((p) => isAlive(p)), { what: "the supervisors to stop", timeout: 15_000, until: (l) => l.length === 0 });
  await waitFor(() => guardPids(lab), { what: "every guard to leave after a planned stop", timeout: 10_000, until: (p) => p.length === 0 });
}

/** lines of <state_dir>/guard.log, parsed (the guard logs JSON lines there) */
export function guardLog(s: Supervised): { msg: string; level: string }[] {
  try {
    return readFileSync(join(s.stateDir, "guard.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l) as { msg: string; level: string };
        } catch {
          return { msg: l, level: "?" };
        }
      });
  } catch {
    return [];
  }
}

/** measured figures as lines "what: n=…, min/p50/max" */
export function summarise(figures: Record<string, number[]>): string {
  return Object.entries(figures)
    .map(([k, v]) => {
      const s = [...v].sort((a, b) => a - b);
      const p50 = s[Math.floor((s.length - 1) / 2)];
      return `  ${k}: ${s.length === 1 ? s[0] : `n=${s.length} min ${s[0]} / p50 ${p50} / max ${s.at(-1)}`}`;
    })
    .join("\n");
}

/** the last `n` lines of a file ("" when it cannot be read), for failure reports */
export function tail(file: string, n: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return "";
  }
}

/** the log's errors (a failed reconcile, a rollback), the last `n`: they may be long before its tail */
function errorLines(file: string, n: number): string {
  return tail(file, Number.MAX_SAFE_INTEGER)
    .split("\n")
    .filter((l) => l.includes('"level":"error"'))
    .slice(-n)
    .join("\n");
}

/** what to print when a supervisor test fails: each supervisor's errors, its log tail and its guard's */
export function supervisorEvidence(ss: Supervised[], n = 30): string {
  return ss
    .map(
      (s) =>
        `--- ${s.host}: ${s.logFile} (errors, last 10)\n${errorLines(s.logFile, 10)}\n--- ${s.host}: ${s.logFile} (last ${n} lines)\n${tail(s.logFile, n)}\n` +
        `--- ${s.host}: guard.log\n${tail(join(s.stateDir, "guard.log"), 8)}`,
    )
    .join("\n");
}

/** a log line, short: "21:04:05.123 warn msg [CODE] 120ms ←triggers" */
function compactLine(line: string): string {
  try {
    const j = JSON.parse(line) as { ts?: string; level?: string; msg?: string; code?: string; duration_ms?: number; triggers?: string };
    return [j.ts?.slice(11, 23), j.level, j.msg, j.code && `[${j.code}]`, j.duration_ms !== undefined && `${j.duration_ms}ms`, j.triggers && `←${j.triggers}`].filter(Boolean).join(" ").slice(0, 160);
  } catch {
    return line.slice(0, 160);
  }
}

/**
 * A failed supervisor test's evidence: printed whole, and when SVCROUTE_EVIDENCE names a file (CI),
 * a few short lines of it appended there, which CI's summary prints beside the failures.
 */
/**
 * The routing daemons behind each supervisor: which run now, and their logs' last lines (a daemon
 * that crashed or never came back after a fault shows here, not in svcroute's log).
 */
function daemonEvidence(lab: Lab, host: string): string[] {
  const paths = lab.paths(host);
  const alive = lab.daemonPids(host);
  const logs = paths.kind === "bird" ? [paths.logFile] : readdirSync(paths.dir).filter((f) => /^(mgmtd|zebra|bgpd|staticd|bfdd)\.log$/.test(f)).map((f) => join(paths.dir, f));
  const out = [`daemons running: ${alive.size ? [...alive].map(([d, pid]) => `${d} ${pid}`).join(", ") : "none"}`];
  for (const f of logs) for (const l of tail(f, 2).split("\n").filter(Boolean)) out.push(`${basename(f)}: ${l.slice(0, 160)}`);
  return out;
}

export async function reportEvidence(test: string, ss: Supervised[], n = 30, lab?: Lab): Promise<void> {
  // whether each loop still runs, and what it last did and loaded
  const { fetchStatus } = await import("../../../src/supervisor/client.js");
  const now = Date.now();
  const states = await Promise.all(
    ss.map((s) =>
      Promise.race([fetchStatus(s.socket), new Promise<never>((_, no) => setTimeout(() => no(new Error("no answer in 2 s")), 2000))]).then(
        (st) => `status: ${st.counters.reconciles} reconciles (${st.counters.reconcile_failures} failed), last ${st.last_reconcile ? `${st.last_reconcile.result} ${st.last_reconcile.path} ←${st.last_reconcile.triggers.join("+")} ${now - st.last_reconcile.at} ms ago` : "none"}, manifest ${st.manifest.hash} loaded ${st.manifest.loaded_at === null ? "never" : `${now - st.manifest.loaded_at} ms ago`}`,
        (e: unknown) => `status: ${(e as Error).message}`,
      ),
    ),
  );
  const daemons = ss.map((s) => {
    try {
      return lab ? daemonEvidence(lab, s.host) : [];
    } catch (e) {
      return [`daemons: ${(e as Error).message}`];
    }
  });
  console.error(`${supervisorEvidence(ss, n)}\n${ss.map((s, i) => [`--- ${s.host}: ${states[i]}`, ...daemons[i]!.map((l) => `    ${l}`)].join("\n")).join("\n")}`);
  const file = process.env.SVCROUTE_EVIDENCE;
  if (!file) return;
  const lines = ss.flatMap((s, i) => {
    const errors = errorLines(s.logFile, 1).split("\n").filter(Boolean);
    const last = tail(s.logFile, 4).split("\n").filter((l) => l && !errors.includes(l));
    return [...[...errors, ...last].map((l) => `  ${s.host} ${compactLine(l)}`), `  ${s.host} ${states[i]!.slice(0, 200)}`, ...daemons[i]!.slice(0, 3).map((l) => `  ${s.host} ${l}`)];
  });
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `=== ${test.slice(0, 120)}\n${lines.join("\n")}\n`);
}

/** one sample of a Prometheus text exposition, by name and exact label set ("a=\"x\",b=\"y\"") */
export function metric(text: string, name: string, labels?: string): number | undefined {
  const key = labels ? `${name}{${labels}}` : name;
  const line = text.split("\n").find((l) => l.startsWith(`${key} `));
  return line === undefined ? undefined : Number(line.slice(key.length + 1));
}
