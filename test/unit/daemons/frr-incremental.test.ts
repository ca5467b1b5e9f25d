// FRR's incremental apply: from one rendered config to the next, the vty commands for a change of
// policy objects and networks only, and null for any other change (frr-reload.py's). Real renders
// of fixture manifests, changed as an operator changes a manifest.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { incrementalCommands } from "../../../src/daemons/frr-incremental.js";
import { FIXTURES, manifestFromText, quickModel, renderReal } from "../../golden/support.js";

const ROLES = readFileSync(join(FIXTURES, "roles.yaml"), "utf8");
async function frrConfig(text: string): Promise<string> {
  return renderReal(await quickModel(manifestFromText("valid/roles.yaml", text)), "frr");
}
/** the route-map names a config gives a service's normal and graceful-shutdown modes */
const mapsOf = (config: string, service: string) => [...config.matchAll(new RegExp(`! service ${service}: \\S+\\nroute-map (\\S+) `, "g"))].map((m) => m[1]!);

describe("incrementalCommands", () => {
  it("a service's attributes changed: its new route-maps first, its network moved to them in one session, the old route-maps removed last", async () => {
    const from = await frrConfig(ROLES);
    const to = await frrConfig(ROLES.replace('communities: ["65000:60", "4200000109:0:60"]', 'communities: ["65000:61", "4200000109:0:61"]'));
    const [oldNormal, oldGshut] = mapsOf(from, "api");
    const [newNormal, newGshut] = mapsOf(to, "api");
    expect(newNormal).not.toBe(oldNormal);
    const cmds = incrementalCommands(from, to)!;
    expect(cmds[0]).toBe("configure terminal");
    expect(cmds.at(-1)).toBe("end");
    const at = (c: string) => cmds.indexOf(c);
    // the new entries, whole, before the network refers to them
    expect(cmds).toContain(`route-map ${newNormal} permit 10`);
    expect(cmds).toContain("set community 65000:61 additive");
    expect(cmds).toContain(`no route-map ${newNormal} optimization`);
    expect(at(`route-map ${newNormal} permit 10`)).toBeLessThan(at("router bgp 4200000109"));
    expect(cmds.slice(at("router bgp 4200000109"), at("router bgp 4200000109") + 6)).toEqual([
      "router bgp 4200000109",
      "address-family ipv4 unicast",
      "no network 192.0.2.60/32",
      `network 192.0.2.60/32 route-map ${newNormal}`,
      "exit-address-family",
      "exit",
    ]);
    // what nothing refers to any more, last; the other services untouched
    // a route-map gone whole goes as one command (its optimization line with it)
    for (const old of [oldNormal, oldGshut]) expect(at(`no route-map ${old}`)).toBeGreaterThan(at("exit-address-family"));
    expect(cmds.filter((c) => c.startsWith("no route-map ") && !c.endsWith(" optimization"))).toEqual([`no route-map ${oldNormal}`, `no route-map ${oldGshut}`]);
    expect(cmds.filter((c) => c.startsWith("route-map ")).map((c) => c.split(" ")[1])).toEqual([newNormal, newNormal, newGshut, newGshut]);
    expect(cmds.join("\n")).not.toMatch(/192\.0\.2\.6[12]/);
  });

  it("a service added with attributes of its own, then removed again", async () => {
    const from = await frrConfig(ROLES);
    const to = await frrConfig(`${ROLES}  - name: extra\n    prefixes: [192.0.2.63/32]\n    med: 77\n`);
    const cmds = incrementalCommands(from, to)!;
    const [normal] = mapsOf(to, "extra");
    expect(cmds).toContain(`route-map ${normal} permit 10`);
    expect(cmds).toContain("set metric 77");
    expect(cmds).toContain(`network 192.0.2.63/32 route-map ${normal}`);
    expect(cmds).not.toContain("no network 192.0.2.63/32");
    const back = incrementalCommands(to, from)!;
    expect(back).toContain("no network 192.0.2.63/32");
    expect(back).toContain(`no route-map ${normal}`);
    expect(back.some((c) => c.startsWith("route-map "))).toBe(false);
  });

  it("equal but for the header's hashes and comments: nothing to send", async () => {
    const from = await frrConfig(ROLES);
    const to = from.replace(/manifest=[0-9a-f]{12}/, "manifest=000000000000").replace("! service api: normal", "! service api: normal, renamed");
    expect(incrementalCommands(from, to)).toEqual([]);
  });

  it.each([
    ["a neighbour's timers", (t: string) => t.replace("    remote_asn: 65000\n", "    remote_asn: 65000\n    timers: {keepalive: 5s, hold: 15s}\n")],
    ["a peer added", (t: string) => t.replace("policy:\n", "  - name: tor2\n    address: 169.254.0.5\n    remote_asn: 65000\npolicy:\n")],
    ["the router id", (t: string) => t.replace("router_id: 192.0.2.9", "router_id: 192.0.2.19")],
    ["the allowed prefixes (the export prefix-list) and a new address family", (t: string) => t.replace("allowed_prefixes: [192.0.2.0/24]", "allowed_prefixes: [192.0.2.0/24, 2001:db8::/32]").replace("prefixes: [192.0.2.61/32]", "prefixes: [192.0.2.61/32, 2001:db8::61/128]")],
  ])("%s: not a change of policy objects and networks only (null: frr-reload.py's)", async (_what, change) => {
    const from = await frrConfig(ROLES);
    const to = await frrConfig(change(ROLES));
    expect(to).not.toBe(from);
    expect(incrementalCommands(from, to)).toBeNull();
  });

  // FRR keys entries by sequence number alone and svcroute numbers them by position: `no ... seq 20
  // permit P` after `... seq 20 deny Q` would delete the new entry. So a list is sent whole or not at all
  const ROUTER = "router bgp 1\n address-family ipv4 unicast\n  network 192.0.2.1/32\n exit-address-family\nexit\n";
  it.each([
    ["an entry's prefix", "ip prefix-list L seq 10 permit 192.0.2.0/24 le 32\n", "ip prefix-list L seq 10 permit 192.0.2.0/25 le 32\n"],
    ["an entry inserted ahead of another (sequence numbers reused)", "ip prefix-list L seq 10 deny 192.0.2.1/32\nip prefix-list L seq 20 permit 192.0.2.0/24 le 32\n", "ip prefix-list L seq 10 deny 192.0.2.1/32\nip prefix-list L seq 20 deny 192.0.2.2/32\nip prefix-list L seq 30 permit 192.0.2.0/24 le 32\n"],
    ["a route-map entry's action", "route-map M permit 10\n set metric 1\nexit\n", "route-map M deny 10\n set metric 1\nexit\n"],
  ])("%s changed: null (frr-reload.py's), never an edit by sequence number", (_what, before, after) => {
    expect(incrementalCommands(`${before}!\n${ROUTER}`, `${after}!\n${ROUTER}`)).toBeNull();
  });

  it("a list added and another removed: each whole, the new one first, the old one last; a route-map entry dropped alone", () => {
    const from = `ip prefix-list OLD seq 10 permit 192.0.2.0/24 le 32\nbgp community-list standard C seq 5 permit 65000:1\nroute-map M permit 10\n set metric 1\nexit\nroute-map M permit 20\n set metric 2\nexit\n!\n${ROUTER}`;
    const to = `ip prefix-list NEW seq 10 permit 192.0.2.0/25 le 32\nip prefix-list NEW seq 20 permit 192.0.2.128/25 le 32\nbgp community-list standard C seq 5 permit 65000:1\nroute-map M permit 10\n set metric 1\nexit\n!\n${ROUTER}`;
    expect(incrementalCommands(from, to)).toEqual([
      "configure terminal",
      "ip prefix-list NEW seq 10 permit 192.0.2.0/25 le 32",
      "ip prefix-list NEW seq 20 permit 192.0.2.128/25 le 32",
      "no route-map M permit 20",
      "no ip prefix-list OLD seq 10 permit 192.0.2.0/24 le 32",
      "end",
    ]);
  });

  it("a route-map entry changed in place: its lines swapped, and the networks using it issued again", () => {
    const from = "route-map M permit 10\n set metric 1\nexit\n!\nrouter bgp 1\n address-family ipv4 unicast\n  network 192.0.2.1/32 route-map M\n  network 192.0.2.2/32\n exit-address-family\nexit\n";
    const to = from.replace("set metric 1", "set metric 2");
    expect(incrementalCommands(from, to)).toEqual([
      "configure terminal",
      "route-map M permit 10",
      "no set metric 1",
      "set metric 2",
      "exit",
      "router bgp 1",
      "address-family ipv4 unicast",
      "no network 192.0.2.1/32",
      "network 192.0.2.1/32 route-map M",
      "exit-address-family",
      "exit",
      "end",
    ]);
  });
});
