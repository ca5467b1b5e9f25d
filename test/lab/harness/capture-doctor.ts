// Captures what `svcroute doctor` reads besides the daemons' usual outputs into
// test/fixtures/captured/doctor/, for its parser and diagnosis unit tests:
//   npx tsx test/lab/harness/capture-doctor.ts
// TCP-MD5 mismatches (the kernel's counters and what FRR and BIRD say meanwhile), a peer address
// nobody has (`ip route get`, FRR's and BIRD's view), a link that is down, and version lines.
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Recorder, type Captured } from "./capture-record.js";
import { installSignalHandlers } from "./cleanup.js";
import { waitEstablished } from "./conditions.js";
import { FRR_LIBEXEC } from "./frr.js";
import { birdHostConfig, birdProto, frrHostConfig } from "./host-configs.js";
import { createLab, type Lab } from "./lab.js";
import type { HostPlan, Topology } from "./topology.js";
import { waitFor } from "./wait.js";

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), "../../fixtures/captured/doctor");
/** an address on no link of the fabric: a typo in a peer address */
export const TYPO = "169.254.250.2";

const frrPassword = (h: HostPlan, pw: string): string => frrHostConfig(h).replace(/^( neighbor (\S+) timers connect 1)$/m, `$1\n neighbor $2 password ${pw}`);
const birdPassword = (h: HostPlan, pw: string): string => birdHostConfig(h).replace("  graceful restart off;\n", `  graceful restart off;\n  password "${pw}";\n`);

const frrTypo = (h: HostPlan): string =>
  frrHostConfig(h)
    .replace(/^( neighbor \S+ timers connect 1)$/m, `$1\n neighbor ${TYPO} remote-as 65003\n neighbor ${TYPO} timers connect 1`)
    .replace(/^( {2}neighbor \S+ activate)$/m, `$1\n  neighbor ${TYPO} activate`);
const birdTypo = (h: HostPlan): string =>
  `${birdHostConfig(h)}protocol bgp typo from tor {\n  neighbor ${TYPO} as 65003;\n  ipv4 { import filter import_default4; export filter export_svc4; };\n}\n` +
  // statics as svcroute writes them for a withdrawn and an announced service
  "protocol static svc4_web {\n  disabled yes;\n  ipv4;\n  route 192.0.2.136/32 blackhole;\n}\nprotocol static svc4_dns {\n  disabled no;\n  ipv4;\n  route 192.0.2.137/32 blackhole;\n}\n";

