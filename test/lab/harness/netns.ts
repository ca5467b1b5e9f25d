// Namespaces, veth links, addresses and sysctls of a fabric, built with a few `ip -batch` calls.
import { nsArgv, run } from "./exec.js";
import { LabError } from "./errors.js";
import { SERVICE_IFB } from "./naming.js";
import type { FabricPlan, HostPlan, LinkPlan, TorPlan } from "./topology.js";

export async function addNamespace(ns: string): Promise<void> {
  const r = await run("ip", ["netns", "add", ns], { allowFail: true });
  if (r.code !== 0) {
    throw new LabError(`ip netns add ${ns} failed`, {
      details: r.stderr.trim(),
      hint: /exists/i.test(r.stderr)
        ? "a namespace of that name is left over: run `npx tsx test/lab/harness/cli.ts down`"
        : "network namespaces need root (CAP_SYS_ADMIN) and a writable /run/netns",
    });
  }
}

async function batch(ns: string | undefined, lines: string[]): Promise<void> {
  const args = ns === undefined ? ["-batch", "-"] : ["-n", ns, "-batch", "-"];
  await run("ip", args, { input: lines.join("\n") + "\n" });
}

async function sysctl(ns: string, settings: Record<string, number>): Promise<void> {
  const [cmd, args] = nsArgv(ns, "sysctl", ["-qw", ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)]);
  await run(cmd, args);
}

/** one end of a link; unnumbered links get only the link-local (FRR would peer over a /30 otherwise) */
function ifaceLines(l: LinkPlan, end: "host" | "tor"): string[] {
  const [dev, v4, v6, ll] = end === "host" ? [l.hostIf, l.host4, l.host6, l.hostLL] : [l.torIf, l.tor4, l.tor6, l.torLL];
  return [
    // no kernel link-local: a fixed one per end makes unnumbered peers predictable
    `link set ${dev} addrgenmode none`,
    ...(l.peering === "numbered" ? [`addr add ${v4}/30 dev ${dev}`, `addr add ${v6}/64 dev ${dev} nodad`] : []),
    `addr add ${ll}/64 dev ${dev} nodad`,
    `link set ${dev} up`,
  ];
}

const COMMON_SYSCTLS = {
  // otherwise IPv6 addresses vanish for good on link down (lab-notes, pitfall 8)
  "net.ipv6.conf.all.keep_addr_on_down": 1,
  "net.ipv6.conf.default.keep_addr_on_down": 1,
  "net.ipv6.conf.all.accept_dad": 0,
  "net.ipv6.conf.default.accept_dad": 0,
};

async function configureTor(tor: TorPlan): Promise<void> {
  await sysctl(tor.ns, { ...COMMON_SYSCTLS, "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1 });
  await batch(tor.ns, ["link set lo up", ...tor.links.flatMap((l) => ifaceLines(l, "tor"))]);
}

async function configureHost(host: HostPlan): Promise<void> {
  await sysctl(host.ns, COMMON_SYSCTLS);
  await batch(host.ns, [
    "link set lo up",
    `link add ${SERVICE_IFB} type ifb`,
    `link set ${SERVICE_IFB} up`,
    ...host.links.flatMap((l) => ifaceLines(l, "host")),
    ...host.addresses.map((a) => addressLine("add", host.serviceDev, a.text, a.family)),
  ]);
}

export function addressLine(op: "add" | "del", dev: string, prefix: string, family: "ipv4" | "ipv6"): string {
  return `addr ${op} ${prefix} dev ${dev}${family === "ipv6" && op === "add" ? " nodad" : ""}`;
}

function vethLine(l: LinkPlan, hostNs: string, torNs: string): string {
  // created straight inside both namespaces: no temporary names in the root namespace to clash
  return `link add ${l.hostIf} netns ${hostNs} type veth peer name ${l.torIf} netns ${torNs}`;
}

/** Creates every namespace (recording each before creating it), then links and addresses. */
export async function buildNetwork(plan: FabricPlan, record: (ns: string) => void): Promise<void> {
  for (const n of [...plan.tors, ...plan.hosts]) {
    record(n.ns);
    await addNamespace(n.ns);
  }
  const nsOf = new Map([...plan.tors, ...plan.hosts].map((n) => [n.name, n.ns]));
  if (plan.links.length > 0) {
    await batch(undefined, plan.links.map((l) => vethLine(l, nsOf.get(l.host)!, nsOf.get(l.tor)!)));
  }
  await Promise.all([...plan.tors.map(configureTor), ...plan.hosts.map(configureHost)]);
}

export async function ipIn(ns: string, lines: string[]): Promise<void> {
  await batch(ns, lines);
}
