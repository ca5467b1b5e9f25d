// Manifests for the bench's hosts: the lab host's daemon paths, one session per ToR link and
// family, the lab's service ranges, and services given as ready YAML.
import { join } from "node:path";
import type { Lab } from "../../lab/harness/lab.js";
import { manifestHead, manifestTail } from "../../lab/harness/supervised.js";
import type { HostPlan } from "../../lab/harness/topology.js";

/**
 * The host's /etc/svcroute: the manifest and the drain file, in a directory nothing else writes.
 * The host's own directory holds the logs the lab writes all the time, and the supervisor watches
 * the manifest's and the drain file's directories: there it would measure the watch's work on
 * other files' writes, which no host's /etc/svcroute sees.
 */
export const etcDir = (host: HostPlan) => join(host.dir, "etc");

export const ALLOWED = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"];

export interface BenchService {
  name: string;
  prefixes: string[];
  /** file check on this path (healthy while it exists); none = always healthy */
  file?: string;
  /** TCP check */
  tcp?: { host: string; port: number };
  /** exec check argv */
  exec?: string[];
  /** interval, fast_interval, timeout (durations), rise, fall */
  timing?: { interval: string; fast?: string; timeout: string; rise: number; fall: number };
}

export interface ManifestOptions {
  services: BenchService[];
  families?: ("ipv4" | "ipv6")[];
  /** only the links to these ToRs (default: all of the host's links) */
  tors?: string[];
  reverify?: string;
  /** FRR bgp route-map delay-timer */
  routeMapDelay?: string;
}

export function serviceYaml(s: BenchService): string {
  // announced without its address on the host, as the baselines it is timed against (ExaBGP, a
  // naive reload) announce: the bench hosts configure no service addresses
  const out = [`  - name: ${s.name}`, `    prefixes: [${s.prefixes.join(", ")}]`, "    address: none"];
  const checks: string[] = [];
  if (s.file) checks.push(`{type: file, path: ${s.file}}`);
  if (s.tcp) checks.push(`{type: tcp, host: ${s.tcp.host}, port: ${s.tcp.port}}`);
  if (s.exec) checks.push(`{type: exec, command: [${s.exec.map((a) => JSON.stringify(a)).join(", ")}]}`);
  if (checks.length) out.push(`    checks: [${checks.join(", ")}]`);
  const t = s.timing;
  if (t && checks.length) {
    out.push(`    interval: ${t.interval}`, `    timeout: ${t.timeout}`, `    rise: ${t.rise}`, `    fall: ${t.fall}`);
    if (t.fast) out.push(`    fast_interval: ${t.fast}`);
    // the bench flips health on purpose and often: keep flap hold-down out of the way
    out.push("    flap: {max_transitions: 1000}");
  }
  return out.join("\n");
}

export function manifestYaml(lab: Lab, hostName: string, o: ManifestOptions): string {
  const host = lab.host(hostName);
  const paths = host.paths;
  if (!paths) throw new Error(`${hostName} runs no routing daemon`);
  const fams = o.families ?? ["ipv4"];
  const links = host.links.filter((l) => !o.tors || o.tors.includes(l.tor));
  const peers = links.flatMap((l) =>
    fams.map((f) => [`  - name: ${l.tor}-v${f.slice(3)}`, `    address: ${f === "ipv4" ? l.tor4 : l.tor6}`, `    remote_asn: ${l.torAsn}`].join("\n")),
  );
  return [
    ...manifestHead(host, o.routeMapDelay && paths.kind === "frr" ? [`route_map_delay: ${o.routeMapDelay}`] : []),
    "peers:",
    ...peers,
    "policy:",
    `  allowed_prefixes: [${ALLOWED.join(", ")}]`,
    "  accept: default-only",
    ...(o.services.length ? ["services:", ...o.services.map(serviceYaml)] : []),
    ...manifestTail(host, { drainFile: join(etcDir(host), "drain"), reverify: o.reverify ?? "30s", stopGrace: "200ms", guardGrace: "5s" }),
    "",
  ].join("\n");
}

/** the n-th IPv4 service /32 of the lab ranges (0 ≤ n < 768) */
export function v4(n: number): string {
  const nets = ["192.0.2", "198.51.100", "203.0.113"];
  if (n < 0 || n >= 768) throw new Error(`no IPv4 lab /32 number ${n}`);
  return `${nets[Math.floor(n / 256)]}.${n % 256}/32`;
}

/** the n-th IPv6 service /128 under 2001:db8:<block>::/48 */
export function v6(n: number, block = 1): string {
  const raw = `2001:db8:${block.toString(16)}:0:0:0:${(Math.floor(n / 65536) + 1).toString(16)}:${(n % 65536).toString(16)}`;
  // canonical text (RFC 5952), as the daemons print it
  return `${new URL(`http://[${raw}]/`).hostname.slice(1, -1)}/128`;
}
