// What a repeat run of the lab suites (`npm run test:lab -- --repeat N`) records for
// docs/reliability.md: totals over the runs, then each daemon set's counts.
import { failures, type ProjectCounts } from "../../helpers/project-reporter.js";

/** one run's counts per vitest project (per daemon set) */
export interface RepeatRun {
  run: number;
  durationMs: number;
  /** empty when vitest ended without a report */
  projects: Record<string, ProjectCounts>;
}

export interface RepeatFigures {
  runs: number;
  every_core_loaded: boolean;
  passed: number;
  failed: number;
  minutes_per_run: number[];
  /** each daemon set's label → its counts over the runs */
  [set: string]: unknown;
}

export function repeatFigures(runs: readonly RepeatRun[], stress: boolean): RepeatFigures {
  const sets: Record<string, { passed: number; failed: number; skipped: number }> = {};
  for (const r of runs) {
    for (const c of Object.values(r.projects)) {
      const s = (sets[c.label] ??= { passed: 0, failed: 0, skipped: 0 });
      s.passed += c.passed;
      s.failed += failures(c);
      s.skipped += c.skipped;
    }
  }
  const sum = (k: "passed" | "failed") => Object.values(sets).reduce((n, s) => n + s[k], 0);
  return {
    runs: runs.length,
    every_core_loaded: stress,
    passed: sum("passed"),
    // a run without a report (vitest itself failed) is one failure
    failed: sum("failed") + runs.filter((r) => Object.keys(r.projects).length === 0).length,
    minutes_per_run: runs.map((r) => Math.round(r.durationMs / 6000) / 10),
    ...sets,
  };
}
