// Run the real `svcroute run` (the built bundle) inside a lab host's namespace, with a manifest
// pointed at that host's daemon files, and talk to it over its status socket.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Lab } from "./lab.js";
import type { HostPlan, LinkPlan } from "./topology.js";
import { waitFor } from "./wait.js";

export const BUNDLE = resolve(import.meta.dirname, "../../dist/svcroute.mjs");

export interface ServiceSpec {
  name: string;
  prefixes: string[];
  /** extra YAML lines of the service (indented 4 spaces) */
  extra?: string[];
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
}

/** health switch files: a service is healthy while <dir>/health/<name> exists */
export const healthFile = (host: HostPlan, service: string) => join(host.dir, "health", service);

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
  const services = o.services.map((s) =>
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
  return [
    "version: 1",
    "daemon:",
    `  type: ${host.paths.kind}`,
    `  config_file: ${host.paths.configFile}`,
    `  socket: ${host.paths.socket}`,
    "router:",
    `  asn: ${host.asn}`,
    `  router_id: ${host.routerId}`,
    "peers:",
    ...peers,
    "policy:",
    "  allowed_prefixes: [192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32]",
    `  accept: ${o.accept ?? "default-only"}`,
    "services:",
    ...services,
    "maintenance:",
    `  drain_file: ${join(host.dir, "drain")}`,
    "  drain_wait: 2s",
    "supervisor:",
    `  state_dir: ${join(host.dir, "state")}`,
    `  status_socket: ${join(host.dir, "svcroute.sock")}`,
    "  reverify_interval: 3s",
    "  stop_grace: 500ms",
    `  guard_grace: ${o.guardGrace ?? "3s"}`,
    o.extra ?? "",
    "",
  ].join("\n");
}

export interface Supervised {
  manifest: string;
  socket: string;
  logFile: string;
  pid: number;
  exited: Promise<number | null>;
  setHealthy(service: string, up: boolean): void;
}

/** write the manifest, make every service healthy (unless told), start `svcroute run` */
export function startSupervisor(lab: Lab, hostName: string, o: SupervisedOptions & { healthy?: boolean; args?: string[] }): Supervised {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const host = lab.host(hostName);
  mkdirSync(join(host.dir, "health"), { recursive: true });
  const manifest = join(host.dir, "svcroute.yaml");
  writeFileSync(manifest, manifestFor(lab, hostName, o));
  const setHealthy = (service: string, up: boolean) => (up ? writeFileSync(healthFile(host, service), "") : rmSync(healthFile(host, service), { force: true }));
  if (o.healthy ?? true) for (const s of o.services) setHealthy(s.name, true);
  const logFile = join(host.dir, "svcroute.log");
  const p = lab.spawn(hostName, process.execPath, [BUNDLE, "run", "--manifest", manifest, "--log-format", "json", ...(o.args ?? [])], { logFile });
  return { manifest, socket: join(host.dir, "svcroute.sock"), logFile, pid: p.pid, exited: p.exited, setHealthy };
}

export async function waitSupervisorUp(s: Supervised, timeout = 30_000): Promise<void> {
  const { fetchStatus } = await import("../../src/supervisor/client.js");
  await waitFor(() => fetchStatus(s.socket).catch(() => undefined), { what: "the supervisor's status socket", timeout, until: (x) => x?.last_reconcile !== null && x !== undefined });
}
