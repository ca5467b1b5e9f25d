// FRR outputs: vtysh JSON from a ToR and a host, and the answers of FRR's config checkers, each
// from the FRR build of the lab's daemon set (the ToRs always run this machine's FRR 8.4).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Recorder } from "./capture-record.js";
import type { Lab } from "./lab.js";

async function vty(rec: Recorder, lab: Lab, node: string, file: string, command: string, note: string): Promise<void> {
  const out = await lab.vtysh(node, command);
  rec.save(file, out, { command: `vtysh --vty_socket <${node}>/run -c '${command}'`, where: `${node} (${node.startsWith("tor") ? "ToR" : "host"})`, exit: 0, note });
}

/** the ToR's view (FRR 8.4 in every daemon set) */
export async function captureTorShow(rec: Recorder, lab: Lab): Promise<void> {
  const ok = lab.link("host1", "tor1");
  const silent = lab.link("silent", "tor1");
  const bad = lab.link("badasn", "tor1");
  await vty(rec, lab, "tor1", "tor1.show-bgp-neighbors.json", "show bgp neighbors json", "all neighbours of the ToR, Established and not");
  await vty(rec, lab, "tor1", "tor1.show-bgp-neighbor-established.json", `show bgp neighbors ${ok.host4} json`, "one Established neighbour (host1, IPv4, BFD)");
  await vty(rec, lab, "tor1", "tor1.show-bgp-neighbor-nobody-listening.json", `show bgp neighbors ${silent.host4} json`, "a neighbour with no BGP speaker behind it");
  await vty(rec, lab, "tor1", "tor1.show-bgp-neighbor-wrong-asn.json", `show bgp neighbors ${bad.host4} json`, "a host that expects the wrong ToR ASN (it sends Bad Peer AS)");
  await vty(rec, lab, "tor1", "tor1.show-bgp-ipv4-unicast-neighbor-advertised-routes.json", `show bgp ipv4 unicast neighbors ${ok.host4} advertised-routes json`, "what the ToR sends a host: only a default-originate");
  await vty(rec, lab, "tor1", "tor1.show-bfd-peers.json", "show bfd peers json", "ToR BFD: up toward host1/host2, down toward silent/badasn/badbird");
}

/** an FRR host's view, from the daemon set's FRR */
export async function captureFrrHostShow(rec: Recorder, lab: Lab): Promise<void> {
  const ok = lab.link("host1", "tor1");
  const t4 = ok.tor4;
  const t6 = ok.tor6;
  await vty(rec, lab, "host1", "host1.show-bgp-summary.json", "show bgp summary json", "FRR host, dual-homed, IPv4 and IPv6 sessions");
  await vty(rec, lab, "host1", "host1.show-bgp-neighbors.json", "show bgp neighbors json", "FRR host: all its neighbours (Established)");
  await vty(rec, lab, "host1", "host1.show-bgp-ipv4-unicast-neighbor-advertised-routes.json", `show bgp ipv4 unicast neighbors ${t4} advertised-routes json`, "what the host announces to tor1 over IPv4");
  await vty(rec, lab, "host1", "host1.show-bgp-ipv6-unicast-neighbor-advertised-routes.json", `show bgp ipv6 unicast neighbors ${t6} advertised-routes json`, "what the host announces to tor1 over IPv6");
  await vty(rec, lab, "host1", "host1.show-bfd-peers.json", "show bfd peers json", "FRR host BFD sessions, all up");
  await vty(rec, lab, "host1", "host1.show-running-config.txt", "show running-config", "running config of the FRR host");
  await vty(rec, lab, "host1", "host1.show-version.txt", "show version", "the running FRR's version (vtysh has no --version)");
  await vty(rec, lab, "badasn", "badasn.show-bgp-neighbors.json", "show bgp neighbors json", "host side of a wrong remote-as: never Established");
}

const BAD_GRAMMAR = `frr defaults datacenter
router bgp 65101
 neighbour 169.254.1.2 remote-as 65001
 address-family ipv4 unicast
  network 192.0.2.11/32 route-map
 exit-address-family
exit
`;

