// The demo's fabric and services, the supervisors it starts, and the record that lets
// `npm run lab -- down` find a fabric that `--keep` left running.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labDown } from "./down.js";
import type { Lab } from "./lab.js";
import { runDir } from "./naming.js";
import { listRunIds, loadState, ownerAlive } from "./state.js";
import { BUNDLE, healthFile, manifestFor, type ServiceSpec } from "./supervised.js";
import type { TeardownReport } from "./teardown.js";
import type { Topology } from "./topology.js";

export const ANYCAST = "192.0.2.100/32";

/** per host: its services (every one has a file health check, see supervised.ts) */
export const DEMO_SERVICES: Record<string, ServiceSpec[]> = {
  hbird: [
    { name: "web", prefixes: [ANYCAST] },
    { name: "dns", prefixes: ["192.0.2.11/32"] },
  ],
  hfrr: [
    { name: "web", prefixes: [ANYCAST] },
    { name: "api", prefixes: ["192.0.2.12/32"] },
  ],
};

/**
 * Two ToRs; a dual-homed BIRD host and a single-homed FRR host. The hosts' daemons start with the
 * harness's bare config (BIRD's with an unnamed device protocol, like a distribution's default):
 * `svcroute run` writes the real one.
 */
export const demoFabric: Topology = {
  tors: [
    { name: "tor1", asn: 65001 },
    { name: "tor2", asn: 65002 },
  ],
  hosts: [
    { name: "hbird", daemon: "bird", links: ["tor1", "tor2"], families: ["ipv4"], addresses: ["192.0.2.100/32", "192.0.2.11/32"] },
    { name: "hfrr", daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.100/32", "192.0.2.12/32"] },
  ],
};

export const HOSTS = demoFabric.hosts.map((h) => h.name);
export const TORS = demoFabric.tors.map((t) => t.name);

export interface DemoSupervisor {
  host: string;
  manifest: string;
  socket: string;
  logFile: string;
  pid: number;
  setHealthy(service: string, up: boolean): void;
  healthFile(service: string): string;
}

/**
 * Writes the host's manifest, marks its services healthy and starts `svcroute run` inside the
 * host's namespace, in a session of its own (setsid): Ctrl-C reaches the demo, which tears the
 * fabric down, and a `--keep` fabric's supervisors outlive the terminal.
 */
export function startDemoSupervisor(lab: Lab, hostName: string): DemoSupervisor {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const host = lab.host(hostName);
  const services = DEMO_SERVICES[hostName] ?? [];
  mkdirSync(join(host.dir, "health"), { recursive: true });
  const manifest = join(host.dir, "svcroute.yaml");
  // the daemon keeps logging where the lab started it
  const base = manifestFor(lab, hostName, { services });
  const text = /^ {2}log_file:/m.test(base) ? base : base.replace(/^( {2}socket: .*)$/m, `$1\n  log_file: ${host.paths?.logFile ?? join(host.dir, "daemon.log")}`);
  writeFileSync(manifest, text);
  const file = (service: string) => healthFile(host, service);
  const setHealthy = (service: string, up: boolean) => (up ? writeFileSync(file(service), "") : rmSync(file(service), { force: true }));
  for (const s of services) setHealthy(s.name, true);
  const logFile = join(host.dir, "svcroute.log");
  const p = lab.spawn(hostName, "setsid", [process.execPath, BUNDLE, "run", "--manifest", manifest, "--log-format", "json"], { logFile });
  return { host: hostName, manifest, socket: join(host.dir, "svcroute.sock"), logFile, pid: p.pid, setHealthy, healthFile: file };
}

/** the last lines of a supervisor's log, for error reports */
export function logTail(s: DemoSupervisor, lines = 15): string {
  try {
    return readFileSync(s.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

const MARKER = "demo.json";

export interface KeptDemo {
  id: string;
  createdAt: string;
  /** the cheat sheet printed when it was kept */
  cheatSheet: string;
}

export function markKept(lab: Lab, cheatSheet: string): void {
  const kept: KeptDemo = { id: lab.id, createdAt: new Date().toISOString(), cheatSheet };
  writeFileSync(join(lab.dir, MARKER), JSON.stringify(kept, null, 2) + "\n");
}

/** demo fabrics left running by `--keep` (their owner, the demo process, has exited) */
export function keptDemos(): KeptDemo[] {
  return listRunIds().flatMap((id) => {
    const file = join(runDir(id), MARKER);
    const state = loadState(id);
    if (!existsSync(file) || (state && ownerAlive(state))) return [];
    try {
      return [JSON.parse(readFileSync(file, "utf8")) as KeptDemo];
    } catch {
      return [{ id, createdAt: "", cheatSheet: "" }];
    }
  });
}

/** removes kept demo fabrics: all of them, or those named */
export function downKept(only: readonly string[] = []): TeardownReport[] {
  const ids = keptDemos()
    .map((k) => k.id)
    .filter((id) => only.length === 0 || only.includes(id));
  return ids.length === 0 ? [] : labDown({ ids });
}
