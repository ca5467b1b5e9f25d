// What a repeat run of the lab records for docs/reliability.md: counts summed per daemon set over
// the runs, a failed file without a failed test counted, a run without a report counted as failed.
import { describe, expect, it } from "vitest";
import type { ProjectCounts } from "../helpers/project-reporter.js";
import { repeatFigures } from "../lab/harness/repeat-figures.js";

const counts = (label: string, passed: number, failed = 0, hookFailures: string[] = []): ProjectCounts => ({
  label,
  passed,
  failed,
  skipped: 0,
  files: 1,
  failedFiles: failed || hookFailures.length ? ["test/lab/x.test.ts"] : [],
  hookFailures,
  durationMs: 1,
});

describe("repeatFigures", () => {
  it("sums each daemon set over the runs", () => {
    const f = repeatFigures(
      [
        { run: 1, durationMs: 600_000, projects: { lab: counts("debian12", 10), "lab-debian13": counts("debian13", 5) } },
        { run: 2, durationMs: 660_000, projects: { lab: counts("debian12", 9, 1), "lab-debian13": counts("debian13", 5) } },
      ],
      true,
    );
    expect(f).toEqual({ runs: 2, every_core_loaded: true, passed: 29, failed: 1, minutes_per_run: [10, 11], debian12: { passed: 19, failed: 1, skipped: 0 }, debian13: { passed: 10, failed: 0, skipped: 0 } });
  });

  it("a file that failed in a hook, and a run that ended without a report, are failures", () => {
    const f = repeatFigures(
      [
        { run: 1, durationMs: 1000, projects: { lab: counts("debian12", 3, 0, ["test/lab/x.test.ts"]) } },
        { run: 2, durationMs: 1000, projects: {} },
      ],
      false,
    );
    expect(f).toMatchObject({ passed: 3, failed: 2, every_core_loaded: false });
  });
});
