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
    expect(attrsFor(svc("db"), "deprefer")).toEqual({ prepend: 5, med: 1000, communities: ["65007:911"], largeCommunities: ["4200000107:1:911"] });
    expect(attrsFor(svc("db"), "graceful-shutdown")).toEqual({
      prepend: 5,
      med: 1000,
      communities: ["65007:20", "65007:911", GRACEFUL_SHUTDOWN],
      largeCommunities: ["4200000107:1:911"],
    });
    expect(attrsFor(svc("search"), "deprefer")).toEqual({ prepend: 3, med: null, communities: [], largeCommunities: [] });
    expect(attrsFor(svc("web"), "normal")).toEqual({ prepend: 0, med: null, communities: ["65007:80", "65535:65281"], largeCommunities: ["4200000107:0:80"] });
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
});