export const doctorTopology: Topology = {
  tors: [{ name: "tor1", asn: 65001 }],
  hosts: [
    // both sides have a password, and they differ
    { name: "md5frr", daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.31"], torSession: { password: "right-pw" }, config: (h) => frrPassword(h, "wrong-pw") },
    { name: "md5bird", daemon: "bird", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.32"], torSession: { password: "right-pw" }, config: (h) => birdPassword(h, "wrong-pw") },
    // only the ToR has one
    { name: "nopw", daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.33"], torSession: { password: "right-pw" }, config: (h) => frrHostConfig(h) },
    // only the host has one
    { name: "pwonly", daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.34"], config: (h) => frrPassword(h, "host-pw") },
    // a working session plus a peer address nobody has
    { name: "typofrr", daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.35"], config: frrTypo },
    { name: "typobird", daemon: "bird", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.36"], config: birdTypo },
  ],
};

const tcpExt = async (lab: Lab, host: string, name: string): Promise<number> => {
  const r = await lab.exec(host, "cat", ["/proc/net/netstat"]);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("TcpExt:"));
  const i = (lines[0] ?? "").split(/\s+/).indexOf(name);
  return i < 0 ? 0 : Number((lines[1] ?? "").split(/\s+/)[i]);
};

async function settle(lab: Lab): Promise<void> {
  await waitEstablished(lab, { hosts: ["typofrr", "typobird"], timeout: 60_000 });
  await waitFor(() => lab.observe.defaultRoute("typofrr"), { what: "typofrr's default route", until: (r) => r !== undefined });
  await waitFor(() => lab.observe.defaultRoute("typobird"), { what: "typobird's default route", until: (r) => r !== undefined });
  const counters: [string, string][] = [
    ["md5frr", "TCPMD5Failure"],
    ["md5bird", "TCPMD5Failure"],
    ["nopw", "TCPMD5Unexpected"],
    ["pwonly", "TCPMD5NotFound"],
  ];
  for (const [host, name] of counters) await waitFor(() => tcpExt(lab, host, name), { what: `${name} > 0 in ${host}`, until: (n) => n > 0 });
  await waitFor(() => lab.vtyshJson<Record<string, { lastResetDueTo?: string }>>("typofrr", `show bgp neighbors ${TYPO} json`), {
    what: "typofrr's typo neighbour to have a reset reason",
    until: (j) => j[TYPO]?.lastResetDueTo !== undefined,
  });
}

const NOTES = [
  "Fabric: one FRR ToR tor1 (AS65001) and single-homed IPv4 hosts: md5frr (FRR) and md5bird (BIRD) use another TCP-MD5",
  "password than the ToR; on nopw only the ToR has one, on pwonly only the host; typofrr (FRR) and typobird (BIRD) have",
  `a working session to tor1 and a second peer at ${TYPO}, an address on no link; typobird also has two service statics,`,
  "one disabled.",
  "",
  "- The kernel drops segments with a wrong, missing or unexpected TCP-MD5 signature silently; the daemons see only",
  "  a connection that never completes. The per-namespace TcpExt counters TCPMD5Failure / TCPMD5NotFound /",
  "  TCPMD5Unexpected tell which.",
];

function readme(entries: Captured[]): string {
  const rows = entries.map((e) => `| \`${e.file}\` | \`${e.command.replaceAll("|", "\\|")}\` | ${e.where} | ${e.exit} | ${e.note} |`);
  return [
    "# Captured outputs for svcroute doctor",
    "",
    "Real outputs of Linux, iproute2, FRR 8.4 and BIRD 2.0 in the lab, written by `npx tsx test/lab/harness/capture-doctor.ts`; never",
    "edit them by hand, re-run the script. Paths, timestamps and counters are those of the capture run. Output files",
    "hold stdout and stderr as printed; the exit code is listed below.",
    "",
    ...NOTES,
    "",
    "| file | command | where | exit | what it shows |",
    "|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

/** a command inside a node's namespace, shown without the run's namespace name */
async function inNs(rec: Recorder, lab: Lab, node: string, file: string, argv: string[], note: string): Promise<void> {
  await rec.command(file, ["ip", "netns", "exec", lab.ns(node), ...(argv as [string, ...string[]])], { where: node, shown: argv.join(" "), note });
}

export async function captureDoctor(rec: Recorder, lab: Lab): Promise<void> {
  const md5 = lab.link("md5frr", "tor1");
  const typo = lab.link("typofrr", "tor1");
  await inNs(rec, lab, "md5frr", "md5frr.proc-net-netstat.txt", ["cat", "/proc/net/netstat"], "passwords differ: TCPMD5Failure counts the ToR's dropped SYNs");
  await inNs(rec, lab, "md5bird", "md5bird.proc-net-netstat.txt", ["cat", "/proc/net/netstat"], "the same on a BIRD host");
  await inNs(rec, lab, "nopw", "nopw.proc-net-netstat.txt", ["cat", "/proc/net/netstat"], "only the ToR has a password: TCPMD5Unexpected");
  await inNs(rec, lab, "pwonly", "pwonly.proc-net-netstat.txt", ["cat", "/proc/net/netstat"], "only the host has a password: TCPMD5NotFound");
  await inNs(rec, lab, "typofrr", "typofrr.proc-net-netstat.txt", ["cat", "/proc/net/netstat"], "no password anywhere: every TCPMD5 counter 0");
  await inNs(rec, lab, "md5frr", "md5frr.show-bgp-neighbor.json", ["vtysh", "--vty_socket", lab.frrPaths("md5frr").socket, "-c", `show bgp neighbors ${md5.tor4} json`], "FRR's view of a password mismatch: Connect/Active, no error of its own");
  await inNs(rec, lab, "md5bird", "md5bird.show-protocols-all.txt", ["birdc", "-s", lab.birdPaths("md5bird").socket, "show", "protocols", "all", birdProto("tor1", "ipv4")], "BIRD's view of a password mismatch");
  await inNs(rec, lab, "md5frr", "md5frr.ip-route-get-typo.txt", ["ip", "-j", "route", "get", TYPO], "no default route (the session is down): the typo address is unreachable");
  await inNs(rec, lab, "typofrr", "typofrr.ip-route-get-typo.json", ["ip", "-j", "route", "get", TYPO], "with a default route from the ToR: the typo address is routed via a gateway");
  await inNs(rec, lab, "typofrr", "typofrr.ip-route-get-peer.json", ["ip", "-j", "route", "get", typo.tor4], "the ToR's address on the link: directly connected");
  await inNs(rec, lab, "typofrr", "typofrr.ip-route-get-self.json", ["ip", "-j", "route", "get", typo.host4], "the host's own link address: local");
  await inNs(rec, lab, "typofrr", "typofrr.show-bgp-neighbor-typo.json", ["vtysh", "--vty_socket", lab.frrPaths("typofrr").socket, "-c", `show bgp neighbors ${TYPO} json`], "FRR's view of a neighbour at an address nobody has");
  await inNs(rec, lab, "typobird", "typobird.show-protocols-all-typo.txt", ["birdc", "-s", lab.birdPaths("typobird").socket, "show", "protocols", "all", "typo"], "BIRD's view of a neighbour at an address nobody has");
  await inNs(rec, lab, "typobird", "typobird.show-protocols.txt", ["birdc", "-s", lab.birdPaths("typobird").socket, "show", "protocols"], "every protocol: BGP up and not, a disabled (svc4_web) and an enabled static (svc4_dns)");
  await inNs(rec, lab, "typofrr", "typofrr.ip-addr.json", ["ip", "-j", "addr", "show"], "every interface, all up");
  await rec.command("bgpd-version.txt", [join(FRR_LIBEXEC, "bgpd"), "--version"], { where: "no daemon needed", note: "FRR's version line (vtysh 8.4 has no --version)" });
  await rec.command("bird-version.txt", ["bird", "--version"], { where: "no daemon needed", note: "BIRD's version line (on stderr)" });
  await lab.faults.linkDown("typofrr", "tor1");
  await inNs(rec, lab, "typofrr", "typofrr.ip-addr-link-down.json", ["ip", "-j", "addr", "show"], "eth0 administratively down (its address stays)");
  await inNs(rec, lab, "typofrr", "typofrr.ip-route-get-peer-link-down.txt", ["ip", "-j", "route", "get", typo.tor4], "the ToR's address once the link is down");
}

async function main(): Promise<void> {
  installSignalHandlers();
  const rec = new Recorder(OUT);
  const lab = await createLab(doctorTopology);
  try {
    await settle(lab);
    rec.reset();
    await captureDoctor(rec, lab);
    writeFileSync(join(rec.dir, "README.md"), readme(rec.entries));
    console.log(`captured ${rec.entries.length} outputs into ${OUT}`);
  } finally {
    await lab.down();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? `${e.message}\n${(e as { details?: string }).details ?? ""}` : e);
    process.exit(1);
  });
}
