// Which sessions a full FRR reload resets (src/daemons/frr-reset.ts), decided on what real FRR 8.4
// and 10.3 reported around frr-reload.py applying graceful-restart changes in the lab
// (test/lab/harness/capture-frr-reset.ts): a cold start, a global change, a per-neighbour change.
import { describe, expect, it } from "vitest";
import { parseGrSessions, sessionsToReset, type GrSession } from "../../../src/daemons/frr-reset.js";
import { FRR_VERSIONS, captured } from "../../helpers/captures.js";

const sessions = (version: string, step: string): GrSession[] => parseGrSessions(JSON.parse(captured("frr", version, `reset.${step}.show-bgp-neighbors.json`)) as unknown);
const TOR = "169.254.1.2";

describe.each(FRR_VERSIONS)("%s: sessions to reset after an apply", (v) => {
  it("reads each neighbour's state, session count and local graceful-restart mode (FRR's inherited-mark removed)", () => {
    expect(sessions(v, "cold")).toEqual([]);
    expect(sessions(v, "established")).toEqual([{ key: TOR, state: "Established", established: 1, grMode: "Disable" }]);
    expect(sessions(v, "global-gr")[0]!.grMode).toBe("Helper");
    expect(sessions(v, "peer-gr")[0]!.grMode).toBe("Restart");
  });

  it("a cold start (bgpd had no neighbours, the session came up during the apply): none", () => {
    expect(sessions(v, "cold-applied")[0]!.grMode).toBe("Disable");
    expect(sessionsToReset(sessions(v, "cold"), sessions(v, "cold-applied"))).toEqual([]);
  });

  it("nothing changed on an Established session: none", () => {
    expect(sessionsToReset(sessions(v, "established"), sessions(v, "established"))).toEqual([]);
  });
});

describe("a graceful-restart change on an Established session", () => {
  it("FRR 8.4 keeps the session (and prints no warning for a global change): that session is reset", () => {
    expect(captured("frr", "frr-8.4", "reset.frr-reload-reload-global-gr.txt")).not.toMatch(/to take effect/);
    expect(sessionsToReset(sessions("frr-8.4", "established"), sessions("frr-8.4", "global-gr"))).toEqual([TOR]);
    expect(sessionsToReset(sessions("frr-8.4", "global-gr"), sessions("frr-8.4", "peer-gr"))).toEqual([TOR]);
  });

  it("FRR 10.3 resets the session itself: not again", () => {
    const after = sessions("frr-10.3", "global-gr");
    expect(after[0]).toMatchObject({ state: expect.not.stringMatching(/^Established$/), grMode: "Helper" });
    expect(sessionsToReset(sessions("frr-10.3", "established"), after)).toEqual([]);
  });
});

describe("sessionsToReset: which session is the one from before the apply", () => {
  const s = (state: string, established: number, grMode: string): GrSession[] => [{ key: TOR, state, established, grMode }];
  it("re-established since (FRR reset it, it came up again under the new mode): none", () => {
    expect(sessionsToReset(s("Established", 1, "Disable"), s("Established", 2, "Helper"))).toEqual([]);
  });
  it("its OPEN was exchanged before the apply and it completed afterwards: reset", () => {
    expect(sessionsToReset(s("OpenConfirm", 1, "Disable"), s("Established", 2, "Helper"))).toEqual([TOR]);
  });
  it("not connected before the apply (Active, Connect, Idle): none", () => {
    for (const st of ["Active", "Connect", "Idle"]) expect(sessionsToReset(s(st, 0, "Disable"), s("Established", 1, "Helper"))).toEqual([]);
  });
});
