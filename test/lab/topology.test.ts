// The pure parts: topology resolution, addressing and the rendered ToR config (judged by FRR's own
// parser).
import { writeFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./harness/exec.js";
import { renderTorConfig } from "./harness/tor-config.js";
import { resolveTopology, type Topology } from "./harness/topology.js";

const topo: Topology = {
  tors: [
    { name: "tor1", asn: 65001, bfd: true, timers: { keepalive: 1, hold: 3 }, debugUpdates: true },
    { name: "tor2", asn: 65002, defaultOriginate: false },
  ],
  hosts: [
    { name: "h1", daemon: "frr", links: ["tor1", "tor2"], addresses: ["192.0.2.1", "2001:DB8:0::1/128"] },
    { name: "h2", daemon: "bird", links: ["tor2"], families: ["ipv4"] },
    { name: "h3", daemon: "frr", links: ["tor1"], peering: "unnumbered" },
  ],
};

describe("resolveTopology", () => {
  const plan = resolveTopology(topo, "abcd", "/tmp/svrl/abcd");

  it("numbers links across the fabric and names both ends", () => {
    expect(plan.links.map((l) => [l.host, l.tor, l.hostIf, l.torIf, l.host4, l.tor6])).toEqual([
      ["h1", "tor1", "eth0", "swp1", "169.254.1.1", "fd00:1::2"],
      ["h1", "tor2", "eth1", "swp1", "169.254.2.1", "fd00:2::2"],
      ["h2", "tor2", "eth0", "swp2", "169.254.3.1", "fd00:3::2"],
      ["h3", "tor1", "eth0", "swp2", "169.254.4.1", "fd00:4::2"],
    ]);
  });

  it("keeps interface names within the kernel's 15 characters and namespaces under the prefix", () => {
    for (const l of plan.links) expect(Math.max(l.hostIf.length, l.torIf.length)).toBeLessThanOrEqual(15);
    expect([...plan.tors, ...plan.hosts].map((n) => n.ns)).toEqual(["tor1", "tor2", "h1", "h2", "h3"].map((n) => `svrl-abcd-${n}`));
  });

  it("exposes per-host daemon paths", () => {
    expect(plan.hosts[0]?.paths).toEqual({
      kind: "frr",
      dir: "/tmp/svrl/abcd/h1",
      configFile: "/tmp/svrl/abcd/h1/frr.conf",
      socket: "/tmp/svrl/abcd/h1/run",
      logFile: "/tmp/svrl/abcd/h1/frr.log",
      // the host's FRR runs from this machine, not from a Debian 13 root
      root: null,
    });
    expect(plan.hosts[1]?.paths?.socket).toBe("/tmp/svrl/abcd/h2/bird.ctl");
    expect(plan.hosts[0]?.addresses.map((a) => a.text)).toEqual(["192.0.2.1/32", "2001:db8::1/128"]);
  });

  it.each([
    [{ tors: [], hosts: [] }, /at least one ToR/],
    [{ tors: [{ name: "Tor-1", asn: 1 }], hosts: [] }, /must match/],
    [{ tors: [{ name: "tor1", asn: 1 }], hosts: [{ name: "tor1", daemon: "none", links: ["tor1"] }] }, /used twice/],
    [{ tors: [{ name: "tor1", asn: 1 }], hosts: [{ name: "h1", daemon: "none", links: ["tor9"] }] }, /unknown ToR tor9/],
    [{ tors: [{ name: "tor1", asn: 1 }], hosts: [{ name: "h1", daemon: "none", links: ["tor1"], addresses: ["10.0.0.1"] }] }, /outside the lab's ranges/],
    [{ tors: [{ name: "tor1", asn: 1 }], hosts: [{ name: "h1", daemon: "none", links: ["tor1"], addresses: ["192.0.2.0/24"] }] }, /not a host address/],
  ] as [Topology, RegExp][])("rejects %j", (t, re) => {
    expect(() => resolveTopology(t, "abcd", "/tmp/x")).toThrow(re);
  });
});

describe("renderTorConfig", () => {
  const plan = resolveTopology(topo, "abcd", "/tmp/svrl/abcd");
  const [tor1, tor2] = plan.tors;

  it("renders the fabric's ToR policy", () => {
    const c = renderTorConfig(tor1!);
    for (const line of [
      "frr defaults datacenter",
      "log timestamp precision 6",
      "bgp route-map delay-timer 1",
      "debug bgp updates in",
      " bgp graceful-restart-disable",
      " bgp bestpath as-path multipath-relax",
      " neighbor 169.254.1.1 timers connect 1",
      " neighbor 169.254.1.1 timers 1 3",
      " neighbor 169.254.1.1 bfd profile fast",
      " neighbor swp2 interface remote-as 65103",
      "  neighbor fd00:1::1 default-originate",
      "ip prefix-list HOST-SVC4 seq 30 permit 203.0.113.0/24 ge 32",
      "ipv6 prefix-list HOST-SVC6 seq 10 permit 2001:db8::/32 ge 128",
    ]) {
      expect(c.split("\n")).toContain(line);
    }
    const c2 = renderTorConfig(tor2!);
    expect(c2).not.toContain("default-originate");
    expect(c2).not.toContain("bfd");
    expect(c2).not.toContain("neighbor fd00:3::1");
  });

  it.each([0, 1])("passes FRR's own parser (vtysh -C) for tor%#", async (i) => {
    const dir = mkdtempSync(join(tmpdir(), "svrl-test-"));
    try {
      const file = join(dir, "frr.conf");
      writeFileSync(file, renderTorConfig(plan.tors[i]!));
      const r = await run("vtysh", ["-C", "-f", file], { allowFail: true });
      expect(r.stdout + r.stderr).not.toMatch(/Unknown command|line \d+:/);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
