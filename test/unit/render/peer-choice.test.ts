// services[].peers: a service announced to chosen peers only. The per-peer export lists follow the
// manifest alone (never health or drain), verify expects each peer's own set, status and the
// Nagios line tell a prefix at a peer outside its service's peers apart.
import { describe, expect, it } from "vitest";
import { nagios, statusText } from "../../../src/commands/status-format.js";
import { buildModel } from "../../../src/core/build-model.js";
import { ALL_UP } from "../../../src/core/desired.js";
import { exportPrefixesTo } from "../../../src/core/policy.js";
import type { Observed, ObservedPeer } from "../../../src/daemons/driver.js";
import { verify } from "../../../src/supervisor/verify.js";
import { loadFixture, manifestFromData } from "../../golden/support.js";
import { sampleStatus } from "../../helpers/status-fixture.js";

const peer = (name: string, v4: string[], v6: string[] = []): ObservedPeer => ({
  name,
  state: "Established",
  uptimeMs: 1000,
  establishedTotal: 1,
  droppedTotal: 0,
  sent: v4.length + v6.length,
  received: 0,
  lastError: null,
  advertised: { "4": v4, "6": v6 },
});
const observed = (...peers: ObservedPeer[]): Observed => ({ instance: "1", peers, durationMs: 1, via: "socket" });

describe("services[].peers", () => {
  const { manifest: m, health } = loadFixture("peer-choice");

  it("defaults to every peer; a chosen list keeps the manifest's peer order", () => {
    expect(Object.fromEntries(m.services.map((s) => [s.name, s.peers]))).toEqual({ dns: ["tor1", "tor1-v6", "tor2"], web: ["tor1", "tor1-v6"], internal: ["tor2"] });
    const r = manifestFromData({
      version: 1,
      daemon: "bird",
      router: { asn: 4200000101, router_id: "192.0.2.1" },
      peers: [
        { name: "a", address: "169.254.0.1", remote_asn: 65000 },
        { name: "b", address: "169.254.0.5", remote_asn: 65000 },
      ],
      policy: { allowed_prefixes: ["192.0.2.0/24"] },
      services: [{ name: "s", prefixes: ["192.0.2.1/32"], peers: ["b", "a"] }],
    });
    expect(r.manifest?.services[0]!.peers).toEqual(["a", "b"]);
    // no service leaves a peer out: every peer uses the shared export set
    expect(exportPrefixesTo(r.manifest!, "a")).toBeNull();
  });

  it("a peer some service leaves out gets its own export list, the same whatever the health or drain", () => {
    const up = buildModel(m, ALL_UP);
    const hurt = buildModel(m, health);
    expect(Object.fromEntries(hurt.services.map((s) => [s.name, s.announce]))).toEqual({ dns: "normal", web: "graceful-shutdown", internal: "deprefer" });
    expect(hurt.frr.prefixLists).toEqual(up.frr.prefixLists);
    expect(hurt.bird!.sets).toEqual(up.bird!.sets);
    const list = (name: string) => up.frr.prefixLists.find((l) => l.name === name)?.entries.map((e) => `${e.seq} ${e.action} ${e.match}`);
    // exact denies of what the peer must not get (one per such prefix), then the allowed aggregates
    expect(list("SVCR-EXPORT-V4-TOR1")).toEqual(["10 deny 192.0.2.90/32", "20 permit 192.0.2.0/24 le 32"]);
    expect(list("SVCR-EXPORT-V4-TOR2")).toEqual(["10 deny 192.0.2.80/32", "20 permit 192.0.2.0/24 le 32"]);
    // tor1-v6 gets every v6 service prefix: nothing to deny
    expect(list("SVCR-EXPORT-V6-TOR1-V6")).toEqual(["10 permit 2001:db8:100::/48 le 128"]);
    expect(list("SVCR-EXPORT-V4")).toEqual(["10 permit 192.0.2.0/24 le 32"]);
    const out = up.frr.routeMaps.find((r) => r.name === "SVCR-OUT-V4-TOR2")!;
    expect(out.entries[1]!.matches[0]).toBe("ip address prefix-list SVCR-EXPORT-V4-TOR2");
    expect(up.bird!.exportFilters.map((f) => [f.name, f.exportSet])).toEqual([
      ["svcr_out4_tor1", "SVCR_EXPORT4_tor1"],
      ["svcr_out6_tor1_v6", "SVCR_EXPORT6_tor1_v6"],
      ["svcr_out4_tor2", "SVCR_EXPORT4_tor2"],
    ]);
  });

  it("verify expects at each peer only the prefixes of the services announced to it", () => {
    const model = buildModel(m, ALL_UP);
    const right = observed(peer("tor1", ["192.0.2.53/32", "192.0.2.80/32"]), peer("tor1-v6", [], ["2001:db8:100::53/128", "2001:db8:100::80/128"]), peer("tor2", ["192.0.2.53/32", "192.0.2.90/32"]));
    expect(verify(m, model, right)).toEqual({ ok: true, mismatches: [], down: [] });
    const leaked = observed(peer("tor1", ["192.0.2.53/32", "192.0.2.80/32", "192.0.2.90/32"]), peer("tor1-v6", [], ["2001:db8:100::53/128", "2001:db8:100::80/128"]), peer("tor2", ["192.0.2.53/32"]));
    expect(verify(m, model, leaked).mismatches).toEqual([
      { peer: "tor1", missing: [], extra: ["192.0.2.90/32"] },
      { peer: "tor2", missing: ["192.0.2.90/32"], extra: [] },
    ]);
  });

  it("status shows a peer outside the service's peers as off, or LEAKED; Nagios is CRITICAL on a leak and not on off", () => {
    const s = sampleStatus();
    s.peers[1]!.state = "Established";
    s.services[0]!.peers = ["tor1"];
    s.services[0]!.prefixes[0]!.advertised = { tor1: true, tor2: false };
    expect(statusText(s, 1_764_000_010_000)).toMatch(/^dns +UP +\S+ +192\.0\.2\.53\/32 +normal +yes +off /m);
    expect(nagios(s).code).toBe(1); // web is DOWN: a warning, nothing critical
    s.services[0]!.prefixes[0]!.advertised = { tor1: true, tor2: true };
    expect(statusText(s, 1_764_000_010_000)).toMatch(/^dns +UP +\S+ +192\.0\.2\.53\/32 +normal +yes +LEAKED /m);
    expect(nagios(s)).toMatchObject({ code: 2, line: expect.stringContaining("advertised outside the service's peers: 192.0.2.53/32 to tor2") });
  });
});