const UNDEFINED_NEIGHBOR = `frr defaults datacenter
router bgp 65101
 no bgp default ipv4-unicast
 neighbor 169.254.1.2 remote-as 65001
 address-family ipv4 unicast
  neighbor 169.254.1.9 activate
  neighbor 169.254.1.9 route-map SVC-OUT out
 exit-address-family
exit
`;

const UNDEFINED_ROUTE_MAP = `frr defaults datacenter
router bgp 65101
 no bgp default ipv4-unicast
 neighbor 169.254.1.2 remote-as 65001
 address-family ipv4 unicast
  neighbor 169.254.1.2 activate
  neighbor 169.254.1.2 route-map NOT-DEFINED out
 exit-address-family
exit
`;

/** Config checkers need no running daemon; frr-reload.py --test reads host1's running config. */
export async function captureFrrCheckers(rec: Recorder, lab: Lab, scratch: string): Promise<void> {
  const host1 = lab.frrPaths("host1");
  const write = (name: string, text: string): string => {
    const f = join(scratch, name);
    writeFileSync(f, text);
    return f;
  };
  const tools = lab.tools("host1");
  const bad = write("bad-grammar.conf", BAD_GRAMMAR);
  const where = "no daemon needed";
  await rec.command("bgpd-version.txt", [tools.bgpd, "--version"], { where, shown: "/usr/lib/frr/bgpd --version", note: "the installed FRR's version" });
  await rec.command("vtysh-C-bad-grammar.txt", [tools.vtysh, "-C", "-f", bad], { where, shown: `vtysh -C -f ${bad}`, note: `vtysh -C on a file with unknown commands:\n${BAD_GRAMMAR}` });
  await rec.command("vtysh-C-good.txt", [tools.vtysh, "-C", "-f", host1.configFile], { where, shown: `vtysh -C -f ${host1.configFile}`, note: "vtysh -C on host1's working config (no output)" });
  const bgpdC = (file: string): [string, ...string[]] => [tools.bgpd, "-C", "-Z", "-p", "0", "-n", "-f", file, "--vty_socket", scratch, "-i", join(scratch, "bgpd-check.pid"), "--log", "stdout"];
  const shown = (file: string): string => `/usr/lib/frr/bgpd -C -Z -p 0 -n -f ${file} --vty_socket DIR -i DIR/x.pid --log stdout`;
  const n = write("undefined-neighbor.conf", UNDEFINED_NEIGHBOR);
  await rec.command("bgpd-C-undefined-neighbor.txt", bgpdC(n), { where, shown: shown(n), note: `semantic error vtysh -C misses; bgpd exits 0 anyway:\n${UNDEFINED_NEIGHBOR}` });
  const m = write("undefined-route-map.conf", UNDEFINED_ROUTE_MAP);
  await rec.command("bgpd-C-undefined-route-map.txt", bgpdC(m), { where, shown: shown(m), note: `a route-map that is never defined: FRR accepts it silently (exit 0, no output):\n${UNDEFINED_ROUTE_MAP}` });
  const goodCopy = write("good.conf", UNDEFINED_ROUTE_MAP.replace("NOT-DEFINED", "OUT").replace("exit\n", "exit\nroute-map OUT permit 10\nexit\n"));
  await rec.command("bgpd-C-good.txt", bgpdC(goodCopy), { where, shown: shown(goodCopy), note: "a good config (no output)" });

  const reload = (file: string): [string, ...string[]] => [tools.frrReload, "--test", "--stdout", "--confdir", host1.dir, "--vty_socket", host1.socket, "--rundir", host1.socket, file];
  const shownReload = (file: string): string => ["/usr/lib/frr/frr-reload.py", ...reload(file).slice(1)].join(" ");
  await rec.command("frr-reload-test-unchanged.txt", reload(host1.configFile), { shown: shownReload(host1.configFile), where: "host1 (running FRR)", note: "frr-reload.py --test, file = what was loaded (expect only noise such as `no hostname`)" });
  const changed = readFileSync(host1.configFile, "utf8").replace("  network 192.0.2.11/32\n", "  network 192.0.2.11/32\n  network 192.0.2.55/32\n");
  const changedFile = write("host1-changed.conf", changed);
  await rec.command("frr-reload-test-changed.txt", reload(changedFile), { shown: shownReload(changedFile), where: "host1 (running FRR)", note: "frr-reload.py --test with one `network` line added (exit 0 with or without a diff)" });
}
