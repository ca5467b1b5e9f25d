import { describe, expect, it } from "vitest";
import { NO_DRAIN, drain, drainPhase, readDrainState, undrain, writeDrainState } from "../../../src/supervisor/drain.js";
import { tmpTree } from "../../helpers/tmp.js";

const names = ["dns", "web", "ntp"];

describe("drain state", () => {
  it("drain/undrain keep the first drain time", () => {
    let s = drain(NO_DRAIN, "web", 1000);
    s = drain(s, "web", 5000);
    expect(s.services.web).toBe(1000);
    s = drain(s, "all", 2000);
    expect(s.all).toBe(2000);
    expect(undrain(s, "web")).toEqual({ all: 2000, services: {} });
    expect(undrain(s, "all")).toEqual(NO_DRAIN);
  });

  it.each([
    ["nothing drained", NO_DRAIN, undefined, 0, { shutting: [], withdrawn: [], nextChangeAt: undefined }],
    ["web drained, within the wait", { all: null, services: { web: 1000 } }, undefined, 5000, { shutting: ["web"], withdrawn: [], nextChangeAt: 31_000 }],
    ["web drained, wait over", { all: null, services: { web: 1000 } }, undefined, 31_000, { shutting: [], withdrawn: ["web"], nextChangeAt: undefined }],
    ["all drained", { all: 1000, services: {} }, undefined, 2000, { shutting: names, withdrawn: [], nextChangeAt: 31_000 }],
    ["maintenance file", NO_DRAIN, 10_000, 20_000, { shutting: names, withdrawn: [], nextChangeAt: 40_000 }],
    ["earliest start wins", { all: 20_000, services: { dns: 0 } }, undefined, 30_000, { shutting: ["web", "ntp"], withdrawn: ["dns"], nextChangeAt: 50_000 }],
  ])("%s", (_w, state, fileSince, now, want) => {
    expect(drainPhase(state, names, fileSince, 30_000, now)).toEqual(want);
  });

  it("persists across restarts", async () => {
    const dir = tmpTree({});
    expect(await readDrainState(dir)).toEqual(NO_DRAIN);
    await writeDrainState(dir, drain(NO_DRAIN, "dns", 42));
    expect(await readDrainState(dir)).toEqual({ all: null, services: { dns: 42 } });
  });
});
