// Table tests on the model (not on text): names, guardrail, per-peer policy, fast-path toggles.
import { describe, expect, it } from "vitest";
import { buildModel, frrNetworkFor } from "../../../src/core/build-model.js";
import { attrsFor, attrsKey } from "../../../src/core/desired.js";
import { attrsId, birdNames, frrNames } from "../../../src/core/names.js";
import { fixtureModel, loadFixture, manifestFromText, quickModel } from "../../golden/support.js";
import { FRR_FIRST_ENTRY } from "../../../src/core/build-frr.js";
import { render } from "../../../src/core/render.js";

describe("routing model", () => {
  it("a health change builds the changed service anew and reuses every other one's model, frozen; the result is a fresh build's", () => {
    const { manifest: m } = loadFixture("deprefer");
    const up = buildModel(m, { services: {}, drained: [] });
    const down = buildModel(m, { services: { db: "down" }, drained: [] });
    const again = buildModel(m, { services: {}, drained: [] });
    const named = (model: typeof up, name: string) => model.services.find((s) => s.name === name)!;
    expect(named(down, "cron")).toBe(named(up, "cron"));
    expect(named(down, "db")).not.toBe(named(up, "db"));
    expect(named(again, "db")).toBe(named(up, "db"));
    expect(Object.isFrozen(named(up, "db").prefixes[0])).toBe(true);
    // a copy of the manifest shares nothing with it: its build is from scratch, and the same
    const fresh = buildModel({ ...m }, { services: { db: "down" }, drained: [] });
    expect(named(fresh, "db")).not.toBe(named(down, "db"));
    expect(down.services).toEqual(fresh.services);
    for (const d of ["frr", "bird"] as const) expect(render(down, d).text).toBe(render(fresh, d).text);
  });

  it("derives injective, daemon-safe names from slugs", () => {
    expect(frrNames.routeMapOut(4, "tor1-v6")).toBe("SVCR-OUT-V4-TOR1-V6");
    expect(frrNames.routeMapOut(6, "tor1")).toBe("SVCR-OUT-V6-TOR1");
    expect(frrNames.deprefer(attrsId("3|1000|65007:911|"))).toMatch(/^SVCR-DEPREFER-[0-9A-F]{10}$/);
    // route-maps are named by what they set: equal attributes, equal names; different, different
    expect(attrsId("3|null||")).toBe(attrsId("3|null||"));
    expect(attrsId("3|null||")).not.toBe(attrsId("3|null|65000:1|"));
    expect(birdNames.static(4, "web-api")).toBe("svc4_web_api");
    expect(birdNames.peer("tor1-v6")).toBe("peer_tor1_v6");
    expect(birdNames.exportFilter(6, "a-b")).toBe("svcr_out6_a_b");
  });

  it("FRR: the export prefix-list per family is the allowed aggregates, not one entry per service, health or not", async () => {
    const { model } = await fixtureModel("deprefer");
    const lists = Object.fromEntries(model.frr.prefixLists.map((l) => [l.name, l.entries.map((e) => `${e.seq} ${e.action} ${e.match}`)]));
    expect(lists).toEqual({
      "SVCR-EXPORT-V4": ["10 permit 192.0.2.0/24 le 32"],
      "SVCR-EXPORT-V6": ["10 permit 2001:db8:100::/48 le 128"],
    });
    const none = await fixtureModel("no-services");
    expect(none.model.frr.prefixLists.find((l) => l.name === "SVCR-EXPORT-V4")!.entries).toEqual([{ seq: 10, action: "permit", match: "192.0.2.0/24 le 32" }]);
  });

  it("FRR: a host prefix in allowed_prefixes is matched exactly (no `le`); repeats and order do not matter", async () => {
    const m = await quickModel(manifestFromText("/t/svcroute.yaml", `version: 1
daemon: frr
router: { asn: 4200000101, router_id: 192.0.2.1 }
peers: [{ name: tor1, address: 169.254.0.1, remote_asn: 65000, families: [ipv4, ipv6] }]
policy: { allowed_prefixes: [2001:db8::53/128, 198.51.100.0/24, 192.0.2.53/32, 2001:db8:100::/48, 192.0.2.53/32] }
services:
  - { name: dns, prefixes: [192.0.2.53/32, 2001:db8::53/128] }
`));
    const lists = Object.fromEntries(m.frr.prefixLists.map((l) => [l.name, l.entries.map((e) => `${e.seq} ${e.action} ${e.match}`)]));
    expect(lists).toEqual({
      "SVCR-EXPORT-V4": ["10 permit 192.0.2.53/32", "20 permit 198.51.100.0/24 le 32"],
      "SVCR-EXPORT-V6": ["10 permit 2001:db8::53/128", "20 permit 2001:db8:100::/48 le 128"],
    });
  });

  it("FRR: a family without allowed prefixes still defines its prefix-list, as deny-all", async () => {
    const m = await quickModel(manifestFromText("/t/svcroute.yaml", `version: 1
daemon: frr
router: { asn: 4200000101, router_id: 192.0.2.1 }
peers: [{ name: tor1, address: 169.254.0.1, remote_asn: 65000, families: [ipv4, ipv6] }]
policy: { allowed_prefixes: [192.0.2.0/24] }
services: []
`));
    expect(m.frr.prefixLists.find((l) => l.name === "SVCR-EXPORT-V6")!.entries).toEqual([{ seq: 5, action: "deny", match: "any" }]);
  });

  it("FRR: per-peer outbound route-maps, shared inbound ones", async () => {
    const { model } = await fixtureModel("dual-stack-ecmp");
    const out = model.frr.routeMaps.find((r) => r.name === "SVCR-OUT-V6-TOR2-V6")!;
    expect(out.entries).toEqual([
      FRR_FIRST_ENTRY,
      { action: "permit", seq: 10, matches: ["ipv6 address prefix-list SVCR-EXPORT-V6", "as-path SVCR-LOCAL-ORIGIN"], sets: [] },
      { action: "deny", seq: 100, matches: [], sets: [] },
    ]);
    const af6 = model.frr.bgp.addressFamilies.find((a) => a.family === 6)!;
    expect(af6.neighbors).toEqual([
      { key: "fd00:1::1", routeMapIn: "SVCR-IN-V6", routeMapOut: "SVCR-OUT-V6-TOR1-V6", maximumPrefix: 2 },
      { key: "fd00:2::1", routeMapIn: "SVCR-IN-V6", routeMapOut: "SVCR-OUT-V6-TOR2-V6", maximumPrefix: 2 },
    ]);
    expect(af6.maximumPaths).toBe(4);
  });

  it("FRR: neighbours carry every session setting", async () => {
    const { model } = await fixtureModel("bfd-timers");
    const [t1, t2, t3] = model.frr.bgp.neighbors;
    expect(t1).toMatchObject({ key: "169.254.5.1", remoteAs: "remote-as 65005", ttlSecurityHops: null, ebgpMultihop: null, keepalive: 1, hold: 3, connectRetry: 2, bfdProfile: "SVCR-BFD-TOR1" });
    expect(t2).toMatchObject({ keepalive: 10, hold: 30, connectRetry: 5, bfdProfile: "SVCR-BFD-TOR2" });
    expect(t3).toMatchObject({ hold: 0, connectRetry: 60, bfdProfile: null });
    expect(model.frr.bfdProfiles).toEqual([
      { name: "SVCR-BFD-TOR1", detectMultiplier: 5, receiveIntervalMs: 100, transmitIntervalMs: 100 },
      { name: "SVCR-BFD-TOR2", detectMultiplier: null, receiveIntervalMs: 50, transmitIntervalMs: 50 },
    ]);
  });

  it("fast path: each prefix knows its network statement, its service the route-map of every state", async () => {
    const { model, manifest } = await fixtureModel("deprefer");
    const db = model.services.find((s) => s.name === "db")!;
    const dbSvc = manifest.services.find((s) => s.name === "db")!;
    const id = (st: "normal" | "deprefer" | "graceful-shutdown") => attrsId(attrsKey(attrsFor(dbSvc, st)!));
    const rm = { normal: `SVCR-NORMAL-${id("normal")}`, deprefer: `SVCR-DEPREFER-${id("deprefer")}`, gshut: `SVCR-GSHUT-${id("graceful-shutdown")}` };
    expect(db.announce).toBe("deprefer");
    expect(db.prefixes[0]).toEqual({
      prefix: "192.0.2.20/32",
      family: 4,
      allowed: true,
      announce: "deprefer",
      frrAddressFamily: "ipv4 unicast",
      frrNetwork: `network 192.0.2.20/32 route-map ${rm.deprefer}`,
      frrNetworkByState: {
        normal: `network 192.0.2.20/32 route-map ${rm.normal}`,
        deprefer: `network 192.0.2.20/32 route-map ${rm.deprefer}`,
        "graceful-shutdown": `network 192.0.2.20/32 route-map ${rm.gshut}`,
        withdrawn: null,
      },
      birdProtocol: "svc4_db",
    });
    expect(db.frrRouteMapByState).toEqual({ normal: rm.normal, deprefer: rm.deprefer, "graceful-shutdown": rm.gshut });
    expect(frrNetworkFor(db, db.prefixes[0]!, "graceful-shutdown")).toBe(`network 192.0.2.20/32 route-map ${rm.gshut}`);
    expect(frrNetworkFor(db, db.prefixes[0]!, "withdrawn")).toBeNull();
    const cron = model.services.find((s) => s.name === "cron")!;
    expect(cron.birdProtocols).toEqual([{ name: "svc4_cron", family: 4, disabled: true }]);
    expect(cron.prefixes[0]!.frrNetwork).toBeNull();
    const cronSvc = manifest.services.find((s) => s.name === "cron")!;
    expect(cron.frrRouteMapByState).toEqual({ normal: null, "graceful-shutdown": `SVCR-GSHUT-${attrsId(attrsKey(attrsFor(cronSvc, "graceful-shutdown")!))}` });
    expect(frrNetworkFor(cron, cron.prefixes[0]!, "normal")).toBe("network 192.0.2.30/32");
    expect(frrNetworkFor(cron, cron.prefixes[0]!, "deprefer")).toBeNull();
  });

  it("FRR: every route-map a fast toggle may name exists already", async () => {
    for (const name of ["deprefer", "drain", "drain-all", "dual-stack-ecmp"]) {
      const { model } = await fixtureModel(name);
      const defined = new Set([...model.frr.routeMaps, ...model.frr.serviceRouteMaps].map((r) => r.name));
      for (const s of model.services) {
        for (const rm of Object.values(s.frrRouteMapByState)) {
          if (rm) expect(defined.has(rm), `${name}: ${rm}`).toBe(true);
        }
      }
    }
  });

  it("BIRD: peers, channels and filters", async () => {
    const { model } = await fixtureModel("multihop");
    const b = model.bird!;
    expect(b.peers.map((p) => [p.protocol, p.local, p.neighbor, p.direct, p.multihop, p.ttlSecurity])).toEqual([
      ["peer_rs1", "198.51.100.44 as 4200000104", "198.51.100.1 external", false, 3, false],
      ["peer_rs2", "as 4200000104", "198.51.100.2 internal", false, 2, false],
      ["peer_core", "as 4200000104", "198.51.100.3 as 4200000104", false, 4, false],
    ]);
    expect(b.peers[0]!.bfd).toEqual({ minRxMs: 500, minTxMs: 500, multiplier: 4 });
    expect(b.peers[0]!.channels).toEqual([
      { channel: "ipv4", import: "filter svcr_in4", importLimit: 8, exportFilter: "svcr_out4_rs1", extendedNextHop: false },
    ]);
    expect(b.sets).toEqual([{ name: "SVCR_EXPORT4", family: 4, comment: "every service prefix inside policy.allowed_prefixes", prefixes: ["192.0.2.100/32", "192.0.2.101/32"] }]);
    expect(b.kernels).toEqual([{ name: "svcr_kernel4", channel: "ipv4", defaultNet: "0.0.0.0/0", mergePathsLimit: 3, resolveNextHopsVia: "svcr_direct4" }]);
  });

  it("BIRD: groups attributes into per-family bundles", async () => {
    const { model } = await fixtureModel("drain");
    const f4 = model.bird!.attrFunctions.find((f) => f.family === 4)!;
    expect(f4.bundles.map((b) => [b.comment, b.prefixes])).toEqual([
      ["deprefer: dns", ["192.0.2.53/32"]],
      ["graceful-shutdown: api", ["192.0.2.11/32"]],
      ["graceful-shutdown: mail", ["192.0.2.25/32"]],
    ]);
    expect(f4.bundles[1]!.statements).toEqual([
      "bgp_path.prepend(4200000108)",
      "bgp_path.prepend(4200000108)",
      "bgp_med = 300",
      "bgp_community.add((65008,300))",
      "bgp_community.add((65535,0))",
    ]);
  });

  it("BIRD: refuses what it cannot do, with the reason", async () => {
    const { model } = await fixtureModel("unnumbered");
    expect(model.bird).toBeNull();
    expect(model.birdUnsupported).toMatch(/unnumbered/);
    const { manifest } = loadFixture("multihop");
    const noLocal = { ...manifest, peers: manifest.peers.map((p) => ({ ...p, localAddress: undefined })) };
    expect(buildModel(noLocal).birdUnsupported).toMatch(/local_address for BFD on a multihop session/);
  });

  it("is plain data apart from secrets (JSON round-trip keeps it)", async () => {
    const { manifest } = loadFixture("drain");
    const m = await quickModel(manifest);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    expect(m.header.marker).toMatch(/^svcroute-managed manifest=[0-9a-f]{12} health=[0-9a-f]{12}$/);
  });
});
