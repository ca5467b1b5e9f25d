// Helpers of the doctor lab suite: a manifest with hand-picked peers (a wrong ASN, a wrong
// password, an address nobody has), `svcroute run` started and stopped by pid, and `svcroute
// doctor` run as the real CLI inside a host's namespace (optionally as an unprivileged user).
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import type { Finding, Result } from "../../../src/doctor/types.js";
import type { SupervisorStatus } from "../../../src/supervisor/status-types.js";
import type { Lab, LabProcess } from "./lab.js";
import { BUNDLE, copyBundle, healthFile, labManifest, type ServiceSpec } from "./supervised.js";
import { waitFor } from "./wait.js";

const ROOT = resolve(import.meta.dirname, "../../..");

/**
 * The bundle the suite runs. A clean checkout (CI) has none: build it; a bundle older than any
 * source file is rebuilt too, so the suite never judges stale code.
 */
export function ensureBundle(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
      const p = join(dir, e.name);
      return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "templates")))) return;
  const r = spawnSync(process.execPath, [join(ROOT, "packaging/build.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building svcroute failed (node packaging/build.mjs):\n${r.stdout}${r.stderr}`);
}

let bundle = BUNDLE;

/**
 * Copies the bundle (and its templates) into the lab's directory and runs that copy from then on:
 * a rebuild of dist/ while the suite runs (another suite, a watch) cannot pull it away mid-run.
 */
export function snapshotBundle(lab: Lab): string {
  const dir = join(lab.dir, "svcroute-bundle");
  bundle = copyBundle(dir);
  chmodSync(dir, 0o755);
  return bundle;
}

export interface PeerSpec {
  name: string;
  address: string;
  remoteAsn: number;
  passwordFile?: string;
  /** the timers line's value (default: keepalive 1s, hold 3s, connect_retry 1s) */
  timers?: string;
}

export interface DoctorHostSpec {
  services: ServiceSpec[];
  peers: PeerSpec[];
  /** daemon.* lines beyond type/config_file/socket (e.g. `bird: /path/to/wrapper`) */
  daemonExtra?: string[];
}

/** The peers of a host as the lab wired them: one IPv4 session per link, the ToR's own ASN. */
export function labPeers(lab: Lab, hostName: string): PeerSpec[] {
  return lab.host(hostName).links.map((l) => ({ name: l.tor, address: l.tor4, remoteAsn: l.torAsn }));
}

export const manifestPath = (lab: Lab, hostName: string): string => join(lab.host(hostName).dir, "svcroute.yaml");
export const statusSocket = (lab: Lab, hostName: string): string => join(lab.host(hostName).dir, "svcroute.sock");

export function doctorManifest(lab: Lab, hostName: string, spec: DoctorHostSpec): string {
  const host = lab.host(hostName);
  if (!host.paths) throw new Error(`${hostName} has no daemon`);
  const peers = spec.peers.map((p) =>
    [
      `  - name: ${p.name}`,
      `    address: ${p.address}`,
      `    remote_asn: ${p.remoteAsn}`,
      `    timers: ${p.timers ?? "{keepalive: 1s, hold: 3s, connect_retry: 1s}"}`,
      ...(p.passwordFile ? [`    password_file: ${p.passwordFile}`] : []),
    ].join("\n"),
  );
  const services = spec.services.map((s) =>
    [
      `  - name: ${s.name}`,
      `    prefixes: [${s.prefixes.join(", ")}]`,
      `    checks: [{type: file, path: ${healthFile(host, s.name)}}]`,
      "    interval: 200ms",
      "    fast_interval: 100ms",
      "    timeout: 100ms",
      "    rise: 1",
      "    fall: 1",
      ...(s.extra ?? []),
    ].join("\n"),
  );
  return labManifest(host, { peers, services, daemonExtra: spec.daemonExtra, tail: { stopGrace: "200ms" } });
}

/** Writes the host's manifest (mode 0644: the unprivileged-user test reads it too). */
export function writeManifest(lab: Lab, hostName: string, spec: DoctorHostSpec): string {
  const file = manifestPath(lab, hostName);
  writeFileSync(file, doctorManifest(lab, hostName, spec));
  chmodSync(file, 0o644);
  return file;
}

/** A password file as svcroute wants it (mode 0600). */
export function writeSecret(lab: Lab, hostName: string, name: string, password: string): string {
  const file = join(lab.host(hostName).dir, name);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function setHealthy(lab: Lab, hostName: string, service: string, up: boolean): void {
  const f = healthFile(lab.host(hostName), service);
  if (up) writeFileSync(f, "");
  else rmSync(f, { force: true });
}

export interface RunningSupervisor {
  host: string;
  manifest: string;
  socket: string;
  logFile: string;
  proc: LabProcess;
}

/** Writes the manifest, makes every service healthy and starts `svcroute run` in the host's namespace. */
export function startSupervisor(lab: Lab, hostName: string, spec: DoctorHostSpec): RunningSupervisor {
  const host = lab.host(hostName);
  mkdirSync(join(host.dir, "health"), { recursive: true });
  const manifest = writeManifest(lab, hostName, spec);
  for (const s of spec.services) setHealthy(lab, hostName, s.name, true);
  const logFile = join(host.dir, "svcroute.log");
  const proc = lab.spawn(hostName, process.execPath, [bundle, "run", "--manifest", manifest, "--log-format", "json"], { logFile });
  return { host: hostName, manifest, socket: statusSocket(lab, hostName), logFile, proc };
}

/** The supervisor's /status, or undefined when it does not answer. */
export async function status(s: RunningSupervisor): Promise<SupervisorStatus | undefined> {
  const { fetchStatus } = await import("../../../src/supervisor/client.js");
  return fetchStatus(s.socket).catch(() => undefined);
}

export async function waitStatus(s: RunningSupervisor, what: string, until: (st: SupervisorStatus) => boolean, timeout = 30_000): Promise<SupervisorStatus> {
  const { value } = await waitFor(() => status(s), { what: `${s.host}'s supervisor: ${what}`, timeout, interval: 50, until: (st) => st !== undefined && until(st) });
  return value!;
}

/** SIGTERM by pid (a planned stop: the supervisor withdraws and tells its guard), then wait for the exit. */
export async function stopSupervisor(s: RunningSupervisor): Promise<void> {
  try {
    process.kill(s.proc.pid, "SIGTERM");
  } catch {
    return;
  }
  // a stop is stop_grace, then a withdrawal verified at every peer (at most 5 s per attempt); a
  // supervisor still there after 30 s is a failure, shown with the end of its log
  await Promise.race([
    s.proc.exited,
    new Promise((_, reject) =>
      setTimeout(() => {
        let tail = "";
        try {
          tail = readFileSync(s.logFile, "utf8").split("\n").slice(-15).join("\n");
        } catch {
          // no log yet
        }
        reject(new Error(`${s.host}'s supervisor did not exit within 30 s of SIGTERM; the end of ${s.logFile}:\n${tail}`));
      }, 30_000).unref(),
    ),
  ]);
}

/** A service host's sysctls as an operator would set them (doctor's host checks pass). */
export async function saneSysctls(lab: Lab, hostName: string): Promise<void> {
  await lab.exec(hostName, "sysctl", [
    "-q",
    "-w",
    "net.ipv4.conf.all.rp_filter=2",
    "net.ipv4.conf.default.rp_filter=2",
    "net.ipv4.conf.all.arp_ignore=1",
    "net.ipv4.conf.all.arp_announce=2",
    "net.ipv4.ip_forward=0",
    "net.ipv6.conf.all.forwarding=0",
  ]);
}

export interface DoctorRun {
  code: number;
  result: Result;
  findings: Finding[];
  ms: number;
  stderr: string;
}

export interface DoctorOptions {
  /** run as this user (setpriv, no supplementary groups) instead of root */
  user?: { uid: string; gid: string };
  json?: boolean;
}

const asUser = (u: { uid: string; gid: string }) => ["setpriv", `--reuid=${u.uid}`, `--regid=${u.gid}`, "--clear-groups"];
const nodeFor = new Map<string, string>();

/**
 * A node binary the user may run: this one, unless it lives where the user cannot reach it (e.g.
 * under /root with nvm); then a copy in the lab's directory.
 */
async function nodeAs(lab: Lab, hostName: string, u: { uid: string; gid: string }): Promise<string> {
  const key = `${lab.id}:${u.uid}:${u.gid}`;
  let node = nodeFor.get(key);
  if (!node) {
    const r = await lab.exec(hostName, asUser(u)[0]!, [...asUser(u).slice(1), process.execPath, "--version"], { allowFail: true });
    node = process.execPath;
    if (r.code !== 0) {
      node = join(lab.dir, "node");
      cpSync(process.execPath, node);
      chmodSync(node, 0o755);
    }
    nodeFor.set(key, node);
  }
  return node;
}

/** `svcroute doctor --json -m MANIFEST` inside the host's namespace, parsed. */
export async function doctor(lab: Lab, hostName: string, manifest = manifestPath(lab, hostName), o: DoctorOptions = {}): Promise<DoctorRun> {
  const node = [o.user ? await nodeAs(lab, hostName, o.user) : process.execPath, bundle, "doctor", "--json", "-m", manifest];
  const argv = o.user ? [...asUser(o.user), ...node] : node;
  const t0 = performance.now();
  const r = await lab.exec(hostName, argv[0]!, argv.slice(1), { allowFail: true, timeoutMs: 60_000 });
  const ms = Math.round(performance.now() - t0);
  let doc: { result: Result; findings: Finding[] };
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    throw new Error(`doctor on ${hostName} printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, result: doc.result, findings: doc.findings, ms, stderr: r.stderr };
}

/** `svcroute doctor` as text (what an operator sees), for reports. */
export async function doctorText(lab: Lab, hostName: string, manifest = manifestPath(lab, hostName)): Promise<{ code: number; text: string }> {
  const r = await lab.exec(hostName, process.execPath, [bundle, "doctor", "-m", manifest], { allowFail: true, timeoutMs: 60_000 });
  return { code: r.code, text: r.stdout };
}

/** findings that are not PASS/SKIP, as "CODE: finding" lines (for assertion messages) */
export const problems = (d: DoctorRun): string => d.findings.filter((f) => f.result === "FAIL" || f.result === "WARN").map((f) => `${f.code}: ${f.finding}`).join("\n") || "(none)";

export const byCode = (d: DoctorRun, code: string): Finding[] => d.findings.filter((f) => f.code === code);
