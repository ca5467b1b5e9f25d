// Sessions, announcements and ECMP on one shared fabric: two ToRs, a dual-homed FRR host and a
// dual-homed BIRD host (sharing an anycast address), and an FRR host peering unnumbered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitEcmp, waitEqual, waitEstablished, waitRoute } from "./harness/conditions.js";
import { birdHostConfig, frrHostConfig } from "./harness/host-configs.js";
import { createLab, type Lab } from "./harness/lab.js";
import { waitFor } from "./harness/wait.js";

const ANYCAST = "192.0.2.100/32";
let lab: Lab;

beforeAll(async () => {
  lab = await createLab({
    tors: [
      { name: "tor1", asn: 65001 },
      { name: "tor2", asn: 65002 },
    ],
    hosts: [
      { name: "hfrr", daemon: "frr", links: ["tor1", "tor2"], addresses: ["192.0.2.11", "2001:db8::11", ANYCAST], config: (h) => frrHostConfig(h) },
      { name: "hbird", daemon: "bird", links: ["tor1", "tor2"], addresses: ["192.0.2.12", "2001:db8::12", ANYCAST], config: (h) => birdHostConfig(h) },
      { name: "hunnum", daemon: "frr", links: ["tor1"], peering: "unnumbered", addresses: ["198.51.100.13", "2001:db8::13"], config: (h) => frrHostConfig(h) },
    ],
  });
  await waitEstablished(lab, { timeout: 60_000 });
});

afterAll(async () => {
  await (lab as Lab | undefined)?.down();
});

describe("sessions between hosts and FRR ToRs", () => {
  it.each([
    ["tor1", "hfrr"],
    ["tor2", "hfrr"],
    ["tor1", "hbird"],
    ["tor2", "hbird"],
    ["tor1", "hunnum"],
  ])("%s <-> %s is Established for IPv4 and IPv6", async (tor, host) => {
    for (const family of ["ipv4", "ipv6"] as const) {
      const s = await lab.observe.session(tor, host, family);
      expect(s, `${tor} ${host} ${family}`).toMatchObject({ state: "Established", host, family });
      expect(s!.connectionsEstablished).toBeGreaterThanOrEqual(1);
    }
  });

  it("names unnumbered sessions by the ToR's interface", async () => {
    const s = await lab.observe.session("tor1", "hunnum", "ipv4");
    expect(s?.peer).toBe(lab.link("hunnum", "tor1").torIf);
  });
});

describe("service prefixes at the ToRs", () => {
  it.each([
    ["192.0.2.11/32", "hfrr"],
    ["2001:db8::11/128", "hfrr"],
    ["192.0.2.12/32", "hbird"],
    ["2001:db8::12/128", "hbird"],
  ])("%s of dual-homed %s is seen at both ToRs", async (prefix) => {
    await waitRoute(lab, "tor1", prefix, "present");
    await waitRoute(lab, "tor2", prefix, "present");
  });

  it("prefixes of the unnumbered host arrive over its one session, IPv4 with an IPv6 next hop", async () => {
    await waitRoute(lab, "tor1", "198.51.100.13/32", "present");
    await waitRoute(lab, "tor1", "2001:db8::13/128", "present");
    // one path each: both families ride the one link-local session (IPv4's next hop is IPv6)
    for (const prefix of ["198.51.100.13/32", "2001:db8::13/128"]) {
      const { value } = await waitFor(() => lab.observe.route("tor1", prefix), {
        what: `one path for ${prefix} at tor1, with an IPv6 next hop`,
        until: (x) => x?.paths.length === 1 && x.paths[0]!.nexthops.some((n) => n.includes(":")),
      });
      expect(value?.paths).toHaveLength(1);
      expect(value!.paths[0]!.nexthops.some((n) => n.includes(":"))).toBe(true);
    }
  });

  it("an anycast prefix served by two hosts is ECMP at each ToR, in BGP and in the kernel", async () => {
    for (const tor of ["tor1", "tor2"]) {
      await waitEcmp(lab, tor, ANYCAST, 2);
      const { value } = await waitFor(() => lab.observe.kernelRoute(tor, ANYCAST), { what: `${ANYCAST} in ${tor}'s kernel with 2 nexthops`, until: (r) => r?.nexthops.length === 2 });
      const gws = value!.nexthops.map((n) => n.gateway).sort();
      expect(gws).toEqual([lab.link("hfrr", tor).host4, lab.link("hbird", tor).host4].sort());
    }
  });

  it("received and advertised routes per neighbour", async () => {
    // each ToR learns and sends on its own schedule (BIRD may hold its first UPDATE for seconds)
    const cases = [
      ["received", "tor1", "hfrr", "ipv4", [ANYCAST, "192.0.2.11/32"]],
      ["received", "tor2", "hbird", "ipv6", ["2001:db8::12/128"]],
      ["advertised", "tor1", "hfrr", "ipv4", ["0.0.0.0/0"]],
      ["advertised", "tor2", "hbird", "ipv6", ["::/0"]],
    ] as const;
    for (const [what, tor, host, family, want] of cases) {
      const got = await waitEqual(() => lab.observe[what](tor, host, family), [...want], `${tor} ${what} routes of ${host} (${family})`);
      expect(got).toEqual(want);
    }
  });
});

describe("default routes on the hosts", () => {
  it.each(["hfrr", "hbird"])("dual-homed %s installs an ECMP default route toward both ToRs (IPv4 and IPv6)", async (host) => {
    for (const family of ["ipv4", "ipv6"] as const) {
      const { value } = await waitFor(() => lab.observe.defaultRoute(host, family), {
        what: `${host} ${family} default route with 2 nexthops`,
        until: (r) => r?.nexthops.length === 2,
      });
      expect(value!.nexthops.map((n) => n.dev).sort()).toEqual(["eth0", "eth1"]);
    }
  });
});

describe("the ToR's import policy", () => {
  it("accepts only host routes from the service ranges", async () => {
    // hfrr offers a /24 next to a new /32 (both blackholed locally); the ToR must take only the /32
    const asn = lab.host("hfrr").asn;
    await lab.vtysh(
      "hfrr",
      "configure terminal",
      "ip route 203.0.113.0/24 blackhole",
      "ip route 203.0.113.111/32 blackhole",
      "ip prefix-list SVC4 seq 100 permit 203.0.113.0/24",
      `router bgp ${asn}`,
      "address-family ipv4 unicast",
      "network 203.0.113.0/24",
      "network 203.0.113.111/32",
    );
    await waitFor(() => lab.vtysh("hfrr", `show bgp ipv4 unicast neighbors ${lab.link("hfrr", "tor1").tor4} advertised-routes`), {
      what: "hfrr advertising 203.0.113.0/24",
      until: (out) => out.includes("203.0.113.0/24"),
    });
    await waitRoute(lab, "tor1", "203.0.113.111/32", "present");
    // once the ToR counts the /32 among its 3 accepted prefixes it has processed the host's update: the /24 stays out
    expect(await waitEqual(async () => (await lab.observe.session("tor1", "hfrr", "ipv4"))?.pfxRcd, 3, "tor1's prefixes accepted from hfrr")).toBe(3);
    expect(await lab.observe.hasRoute("tor1", "203.0.113.0/24")).toBe(false);
  });
});
