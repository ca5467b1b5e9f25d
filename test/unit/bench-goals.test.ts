// The bench's verdicts on a host with thousands of services: each goal judged from the rows a run
// measured, "not measured" when it did not, and a failure never passed as met.
import { describe, expect, it } from "vitest";
import type { LatencyRow } from "../bench/latency.js";
import { frrChangeGoals, scaleChangeGoals, scaleChangesTable } from "../bench/report.js";
import type { ScaleRow } from "../bench/scale.js";
import type { StabilityRow } from "../bench/stability.js";
import type { ScaleChangeRow } from "../bench/scale-changes.js";
import { summarise } from "../bench/lib/stats.js";

const s = (...xs: number[]) => summarise(xs);

const pipe = (build: string, services: number, decided: number[]): LatencyRow =>
  ({ system: build.startsWith("FRR") ? "svcroute-frr" : "svcroute-bird", label: build, settings: "interval 0.1 s", services, build, trials: decided.length, misses: 0, decidedReceived: summarise(decided), raw: { decidedReceived: decided } }) as unknown as LatencyRow;

const verdicts = (goals: ReturnType<typeof scaleChangeGoals>) => Object.fromEntries(goals.map((g) => [g.what, [g.value, g.met]]));

describe("FRR with a few services", () => {
  const scale = (build: string, tor: number[] | undefined, failures: string[] = []): ScaleRow =>
    ({ daemon: "frr", build, prefixes: 10, trials: tor?.length ?? 0, stages: {}, tor: tor && summarise(tor), torResolutionMs: 10, configBytes: 1, failures, refused: undefined }) as unknown as ScaleRow;
  const stab = (policy: number[]): StabilityRow => ({ system: "svcroute-frr", label: "svcroute + FRR", changes: 10, healthChanges: 8, policyChanges: 2, missed: 0, resets: 0, adjDown: 0, policyMs: summarise(policy), durationS: 1 });

  it("a full apply of 10 services and a policy change, each at the ToR within 300 ms, per FRR build; BIRD's rows are not FRR's", () => {
    const bird = { ...scale("BIRD 3.1", [900]), daemon: "bird" as const };
    const g = verdicts(frrChangeGoals({ scale: [scale("FRR 8.4", [210, 230, 250]), scale("FRR 10.3", undefined, ["not verified after 60000 ms"]), bird], stability: [stab([250, 280, 400])] }));
    expect(g["scale FRR 8.4, 10 prefixes: full apply → all routes at the ToR, p50"]).toEqual(["230 ms", true]);
    expect(g["scale FRR 10.3, 10 prefixes: full apply → all routes at the ToR, p50"]).toEqual(["failed: not verified after 60000 ms", false]);
    expect(Object.keys(g).some((k) => k.includes("BIRD"))).toBe(false);
    expect(g["FRR: a policy change (a manifest edit) → its UPDATE at the ToR, p50"]).toEqual(["280 ms", true]);
    expect(verdicts(frrChangeGoals({ scale: [], stability: [stab([310, 320])] }))["FRR: a policy change (a manifest edit) → its UPDATE at the ToR, p50"]).toEqual(["310 ms", false]);
    expect(verdicts(frrChangeGoals({ scale: [], stability: [] }))).toEqual({
      "scale FRR, 10 prefixes: full apply → all routes at the ToR, p50": ["not measured", undefined],
      "FRR: a policy change (a manifest edit) → its UPDATE at the ToR, p50": ["not measured", undefined],
    });
  });
});

