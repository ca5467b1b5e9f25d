// What each service's route should say, from its health state, the previous run, drain and its address.
import { describe, expect, it } from "vitest";
import type { HealthBrief, HealthStateName, Phase } from "../../../src/health/types.js";
import { serviceHealth, type ServiceHealthInput } from "../../../src/supervisor/service-health.js";
import type { AnnouncedRecord } from "../../../src/supervisor/engine-types.js";
import { service } from "../../helpers/service.js";

const svc = service("web");
const state = (state: HealthStateName, phase: Phase = state === "DISABLED" || state === "DEGRADED" ? "UP" : (state)): HealthBrief => ({ name: "web", state, phase });
const carried = (a: AnnouncedRecord["services"][string]): AnnouncedRecord => ({ manifestHash: "h", services: { web: a } });

function healthOf(over: Partial<ServiceHealthInput>) {
  const input: ServiceHealthInput = { services: [svc], states: new Map(), decided: new Set(), carryOver: undefined, withdrawn: [], withdrawAll: false, missing: new Map(), ...over };
  return serviceHealth(input).web;
}

describe("serviceHealth", () => {
  it.each<[string, Partial<ServiceHealthInput>, string]>([
    ["no checks: up before any state", { services: [service("web", { checks: [] })] }, "up"],
    ["checks, no state yet, nothing carried over: unknown", {}, "unknown"],
    ["UP", { states: new Map([["web", state("UP")]]) }, "up"],
    ["FALLING (after UP, so decided) still announces", { states: new Map([["web", state("FALLING")]]), decided: new Set(["web"]) }, "up"],
    ["DEGRADED", { states: new Map([["web", state("DEGRADED")]]) }, "degraded"],
    ["DOWN", { states: new Map([["web", state("DOWN")]]) }, "down"],
    ["RISING once decided", { states: new Map([["web", state("RISING")]]), decided: new Set(["web"]) }, "down"],
    ["drained (DISABLED): the phase underneath", { states: new Map([["web", state("DISABLED", "UP")]]) }, "up"],
    ["undecided INIT carries over a normal announcement", { states: new Map([["web", state("INIT")]]), carryOver: carried("normal") }, "up"],
    ["undecided carries over a withdrawal as unknown", { states: new Map([["web", state("INIT")]]), carryOver: carried("withdrawn") }, "unknown"],
    ["undecided de-preferred, on_failure withdraw: degraded", { states: new Map([["web", state("RISING")]]), carryOver: carried("deprefer") }, "degraded"],
    [
      "undecided de-preferred, on_failure deprefer: down (de-preferred)",
      { services: [service("web", { onFailure: "deprefer" })], states: new Map([["web", state("RISING")]]), carryOver: carried("deprefer") },
      "down",
    ],
    ["a decided service does not carry over", { states: new Map([["web", state("RISING")]]), decided: new Set(["web"]), carryOver: carried("normal") }, "down"],
    ["drain wait over: down", { states: new Map([["web", state("DISABLED", "UP")]]), withdrawn: ["web"] }, "down"],
    ["withdraw everything: down", { states: new Map([["web", state("UP")]]), withdrawAll: true }, "down"],
    ["address missing: unknown whatever else", { states: new Map([["web", state("UP")]]), withdrawAll: true, missing: new Map([["web", ["192.0.2.53"]]]) }, "unknown"],
  ])("%s", (_, over, want) => {
    expect(healthOf(over)).toBe(want);
  });

  it("one entry per service of the manifest", () => {
    const out = serviceHealth({ services: [service("a"), service("b", { checks: [] })], states: new Map(), decided: new Set(), carryOver: undefined, withdrawn: [], withdrawAll: false, missing: new Map() });
    expect(out).toEqual({ a: "unknown", b: "up" });
  });
});
