import { describe, expect, it } from "vitest";
import { ALL_UP, announceFor, attrsFor, desiredState, GRACEFUL_SHUTDOWN, reachableStates } from "../../../src/core/desired.js";
import { loadFixture } from "../../golden/support.js";

describe("desired state", () => {
  const { manifest } = loadFixture("deprefer");
  const svc = (n: string) => manifest.services.find((s) => s.name === n)!;

  it.each([
    // health, on_failure, drained → announce
    ["up", "withdraw", false, "normal"],
    ["down", "withdraw", false, "withdrawn"],
    ["down", "deprefer", false, "deprefer"],
    ["up", "withdraw", true, "graceful-shutdown"],
    ["up", "deprefer", true, "graceful-shutdown"],
    ["down", "withdraw", true, "withdrawn"],
    ["down", "deprefer", true, "withdrawn"],
  ] as const)("%s + on_failure %s + drained %s → %s", (health, onFailure, drained, want) => {
    expect(announceFor({ ...svc("db"), onFailure }, health, drained)).toBe(want);
  });

  it.each([
    // health, degraded, on_failure, drained → announce
    ["degraded", "deprefer", "withdraw", false, "deprefer"],
    ["degraded", "announce", "withdraw", false, "normal"],
    ["degraded", "deprefer", "withdraw", true, "graceful-shutdown"],
    ["down", "deprefer", "withdraw", false, "withdrawn"],
    ["down", "deprefer", "deprefer", false, "deprefer"],
  ] as const)("%s + degraded %s + on_failure %s + drained %s → %s", (health, degraded, onFailure, drained, want) => {
    expect(announceFor({ ...svc("db"), degraded, onFailure }, health, drained)).toBe(want);
  });

  it("counts a service missing from the health input as up", () => {
    const d = desiredState(manifest, { services: {}, drained: [] });
    expect(d.services.every((s) => s.announce === "normal")).toBe(true);
  });

  it("de-preference uses the service's attributes; drain adds 65535:0 and keeps its healthy communities", () => {
    expect(attrsFor(svc("db"), "deprefer")).toEqual({ prepend: 5, med: 1000, localPref: null, communities: ["65007:911"], largeCommunities: ["4200000107:1:911"] });
    expect(attrsFor(svc("db"), "graceful-shutdown")).toEqual({
      prepend: 5,
      med: 1000,
      localPref: null,
      communities: ["65007:20", "65007:911", GRACEFUL_SHUTDOWN],
      largeCommunities: ["4200000107:1:911"],
    });
    expect(attrsFor(svc("search"), "deprefer")).toEqual({ prepend: 3, med: null, localPref: null, communities: [], largeCommunities: [] });
    expect(attrsFor(svc("web"), "normal")).toEqual({ prepend: 0, med: null, localPref: null, communities: ["65007:80", "65535:65281"], largeCommunities: ["4200000107:0:80"] });
    expect(attrsFor(svc("web"), "withdrawn")).toBeNull();
  });

  it("lists the states a service can reach (deprefer only with on_failure deprefer)", () => {
    expect(reachableStates(svc("cron"))).toEqual(["normal", "graceful-shutdown", "withdrawn"]);
    expect(reachableStates(svc("db"))).toEqual(["normal", "deprefer", "graceful-shutdown", "withdrawn"]);
    // degraded: deprefer reaches the de-preferred state while healthy, whatever on_failure says
    expect(reachableStates({ ...svc("cron"), degraded: "deprefer" })).toEqual(["normal", "deprefer", "graceful-shutdown", "withdrawn"]);
  });

  it("hashes the effect, not the wording, of the health input", () => {
    const a = desiredState(manifest, ALL_UP).healthHash;
    const b = desiredState(manifest, { services: { web: "up", db: "up" }, drained: [] }).healthHash;
    const c = desiredState(manifest, { services: { db: "down" }, drained: [] }).healthHash;
    const d = desiredState(manifest, { services: {}, drained: ["web"] }).healthHash;
    expect(b).toBe(a);
    expect(new Set([a, c, d]).size).toBe(3);
  });

  it("never announces a prefix outside allowed_prefixes, whatever the health", () => {
    const narrowed = { ...manifest, policy: { ...manifest.policy, allowed: manifest.policy.allowed.filter((p) => p.family === 4) } };
    const d = desiredState(narrowed, ALL_UP);
    const v6 = d.services.flatMap((s) => s.prefixes).filter((p) => p.family === 6);
    expect(v6.length).toBeGreaterThan(0);
    expect(v6.every((p) => !p.allowed && p.announce === "withdrawn")).toBe(true);
  });

  describe("attributes while healthy and role (roles fixture)", () => {
    const roles = loadFixture("roles").manifest;
    const r = (n: string) => roles.services.find((s) => s.name === n)!;

    it("a primary is announced with its own MED, LOCAL_PREF, prepend and communities, standard and large", () => {
      expect(attrsFor(r("api"), "normal")).toEqual({ prepend: 1, med: 10, localPref: 200, communities: ["65000:60"], largeCommunities: ["4200000109:0:60"] });
    });

    it("a standby is announced while healthy with its deprefer attributes added: default prepend 3, its own LOCAL_PREF", () => {
      expect(attrsFor(r("api-b"), "normal")).toEqual({ prepend: 3, med: null, localPref: 50, communities: [], largeCommunities: [] });
      // deprefer's MED and prepend win, both sets of communities are sent
      expect(attrsFor(r("cache"), "normal")).toEqual({ prepend: 2, med: 500, localPref: null, communities: ["65000:62", "65000:666"], largeCommunities: [] });
    });

    it("drain adds 65535:0 to what a healthy service sends, never less de-preferred than healthy", () => {
      expect(attrsFor(r("api"), "graceful-shutdown")).toEqual({ prepend: 3, med: 10, localPref: 200, communities: ["65000:60", GRACEFUL_SHUTDOWN], largeCommunities: ["4200000109:0:60"] });
      expect(attrsFor(r("cache"), "graceful-shutdown")).toEqual({ prepend: 2, med: 500, localPref: null, communities: ["65000:62", "65000:666", GRACEFUL_SHUTDOWN], largeCommunities: [] });
    });

    it("renders LOCAL_PREF and MED for both daemons", async () => {
      const { buildModel } = await import("../../../src/core/build-model.js");
      const m = buildModel(roles, ALL_UP);
      const api = m.frr.serviceRouteMaps.find((x) => x.services === "service api" && x.state === "normal")!;
      expect(api.entries[1]!.sets).toEqual(["as-path prepend 4200000109", "metric 10", "local-preference 200", "community 65000:60 additive", "large-community 4200000109:0:60 additive"]);
      const bundle = m.bird!.attrFunctions[0]!.bundles.find((b) => b.prefixes.includes("192.0.2.60/32"))!;
      expect(bundle.statements).toEqual(["bgp_path.prepend(4200000109)", "bgp_med = 10", "bgp_local_pref = 200", "bgp_community.add((65000,60))", "bgp_large_community.add((4200000109,0,60))"]);
    });
  });
});