describe("goals at scale", () => {
  it("the parser's judgement of 10,000 prefixes against 2 s, per build; a build whose series failed before it is not measured", () => {
    const row = (build: string, validate: number[]): ScaleChangeRow => ({ daemon: "frr", build, prefixes: 10_000, trials: 2, validate: summarise(validate), cold: undefined, add: undefined, remove: undefined, failures: [] });
    const g = verdicts(scaleChangeGoals({ scaleChanges: [row("FRR 8.4", [185, 190]), row("BIRD 3.1", [2400, 2500]), row("FRR 10.3", [])] }));
    expect(g["scale FRR 8.4, 10,000 prefixes: the daemon's own parser judges the config, p50"]).toEqual(["185 ms", true]);
    expect(g["scale BIRD 3.1, 10,000 prefixes: the daemon's own parser judges the config, p50"]).toEqual(["2,400 ms", false]);
    expect(g["scale FRR 10.3, 10,000 prefixes: the daemon's own parser judges the config, p50"]).toEqual(["not measured", undefined]);
  });

  it("cold start against 5 s, 100 added or removed against 1 s; a series that failed is not met", () => {
    const rows: ScaleChangeRow[] = [
      { daemon: "frr", build: "FRR 10.3", prefixes: 10_000, trials: 2, cold: s(4000, 4200), add: s(900, 1100), remove: s(300, 320), failures: [] },
      { daemon: "bird", build: "BIRD 2.17", prefixes: 10_000, trials: 0, cold: undefined, add: undefined, remove: undefined, failures: ["10000 routes at tor2 after a start: not within 120 s"] },
    ];
    const g = verdicts(scaleChangeGoals({ scaleChanges: rows }));
    expect(g["scale FRR 10.3, cold start of the daemon with 10,000 prefixes → all routes at the ToR, p50"]).toEqual(["4,000 ms", true]);
    expect(g["scale FRR 10.3, 100 services added at 10,000 → all at the ToR, p50"]).toEqual(["900 ms", true]);
    expect(g["scale FRR 10.3, 100 services removed at 10,000 → gone at the ToR, p50"]).toEqual(["300 ms", true]);
    expect(g["scale BIRD 2.17, cold start of the daemon with 10,000 prefixes → all routes at the ToR, p50"]).toEqual(["failed: 10000 routes at tor2 after a start: not within 120 s", false]);
  });

  it("one service's pipeline with many services against the same with few: at most twice", () => {
    const g = verdicts(scaleChangeGoals({ pipeline: [pipe("FRR 8.4", 10_000, [60, 61, 62]), pipe("FRR 8.4", 10, [54, 55, 56]), pipe("BIRD 3.1", 10, [3, 4, 5]), pipe("BIRD 3.1", 10_000, [40, 41, 42])] }));
    expect(g["pipeline FRR 8.4: DOWN decided → withdraw received with 10,000 services configured ÷ with 10, p50"]).toEqual(["1.11× (61.0 vs 55.0 ms)", true]);
    expect(g["pipeline BIRD 3.1: DOWN decided → withdraw received with 10,000 services configured ÷ with 10, p50"]![1]).toBe(false);
  });

  it("check and render of 10,000 services against 1 s; a command that failed is not met", () => {
    const g = verdicts(
      scaleChangeGoals(
        {
          cliScale: [
            { command: "check", services: 10_000, runs: 5, wallMs: s(700, 720, 740), failures: [] },
            { command: "render", services: 10_000, runs: 0, wallMs: undefined, failures: ["exit 1: boom"] },
            { command: "check", services: 1000, runs: 5, wallMs: s(200), failures: [] },
          ],
        },
      ),
    );
    expect(g["svcroute check of 10,000 services in drop-ins, whole process, median of 5"]).toEqual(["720 ms", true]);
    expect(g["svcroute render of 10,000 services in drop-ins, whole process, median of 0"]).toEqual(["failed: exit 1: boom", false]);
    expect(Object.keys(g).filter((k) => k.includes("1,000 services"))).toEqual([]);
  });

  it("the tables show every row measured, and nothing for a run that measured none", () => {
    expect(scaleChangesTable({})).toEqual([]);
    const t = scaleChangesTable({ scaleChanges: [{ daemon: "frr", build: "FRR 8.4", prefixes: 10_000, trials: 2, validate: s(180), cold: s(3000, 3500), add: s(800), remove: s(400), failures: [] }], cliScale: [{ command: "check", services: 10_000, runs: 5, wallMs: s(700), failures: [] }] }).join("\n");
    expect(t).toContain("| FRR 8.4 | 10,000 | 2 | 180 / 180 | 3,000 / 3,500 | 800 / 800 | 400 / 400 |  |");
    expect(t).toContain("| svcroute check | 10,000 | 5 | 700 / 700 |  |");
  });
});
